/* gicsim: latency CDF charts as SVG (gicsim_output_cdf_svg) and the "cdf"
 * writer, which plots the run's overall and per-source latency.
 *
 * Axis ranges and tick labels are computed in integer picoseconds, so the
 * labels are exact; only the mapping to the page uses floating point (and
 * log10 on a logarithmic axis). */
#include "output_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Page layout (SVG user units). */
#define PLOT_L 80.0
#define PLOT_T 50.0
#define PLOT_W 540.0
#define PLOT_H 380.0
#define LEGEND_X (PLOT_L + PLOT_W + 30.0)
#define PAGE_W 940
#define PAGE_H 500

static const char *const palette[10] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                        "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
static const char *const dashes[3] = {NULL, "6,3", "2,2"};

typedef struct axis {
    bool log;
    uint64_t lo, hi; /* ps: the axis range */
    double llo, lhi; /* log10 of lo / hi */
    uint64_t step;   /* linear: tick spacing, ps */
    int dlo, dhi;    /* log: decades 10^dlo .. 10^dhi ps */
} axis;

static uint64_t p10(int k)
{
    uint64_t v = 1;
    while (k-- > 0)
        v *= 10;
    return v;
}

static void axis_init(axis *a, uint64_t lo, uint64_t hi, bool any)
{
    memset(a, 0, sizeof *a);
    if (!any) {
        lo = 0;
        hi = 1000000; /* 1 us */
    }
    uint64_t lo1 = lo ? lo : 1;
    a->log = any && (double)hi > 100.0 * (double)lo1;
    if (a->log) {
        int k = 0;
        while (k < 19 && p10(k + 1) <= lo1)
            k++;
        a->dlo = k;
        k = 0;
        while (k < 19 && p10(k) < hi)
            k++;
        a->dhi = k > a->dlo ? k : a->dlo + 1;
        a->lo = p10(a->dlo);
        a->hi = p10(a->dhi);
        a->llo = (double)a->dlo;
        a->lhi = (double)a->dhi;
        return;
    }
    uint64_t span = hi - lo;
    if (span == 0)
        span = hi ? hi : 1;
    uint64_t raw = span / 5 ? span / 5 : 1;
    static const uint64_t mant[3] = {1, 2, 5};
    uint64_t step = 0;
    for (int e = 0; e < 19 && !step; e++)
        for (int m = 0; m < 3 && !step; m++)
            if (mant[m] * p10(e) >= raw)
                step = mant[m] * p10(e);
    if (!step)
        step = p10(19);
    a->step = step;
    a->lo = lo / step * step;
    uint64_t ihi = hi / step + (hi % step != 0);
    if (ihi * step <= a->lo)
        ihi = a->lo / step + 1;
    a->hi = ihi * step;
}

static double xpos(const axis *a, uint64_t ps)
{
    double f;
    if (a->log) {
        double v = ps < a->lo ? (double)a->lo : (double)ps;
        f = (log10(v) - a->llo) / (a->lhi - a->llo);
    } else {
        f = ((double)ps - (double)a->lo) / ((double)a->hi - (double)a->lo);
    }
    if (f < 0)
        f = 0;
    if (f > 1)
        f = 1;
    return PLOT_L + f * PLOT_W;
}

static double ypos(double frac)
{
    return PLOT_T + (1.0 - frac) * PLOT_H;
}

/* Picoseconds as microseconds, without trailing zeros ("0.25", "10"). */
static void us_label(out_buf *b, uint64_t ps)
{
    out_buf t = {0};
    out_ps_us(&t, ps);
    if (t.oom) {
        b->oom = true;
        out_buf_free(&t);
        return;
    }
    size_t n = t.len;
    while (n > 0 && t.p[n - 1] == '0')
        n--;
    if (n > 0 && t.p[n - 1] == '.')
        n--;
    out_put(b, t.p, n);
    out_buf_free(&t);
}

static void num(out_buf *b, double v)
{
    out_double(b, v, 2);
}

