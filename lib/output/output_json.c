/* gicsim: the "json" writer: the run summary (gicsim_output_summary_json). */
#include "output_internal.h"

#include <gicsim/version.h>

#include <stdlib.h>
#include <string.h>

/* Indentation helpers: the summary is pretty-printed with 2 spaces. */
static void nl(out_buf *b, int depth)
{
    out_putc(b, '\n');
    for (int i = 0; i < depth; i++)
        out_puts(b, "  ");
}

static void key(out_buf *b, int depth, bool *first, const char *k)
{
    if (!*first)
        out_putc(b, ',');
    *first = false;
    nl(b, depth);
    out_json_str(b, k);
    out_puts(b, ": ");
}

static void kv_u64(out_buf *b, int depth, bool *first, const char *k, uint64_t v)
{
    key(b, depth, first, k);
    out_u64(b, v);
}

/* num / den with 6 decimals, null when den is 0. */
static void kv_ratio(out_buf *b, int depth, bool *first, const char *k, double num, double den)
{
    key(b, depth, first, k);
    if (den > 0)
        out_double(b, num / den, 6);
    else
        out_puts(b, "null");
}

static void latency_obj(out_buf *b, int depth, const gicsim_histogram *h)
{
    gicsim_summary s;
    memset(&s, 0, sizeof s);
    if (h)
        gicsim_histogram_summary(h, &s);
    bool first = true;
    out_putc(b, '{');
    kv_u64(b, depth + 1, &first, "count", s.count);
    struct {
        const char *k;
        uint64_t v;
    } f[] = {{"min_ns", s.min}, {"p50_ns", s.p50},   {"p90_ns", s.p90},
             {"p99_ns", s.p99}, {"p999_ns", s.p999}, {"max_ns", s.max}};
    key(b, depth + 1, &first, "mean_ns");
    if (s.count) {
        /* The mean in ps, rounded to an integer: ns with 3 decimals. */
        double m = s.mean < 0 ? 0 : s.mean;
        out_ps_ns(b, m < 1.8e19 ? (uint64_t)(m + 0.5) : 0);
    } else {
        out_puts(b, "null");
    }
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        key(b, depth + 1, &first, f[i].k);
        if (s.count)
            out_ps_ns(b, f[i].v);
        else
            out_puts(b, "null");
    }
    nl(b, depth);
    out_putc(b, '}');
}

