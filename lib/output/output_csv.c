/* gicsim: the "csv" writer: one row per interrupt record, gzip-compressed
 * when the path ends in ".gz". */
#include "output_internal.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

typedef struct csv_state {
    FILE *f;   /* plain file, or */
    gzFile gz; /* compressed file */
} csv_state;

static const char csv_header[] =
    "source,vm,vcpu,intid,t_assert_ps,t_signal_ps,t_ack_ps,t_eoi_ps,t_deact_ps,latency_ps,"
    "exits_irq,exits_maintenance,exits_wfi,exits_sgi_trap,exits_mmio,exits_hvc,hyp_time_ps,"
    "maintenance,lr_spills,merged\n";

/* A field, quoted (RFC 4180) when it holds a separator, quote or line break. */
static void field(out_buf *b, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        out_puts(b, s);
        return;
    }
    out_putc(b, '"');
    for (; *s; s++) {
        if (*s == '"')
            out_putc(b, '"');
        out_putc(b, *s);
    }
    out_putc(b, '"');
}

static void time_field(out_buf *b, gicsim_time_t t)
{
    out_putc(b, ',');
    if (t != GICSIM_TIME_NEVER)
        out_u64(b, t);
}

static void row(out_buf *b, const gicsim_irq_record *r, const gicsim_output_info *info,
                bool policy_column)
{
    char tmp[32];
    if (policy_column) {
        field(b, info && info->policy ? info->policy : "");
        out_putc(b, ',');
    }
    field(b, out_source_name(info, r->source, tmp));
    out_putc(b, ',');
    /* A host timer's record has no VM and no vCPU: empty fields. */
    if (r->vm != UINT32_MAX)
        field(b, out_vm_name(info, r->vm, tmp));
    out_putc(b, ',');
    if (r->vcpu != UINT32_MAX)
        out_u64(b, r->vcpu);
    out_putc(b, ',');
    out_u64(b, r->intid);
    time_field(b, r->t_assert);
    time_field(b, r->t_signal);
    time_field(b, r->t_ack);
    time_field(b, r->t_eoi);
    time_field(b, r->t_deact);
    out_putc(b, ',');
    if (r->t_ack != GICSIM_TIME_NEVER && r->t_assert != GICSIM_TIME_NEVER &&
        r->t_ack >= r->t_assert)
        out_u64(b, r->t_ack - r->t_assert);
    for (int i = 0; i < GICSIM_EXIT__COUNT; i++) {
        out_putc(b, ',');
        out_u64(b, r->exits[i]);
    }
    out_putc(b, ',');
    out_u64(b, r->hyp_time);
    out_putc(b, ',');
    out_u64(b, r->maintenance);
    out_putc(b, ',');
    out_u64(b, r->lr_spills);
    out_putc(b, ',');
    out_putc(b, r->merged ? '1' : '0');
    out_putc(b, '\n');
}

static bool csv_flush(csv_state *st, out_buf *b)
{
    bool ok = !b->oom;
    if (ok && b->len) {
        if (st->gz)
            ok = gzwrite(st->gz, b->p, (unsigned)b->len) == (int)b->len;
        else
            ok = fwrite(b->p, 1, b->len, st->f) == b->len;
    }
    out_buf_reset(b);
    return ok;
}

static gicsim_status csv_open(csv_state *st, const char *path)
{
    if (out_path_ends_with(path, ".gz"))
        st->gz = gzopen(path, "wb");
    else
        st->f = fopen(path, "wb");
    return st->gz || st->f ? GICSIM_OK : GICSIM_E_IO;
}

/* Writes every record and closes the file. */
static gicsim_status csv_write_close(csv_state *st, gicsim_system *sys,
                                     const gicsim_output_info *info, bool policy_column)
{
    gicsim_status rc = sys ? GICSIM_OK : GICSIM_E_INVAL;
    out_buf b = {0};
    if (policy_column)
        out_puts(&b, "policy,");
    out_puts(&b, csv_header);
    size_t n = sys ? gicsim_system_record_count(sys) : 0;
    for (size_t i = 0; i < n && rc == GICSIM_OK; i++) {
        const gicsim_irq_record *r = gicsim_system_record(sys, i);
        if (r)
            row(&b, r, info, policy_column);
        if (b.len >= 64 * 1024)
            if (!csv_flush(st, &b))
                rc = b.oom ? GICSIM_E_NOMEM : GICSIM_E_IO;
    }
    if (rc == GICSIM_OK && !csv_flush(st, &b))
        rc = b.oom ? GICSIM_E_NOMEM : GICSIM_E_IO;
    out_buf_free(&b);
    if (st->gz) {
        if (gzclose(st->gz) != Z_OK && rc == GICSIM_OK)
            rc = GICSIM_E_IO;
    } else if (fclose(st->f) != 0 && rc == GICSIM_OK) {
        rc = GICSIM_E_IO;
    }
    return rc;
}

static gicsim_status csv_begin(void **state, gicsim_system *sys, const char *path,
                               const gicsim_output_info *info)
{
    (void)info;
    if (!state || !sys || !path)
        return GICSIM_E_INVAL;
    csv_state *st = calloc(1, sizeof *st);
    if (!st)
        return GICSIM_E_NOMEM;
    if (csv_open(st, path) != GICSIM_OK) {
        free(st);
        return GICSIM_E_IO;
    }
    *state = st;
    return GICSIM_OK;
}

static gicsim_status csv_end(void *state, gicsim_system *sys, const gicsim_output_info *info)
{
    csv_state *st = state;
    if (!st)
        return GICSIM_E_INVAL;
    gicsim_status rc = csv_write_close(st, sys, info, false);
    free(st);
    return rc;
}

gicsim_status gicsim_output_csv_write(gicsim_system *sys, const char *path,
                                      const gicsim_output_info *info, bool policy_column)
{
    if (!sys || !path)
        return GICSIM_E_INVAL;
    csv_state st = {0};
    if (csv_open(&st, path) != GICSIM_OK)
        return GICSIM_E_IO;
    return csv_write_close(&st, sys, info, policy_column);
}

const gicsim_output_ops gicsim_output_csv_ops = {
    .name = "csv",
    .description = "one row per interrupt record (gzip-compressed when the path ends in .gz)",
    .begin = csv_begin,
    .end = csv_end,
};