static void line(out_buf *b, double x1, double y1, double x2, double y2, const char *style)
{
    out_puts(b, "<line x1=\"");
    num(b, x1);
    out_puts(b, "\" y1=\"");
    num(b, y1);
    out_puts(b, "\" x2=\"");
    num(b, x2);
    out_puts(b, "\" y2=\"");
    num(b, y2);
    out_puts(b, "\" ");
    out_puts(b, style);
    out_puts(b, "/>\n");
}

static void text(out_buf *b, double x, double y, const char *anchor, const char *extra)
{
    out_puts(b, "<text x=\"");
    num(b, x);
    out_puts(b, "\" y=\"");
    num(b, y);
    out_puts(b, "\" text-anchor=\"");
    out_puts(b, anchor);
    out_putc(b, '"');
    if (extra) {
        out_putc(b, ' ');
        out_puts(b, extra);
    }
    out_putc(b, '>');
}

static void x_tick(out_buf *b, const axis *a, uint64_t ps, bool label, bool grid)
{
    double x = xpos(a, ps);
    if (grid)
        line(b, x, PLOT_T, x, PLOT_T + PLOT_H, "stroke=\"#e0e0e0\"");
    line(b, x, PLOT_T + PLOT_H, x, PLOT_T + PLOT_H + (label ? 6 : 3), "stroke=\"#000\"");
    if (label) {
        text(b, x, PLOT_T + PLOT_H + 20, "middle", NULL);
        us_label(b, ps);
        out_puts(b, "</text>\n");
    }
}

static void axes(out_buf *b, const axis *a)
{
    /* y: 0 .. 1 every 0.1 */
    for (int i = 0; i <= 10; i++) {
        double y = ypos(i / 10.0);
        line(b, PLOT_L, y, PLOT_L + PLOT_W, y, "stroke=\"#e0e0e0\"");
        line(b, PLOT_L - 6, y, PLOT_L, y, "stroke=\"#000\"");
        text(b, PLOT_L - 10, y + 4, "end", NULL);
        out_fixed(b, i, 1);
        out_puts(b, "</text>\n");
    }
    if (a->log) {
        for (int k = a->dlo; k <= a->dhi; k++) {
            x_tick(b, a, p10(k), true, true);
            for (uint64_t m = 2; k < a->dhi && m < 10; m++)
                x_tick(b, a, m * p10(k), false, false);
        }
    } else {
        for (uint64_t v = a->lo; v <= a->hi; v += a->step) {
            x_tick(b, a, v, true, true);
            if (a->hi - v < a->step)
                break;
        }
    }
    out_puts(b, "<rect x=\"");
    num(b, PLOT_L);
    out_puts(b, "\" y=\"");
    num(b, PLOT_T);
    out_puts(b, "\" width=\"");
    num(b, PLOT_W);
    out_puts(b, "\" height=\"");
    num(b, PLOT_H);
    out_puts(b, "\" fill=\"none\" stroke=\"#000\"/>\n");
    text(b, PLOT_L + PLOT_W / 2, PLOT_T + PLOT_H + 45, "middle", NULL);
    out_puts(b, a->log ? "latency (us, log scale)" : "latency (us)");
    out_puts(b, "</text>\n");
    /* y label, rotated about its own position */
    double ly = PLOT_T + PLOT_H / 2;
    out_puts(b, "<text x=\"20\" y=\"");
    num(b, ly);
    out_puts(b, "\" text-anchor=\"middle\" transform=\"rotate(-90 20 ");
    num(b, ly);
    out_puts(b, ")\">fraction of interrupts with latency &lt;= x</text>\n");
}

/* ---- Curves -------------------------------------------------------------------------------- */

typedef struct curve_ctx {
    out_buf *b;
    const axis *a;
    uint64_t total, min, max, prev_cum;
    double last_x, last_y;
    bool any;
} curve_ctx;

static void point(curve_ctx *c, uint64_t ps, double frac)
{
    double x = xpos(c->a, ps), y = ypos(frac);
    if (c->any && x == c->last_x && y == c->last_y)
        return;
    if (c->any)
        out_putc(c->b, ' ');
    num(c->b, x);
    out_putc(c->b, ',');
    num(c->b, y);
    c->last_x = x;
    c->last_y = y;
    c->any = true;
}