static void summary(out_buf *b, gicsim_system *sys, const gicsim_output_info *info)
{
    gicsim_system_stats st;
    memset(&st, 0, sizeof st);
    gicsim_system_get_stats(sys, &st);
    uint32_t pes = gicsim_gic_num_pes(gicsim_system_gic(sys));
    uint32_t n_src = gicsim_system_num_sources(sys);
    double pe_time = (double)st.sim_time * (double)pes;
    /* Exits per instance a guest received (host timers' excluded). */
    double delivered = (double)(st.delivered - st.host_delivered);
    bool first = true;

    out_putc(b, '{');
    key(b, 1, &first, "gicsim");
    out_json_str(b, gicsim_version_string());
    key(b, 1, &first, "scenario");
    out_json_str(b, info ? info->scenario : NULL);
    key(b, 1, &first, "policy");
    out_json_str(b, info ? info->policy : NULL);
    key(b, 1, &first, "config");
    if (info && info->resolved_config_json)
        out_puts(b, info->resolved_config_json);
    else
        out_puts(b, "null");

    key(b, 1, &first, "results");
    out_putc(b, '{');
    bool fr = true;
    kv_u64(b, 2, &fr, "sim_time_ps", st.sim_time);
    kv_u64(b, 2, &fr, "pes", pes);
    kv_u64(b, 2, &fr, "num_vms", gicsim_system_num_vms(sys));
    kv_u64(b, 2, &fr, "num_sources", n_src);

    key(b, 2, &fr, "exits");
    out_putc(b, '{');
    bool fe = true;
    kv_u64(b, 3, &fe, "total", st.exits_total);
    for (int r = 0; r < GICSIM_EXIT__COUNT; r++)
        kv_u64(b, 3, &fe, gicsim_exit_reason_name((gicsim_exit_reason)r), st.exits[r]);
    nl(b, 2);
    out_putc(b, '}');

    key(b, 2, &fr, "exits_per_delivered");
    out_putc(b, '{');
    fe = true;
    kv_ratio(b, 3, &fe, "total", (double)st.exits_total, delivered);
    for (int r = 0; r < GICSIM_EXIT__COUNT; r++)
        kv_ratio(b, 3, &fe, gicsim_exit_reason_name((gicsim_exit_reason)r), (double)st.exits[r],
                 delivered);
    nl(b, 2);
    out_putc(b, '}');

    kv_u64(b, 2, &fr, "guest_time_ps", st.guest_time);
    kv_u64(b, 2, &fr, "hyp_time_ps", st.hyp_time);
    kv_u64(b, 2, &fr, "idle_time_ps", st.idle_time);
    kv_u64(b, 2, &fr, "halt_poll_time_ps", st.halt_poll_time);
    kv_ratio(b, 2, &fr, "hyp_time_share", (double)st.hyp_time, pe_time);
    kv_ratio(b, 2, &fr, "guest_time_share", (double)st.guest_time, pe_time);
    kv_ratio(b, 2, &fr, "idle_time_share", (double)st.idle_time, pe_time);
    kv_ratio(b, 2, &fr, "halt_poll_time_share", (double)st.halt_poll_time, pe_time);
    kv_u64(b, 2, &fr, "maintenance_irqs", st.maintenance_irqs);
    kv_u64(b, 2, &fr, "lr_spills", st.lr_spills);
    kv_u64(b, 2, &fr, "kicks", st.kicks);
    kv_u64(b, 2, &fr, "doorbells", st.doorbells);
    kv_u64(b, 2, &fr, "wakeups", st.wakeups);
    kv_u64(b, 2, &fr, "vcpu_switches", st.vcpu_switches);
    kv_u64(b, 2, &fr, "asserted", st.asserted);
    kv_u64(b, 2, &fr, "delivered", st.delivered);
    kv_u64(b, 2, &fr, "host_delivered", st.host_delivered);
    kv_u64(b, 2, &fr, "merged", st.merged);
    kv_u64(b, 2, &fr, "pending", st.pending);

    key(b, 2, &fr, "latency");
    out_putc(b, '{');
    bool fl = true;
    key(b, 3, &fl, "all");
    latency_obj(b, 3, gicsim_system_latency(sys, UINT32_MAX));
    key(b, 3, &fl, "sources");
    out_putc(b, '{');
    bool fs = true;
    for (uint32_t i = 0; i < n_src; i++) {
        char *name = out_unique_source_name(info, n_src, i);
        if (!name) {
            b->oom = true;
            break;
        }
        key(b, 4, &fs, name);
        free(name);
        latency_obj(b, 4, gicsim_system_latency(sys, i));
    }
    if (!fs)
        nl(b, 3);
    out_putc(b, '}');
    nl(b, 2);
    out_putc(b, '}');

    nl(b, 1);
    out_putc(b, '}');
    nl(b, 0);
    out_putc(b, '}');
}

gicsim_status gicsim_output_summary_json(gicsim_system *sys, const gicsim_output_info *info,
                                         char **json)
{
    if (!json)
        return GICSIM_E_INVAL;
    *json = NULL;
    if (!sys)
        return GICSIM_E_INVAL;
    out_buf b = {0};
    summary(&b, sys, info);
    if (b.oom) {
        out_buf_free(&b);
        return GICSIM_E_NOMEM;
    }
    *json = b.p;
    return GICSIM_OK;
}

/* ---- The writer ----------------------------------------------------------------------------- */

typedef struct json_state {
    FILE *f;
} json_state;

static gicsim_status json_begin(void **state, gicsim_system *sys, const char *path,
                                const gicsim_output_info *info)
{
    (void)info;
    if (!state || !sys || !path)
        return GICSIM_E_INVAL;
    json_state *st = calloc(1, sizeof *st);
    if (!st)
        return GICSIM_E_NOMEM;
    st->f = fopen(path, "wb");
    if (!st->f) {
        free(st);
        return GICSIM_E_IO;
    }
    *state = st;
    return GICSIM_OK;
}

static gicsim_status json_end(void *state, gicsim_system *sys, const gicsim_output_info *info)
{
    json_state *st = state;
    if (!st)
        return GICSIM_E_INVAL;
    gicsim_status rc = GICSIM_OK;
    char *s = NULL;
    if (sys)
        rc = gicsim_output_summary_json(sys, info, &s);
    else
        rc = GICSIM_E_INVAL;
    if (rc == GICSIM_OK) {
        size_t n = strlen(s);
        if (fwrite(s, 1, n, st->f) != n || fputc('\n', st->f) == EOF)
            rc = GICSIM_E_IO;
    }
    free(s);
    if (fclose(st->f) != 0 && rc == GICSIM_OK)
        rc = GICSIM_E_IO;
    free(st);
    return rc;
}

const gicsim_output_ops gicsim_output_json_ops = {
    .name = "json",
    .description = "run summary (counts, exits, time shares, latency percentiles) as JSON",
    .begin = json_begin,
    .end = json_end,
};
