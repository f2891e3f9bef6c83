/* gicsim: the "csv" writer: one row per interrupt record, gzip-compressed
 * when the path ends in ".gz". */
#include "output_internal.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

typedef struct csv_state {
    FILE *f;   /* plain file, or */
    gzFile gz; /* compressed file */
    out_buf b; /* rows not written yet */
    gicsim_status rc;
    bool policy_column;
    gicsim_output_info *info; /* a copy: rows are written during the run */
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

/* A record sink: one row, written out every 64 KiB. */
static void csv_row(void *ctx, uint64_t index, const gicsim_irq_record *r)
{
    (void)index;
    csv_state *st = ctx;
    if (st->rc != GICSIM_OK)
        return;
    row(&st->b, r, st->info, st->policy_column);
    if (st->b.len >= 64 * 1024 && !csv_flush(st, &st->b))
        st->rc = st->b.oom ? GICSIM_E_NOMEM : GICSIM_E_IO;
}

static void csv_free(csv_state *st)
{
    out_buf_free(&st->b);
    out_info_free(st->info);
    free(st);
}

/* Flush, close and free `st`. */
static gicsim_status csv_finish(csv_state *st)
{
    gicsim_status rc = st->rc;
    if (rc == GICSIM_OK && !csv_flush(st, &st->b))
        rc = st->b.oom ? GICSIM_E_NOMEM : GICSIM_E_IO;
    if (st->gz) {
        if (gzclose(st->gz) != Z_OK && rc == GICSIM_OK)
            rc = GICSIM_E_IO;
    } else if (fclose(st->f) != 0 && rc == GICSIM_OK) {
        rc = GICSIM_E_IO;
    }
    csv_free(st);
    return rc;
}

/* Open `path` with the header buffered and, with `stream`, take the records
 * of `sys` as they complete. */
static gicsim_status csv_open(csv_state **out, gicsim_system *sys, const char *path,
                              const gicsim_output_info *info, bool policy_column, bool stream)
{
    csv_state *st = calloc(1, sizeof *st);
    if (!st)
        return GICSIM_E_NOMEM;
    st->policy_column = policy_column;
    st->info = out_info_copy(info);
    if (info && !st->info) {
        csv_free(st);
        return GICSIM_E_NOMEM;
    }
    if (out_path_ends_with(path, ".gz"))
        st->gz = gzopen(path, "wb");
    else
        st->f = fopen(path, "wb");
    if (!st->gz && !st->f) {
        csv_free(st);
        return GICSIM_E_IO;
    }
    gicsim_status rc = stream ? gicsim_system_add_record_sink(sys, csv_row, st) : GICSIM_OK;
    if (rc != GICSIM_OK) {
        csv_finish(st);
        return rc;
    }
    if (policy_column)
        out_puts(&st->b, "policy,");
    out_puts(&st->b, csv_header);
    *out = st;
    return GICSIM_OK;
}

static gicsim_status csv_begin(void **state, gicsim_system *sys, const char *path,
                               const gicsim_output_info *info)
{
    return gicsim_output_csv_begin(sys, path, info, false, state);
}

gicsim_status gicsim_output_csv_begin(gicsim_system *sys, const char *path,
                                      const gicsim_output_info *info, bool policy_column,
                                      void **state)
{
    if (!state || !sys || !path)
        return GICSIM_E_INVAL;
    csv_state *st = NULL;
    gicsim_status rc = csv_open(&st, sys, path, info, policy_column, true);
    if (rc == GICSIM_OK)
        *state = st;
    return rc;
}

/* The records still open (after the streamed ones), then close. */
static gicsim_status csv_end(void *state, gicsim_system *sys, const gicsim_output_info *info)
{
    (void)info;
    csv_state *st = state;
    if (!st)
        return GICSIM_E_INVAL;
    gicsim_system_foreach_open_record(sys, csv_row, st);
    return csv_finish(st);
}

gicsim_status gicsim_output_csv_write(gicsim_system *sys, const char *path,
                                      const gicsim_output_info *info, bool policy_column)
{
    if (!sys || !path)
        return GICSIM_E_INVAL;
    gicsim_system_stats ss;
    gicsim_system_get_stats(sys, &ss);
    size_t n = gicsim_system_record_count(sys);
    if (n < ss.asserted)
        return GICSIM_E_STATE; /* streamed, not kept (gicsim_system_keep_records) */
    csv_state *st = NULL;
    gicsim_status rc = csv_open(&st, sys, path, info, policy_column, false);
    if (rc != GICSIM_OK)
        return rc;
    for (size_t i = 0; i < n; i++)
        csv_row(st, i, gicsim_system_record(sys, i));
    return csv_finish(st);
}

const gicsim_output_ops gicsim_output_csv_ops = {
    .name = "csv",
    .description = "one row per interrupt record (gzip-compressed when the path ends in .gz)",
    .begin = csv_begin,
    .end = csv_end,
};