static bool visit(void *ctx, uint64_t lo, uint64_t hi, uint64_t count, uint64_t cumulative)
{
    (void)count;
    curve_ctx *c = ctx;
    if (lo < c->min)
        lo = c->min;
    if (hi > c->max)
        hi = c->max;
    if (hi < lo)
        hi = lo;
    point(c, lo, (double)c->prev_cum / (double)c->total);
    point(c, hi, (double)cumulative / (double)c->total);
    c->prev_cum = cumulative;
    return true;
}

static void style_of(out_buf *b, size_t i)
{
    out_puts(b, "stroke=\"");
    out_puts(b, palette[i % 10]);
    out_puts(b, "\" stroke-width=\"1.5\"");
    const char *d = dashes[(i / 10) % 3];
    if (d) {
        out_puts(b, " stroke-dasharray=\"");
        out_puts(b, d);
        out_putc(b, '"');
    }
}

static void cdf_svg(out_buf *b, const char *title, const char *const *labels,
                    const gicsim_histogram *const *hists, size_t n)
{
    uint64_t lo = UINT64_MAX, hi = 0;
    bool any = false;
    for (size_t i = 0; i < n; i++) {
        if (gicsim_histogram_count(hists[i]) == 0)
            continue;
        any = true;
        uint64_t mn = gicsim_histogram_min(hists[i]), mx = gicsim_histogram_max(hists[i]);
        if (mn < lo)
            lo = mn;
        if (mx > hi)
            hi = mx;
    }
    axis a;
    axis_init(&a, any ? lo : 0, any ? hi : 0, any);

    out_puts(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"");
    out_u64(b, PAGE_W);
    out_puts(b, "\" height=\"");
    out_u64(b, PAGE_H);
    out_puts(b, "\" viewBox=\"0 0 ");
    out_u64(b, PAGE_W);
    out_putc(b, ' ');
    out_u64(b, PAGE_H);
    out_puts(b, "\" font-family=\"sans-serif\" font-size=\"12\">\n");
    out_puts(b, "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n");
    text(b, PLOT_L + PLOT_W / 2, 28, "middle", "font-size=\"15\"");
    out_xml(b, title ? title : "Interrupt latency CDF");
    out_puts(b, "</text>\n");
    axes(b, &a);

    for (size_t i = 0; i < n; i++) {
        uint64_t count = gicsim_histogram_count(hists[i]);
        if (count) {
            out_puts(b, "<polyline fill=\"none\" ");
            style_of(b, i);
            out_puts(b, " points=\"");
            curve_ctx c = {.b = b,
                           .a = &a,
                           .total = count,
                           .min = gicsim_histogram_min(hists[i]),
                           .max = gicsim_histogram_max(hists[i])};
            gicsim_histogram_foreach(hists[i], visit, &c);
            out_puts(b, "\"/>\n");
        }
        double y = PLOT_T + 10 + 20.0 * (double)i;
        out_puts(b, "<line x1=\"");
        num(b, LEGEND_X);
        out_puts(b, "\" y1=\"");
        num(b, y);
        out_puts(b, "\" x2=\"");
        num(b, LEGEND_X + 24);
        out_puts(b, "\" y2=\"");
        num(b, y);
        out_puts(b, "\" ");
        style_of(b, i);
        out_puts(b, "/>\n");
        text(b, LEGEND_X + 30, y + 4, "start", NULL);
        if (labels && labels[i]) {
            out_xml(b, labels[i]);
        } else {
            out_puts(b, "series ");
            out_u64(b, i);
        }
        if (count) {
            out_puts(b, " (n=");
            out_u64(b, count);
            out_puts(b, ")");
        } else {
            out_puts(b, " (no data)");
        }
        out_puts(b, "</text>\n");
    }
    out_puts(b, "</svg>\n");
}

gicsim_status gicsim_output_cdf_svg(const char *path, const char *title, const char *const *labels,
                                    const gicsim_histogram *const *hists, size_t n)
{
    if (!path || (n && !hists))
        return GICSIM_E_INVAL;
    for (size_t i = 0; i < n; i++)
        if (!hists[i])
            return GICSIM_E_INVAL;
    out_buf b = {0};
    cdf_svg(&b, title, labels, hists, n);
    if (b.oom) {
        out_buf_free(&b);
        return GICSIM_E_NOMEM;
    }
    FILE *f = fopen(path, "wb");
    gicsim_status rc = GICSIM_OK;
    if (!f)
        rc = GICSIM_E_IO;
    else if (!out_write(&b, f))
        rc = GICSIM_E_IO;
    if (f && fclose(f) != 0)
        rc = GICSIM_E_IO;
    out_buf_free(&b);
    return rc;
}

/* ---- The writer ---------------------------------------------------------------------------- */

typedef struct cdf_state {
    char *path;
} cdf_state;

static gicsim_status cdf_begin(void **state, gicsim_system *sys, const char *path,
                               const gicsim_output_info *info)
{
    (void)info;
    if (!state || !sys || !path)
        return GICSIM_E_INVAL;
    /* Fail before the run when the file cannot be created. */
    FILE *f = fopen(path, "wb");
    if (!f)
        return GICSIM_E_IO;
    fclose(f);
    cdf_state *st = calloc(1, sizeof *st);
    if (!st)
        return GICSIM_E_NOMEM;
    st->path = out_strdup(path);
    if (!st->path) {
        free(st);
        return GICSIM_E_NOMEM;
    }
    *state = st;
    return GICSIM_OK;
}

static gicsim_status cdf_end(void *state, gicsim_system *sys, const gicsim_output_info *info)
{
    cdf_state *st = state;
    if (!st)
        return GICSIM_E_INVAL;
    gicsim_status rc = GICSIM_E_INVAL;
    uint32_t n_src = sys ? gicsim_system_num_sources(sys) : 0;
    size_t n = (size_t)n_src + 1;
    const gicsim_histogram **hists = calloc(n, sizeof *hists);
    char **labels = calloc(n, sizeof *labels);
    out_buf title = {0};
    if (!sys) {
        rc = GICSIM_E_INVAL;
    } else if (!hists || !labels) {
        rc = GICSIM_E_NOMEM;
    } else {
        rc = GICSIM_OK;
        hists[0] = gicsim_system_latency(sys, UINT32_MAX);
        labels[0] = out_strdup("all sources");
        size_t k = 1;
        for (uint32_t s = 0; s < n_src; s++) {
            const gicsim_histogram *h = gicsim_system_latency(sys, s);
            if (!h)
                continue;
            char tmp[32];
            hists[k] = h;
            labels[k] = out_strdup(out_source_name(info, s, tmp));
            if (!labels[k])
                rc = GICSIM_E_NOMEM;
            k++;
        }
        if (!hists[0] || !labels[0])
            rc = hists[0] ? GICSIM_E_NOMEM : GICSIM_E_STATE;
        out_puts(&title, "Interrupt latency CDF");
        if (info && info->scenario) {
            out_puts(&title, ": ");
            out_puts(&title, info->scenario);
        }
        if (info && info->policy) {
            out_puts(&title, " (");
            out_puts(&title, info->policy);
            out_putc(&title, ')');
        }
        if (title.oom)
            rc = GICSIM_E_NOMEM;
        if (rc == GICSIM_OK)
            rc = gicsim_output_cdf_svg(st->path, title.p, (const char *const *)labels, hists, k);
    }
    for (size_t i = 0; labels && i < n; i++)
        free(labels[i]);
    free(labels);
    free(hists);
    out_buf_free(&title);
    free(st->path);
    free(st);
    return rc;
}

const gicsim_output_ops gicsim_output_cdf_ops = {
    .name = "cdf",
    .description = "latency CDF (overall and per source) as an SVG chart",
    .begin = cdf_begin,
    .end = cdf_end,
};
