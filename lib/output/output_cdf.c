/* gicsim: latency CDF charts as SVG (gicsim_output_cdf_svg) and the "cdf"
 * writer, which plots the run's overall and per-source latency.
 *
 * The chart has two panels by default: the CDF (x: latency in us,
 * logarithmic when the largest value exceeds 100 times the smallest; y: 0
 * to 1) and the tail view, 1 - CDF on a logarithmic y axis down to 1/n,
 * where the rare slow interrupts show. Each curve is a polyline through
 * its histogram's buckets (a step from each bucket's low to high end) in
 * the shared chart style (svg.h), with markers where it crosses the 50th,
 * 90th and 99th percentiles; the legend sits inside the CDF panel. */
#include "svg.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* One curve: page coordinates of the CDF and of the tail (the same x; the
 * tail's y is NaN where 1 - CDF is 0). */
typedef struct curve {
    svg_points cdf, tail;
} curve;

typedef struct curve_ctx {
    curve *c;
    const svg_axis *x, *y, *ty;
    uint64_t total, min, max, prev_cum;
} curve_ctx;

static void curve_push(curve_ctx *k, uint64_t ps, uint64_t cum)
{
    curve *c = k->c;
    double f = (double)cum / (double)k->total;
    double px = svg_pos(k->x, (double)ps / 1e6), py = svg_pos(k->y, f);
    double pt = cum < k->total ? svg_pos(k->ty, 1.0 - f) : NAN;
    size_t n = c->cdf.n;
    /* consecutive points that coincide on the page are dropped */
    if (n && px == c->cdf.x[n - 1] && py == c->cdf.y[n - 1] &&
        (pt == c->tail.y[n - 1] || (isnan(pt) && isnan(c->tail.y[n - 1]))))
        return;
    svg_points_push(&c->cdf, px, py);
    svg_points_push(&c->tail, px, pt);
}

static bool visit(void *ctx, uint64_t lo, uint64_t hi, uint64_t count, uint64_t cumulative)
{
    (void)count;
    curve_ctx *k = ctx;
    if (lo < k->min)
        lo = k->min;
    if (hi > k->max)
        hi = k->max;
    if (hi < lo)
        hi = lo;
    curve_push(k, lo, k->prev_cum);
    curve_push(k, hi, cumulative);
    k->prev_cum = cumulative;
    return true;
}

static void curve_free(curve *c)
{
    svg_points_free(&c->cdf);
    svg_points_free(&c->tail);
}

/* A marker where the polyline (px, py) first reaches page height `at`
 * (interpolated along its segment), going up the page (`rising`: a CDF)
 * or down (a tail). */
static void marker_at(svg_chart *ch, const svg_style *s, const double *px, const double *py,
                      size_t n, double at, bool rising)
{
    for (size_t i = 0; i < n; i++) {
        if (isnan(py[i]))
            break;
        /* page y grows downwards */
        if (rising ? py[i] > at + 1e-9 : py[i] < at - 1e-9)
            continue;
        double x = px[i];
        if (i > 0 && !isnan(py[i - 1]) && py[i - 1] != py[i])
            x = px[i - 1] + (px[i] - px[i - 1]) * (at - py[i - 1]) / (py[i] - py[i - 1]);
        svg_marker(ch, s, x, at);
        return;
    }
}

/* The longest prefix of the tail curve with values (1 - CDF > 0). */
static size_t tail_len(const curve *c)
{
    size_t n = 0;
    while (n < c->tail.n && !isnan(c->tail.y[n]))
        n++;
    return n;
}

static void cdf_svg(out_buf *b, const char *title, const char *const *labels,
                    const gicsim_histogram *const *hists, size_t n, gicsim_cdf_view view,
                    const gicsim_plot_style *style)
{
    uint64_t lo = UINT64_MAX, hi = 0, most = 1;
    bool any = false;
    for (size_t i = 0; i < n; i++) {
        uint64_t cnt = gicsim_histogram_count(hists[i]);
        if (cnt == 0)
            continue;
        any = true;
        uint64_t mn = gicsim_histogram_min(hists[i]), mx = gicsim_histogram_max(hists[i]);
        if (mn < lo)
            lo = mn;
        if (mx > hi)
            hi = mx;
        if (cnt > most)
            most = cnt;
    }
    double lo_us = any ? (double)lo / 1e6 : 0, hi_us = any ? (double)hi / 1e6 : 1;
    bool xlog = any && (double)hi > 100.0 * (double)(lo ? lo : 1);
    if (xlog && lo_us <= 0)
        lo_us = 1e-6;
    bool both = view == GICSIM_CDF_VIEW_BOTH;
    bool show_cdf = view != GICSIM_CDF_VIEW_TAIL, show_tail = view != GICSIM_CDF_VIEW_CDF;
    svg_chart ch;
    svg_begin(&ch, b, style, both ? 960 : 620, 440, title ? title : "Interrupt latency CDF");
    svg_panel pc = svg_layout(&ch, 0, both ? 2 : 1),
              pt = svg_layout(&ch, both ? 1 : 0, both ? 2 : 1);
    svg_axis xa, xt, ya, yt;
    svg_axis_numeric(&xa, lo_us, hi_us, xlog, false);
    xt = xa;
    svg_axis_place(&xa, pc.x, pc.x + pc.w);
    svg_axis_place(&xt, pt.x, pt.x + pt.w);
    svg_axis_fixed(&ya, 0, 1, 0.1);
    svg_axis_place(&ya, pc.y + pc.h, pc.y);
    /* the tail down to 1/n of the largest histogram, whole decades */
    int dlo = -(int)ceil(log10((double)most) - 1e-9);
    svg_axis_decades(&yt, dlo < 0 ? dlo : -1, 0);
    svg_axis_place(&yt, pt.y + pt.h, pt.y);
    const char *xtitle = xlog ? "latency (us, log scale)" : "latency (us)";
    if (show_cdf)
        svg_frame(&ch, &pc, &xa, &ya, xtitle, "fraction of interrupts with latency <= x");
    if (show_tail)
        svg_frame(&ch, &pt, &xt, &yt, xtitle, "fraction with latency > x (1 - CDF, log scale)");

    curve *cv = calloc(n ? n : 1, sizeof *cv);
    svg_style *styles = calloc(n ? n : 1, sizeof *styles);
    char **legend = calloc(n ? n : 1, sizeof *legend);
    svg_points occ = {0};
    if (!cv || !styles || !legend) {
        b->oom = true;
        n = 0;
    }
    for (size_t i = 0; i < n; i++) {
        svg_style_of(i, &styles[i]);
        uint64_t count = gicsim_histogram_count(hists[i]);
        if (count) {
            curve_ctx k = {.c = &cv[i],
                           .x = &xa,
                           .y = &ya,
                           .ty = &yt,
                           .total = count,
                           .min = gicsim_histogram_min(hists[i]),
                           .max = gicsim_histogram_max(hists[i])};
            gicsim_histogram_foreach(hists[i], visit, &k);
            if (cv[i].cdf.oom || cv[i].tail.oom)
                b->oom = true;
        }
        out_buf lb = {0};
        if (labels && labels[i]) {
            out_puts(&lb, labels[i]);
        } else {
            out_puts(&lb, "series ");
            out_u64(&lb, i);
        }
        if (count) {
            out_puts(&lb, " (n=");
            out_u64(&lb, count);
            out_putc(&lb, ')');
        } else {
            out_puts(&lb, " (no data)");
        }
        if (lb.oom)
            b->oom = true;
        legend[i] = lb.p;
    }
    /* The tail panel's x coordinates are the CDF panel's, shifted. */
    double shift = pt.x - pc.x;
    static const double quantiles[3] = {0.5, 0.9, 0.99};
    for (size_t i = 0; i < n; i++) {
        curve *c = &cv[i];
        if (!c->cdf.n || c->cdf.oom || c->tail.oom)
            continue;
        if (show_cdf) {
            svg_polyline(&ch, &styles[i], c->cdf.x, c->cdf.y, c->cdf.n);
            svg_points_add_line(&occ, c->cdf.x, c->cdf.y, c->cdf.n);
            for (size_t q = 0; q < 3; q++)
                marker_at(&ch, &styles[i], c->cdf.x, c->cdf.y, c->cdf.n, svg_pos(&ya, quantiles[q]),
                          true);
        }
        size_t m = tail_len(c);
        if (show_tail && m) {
            for (size_t k = 0; k < c->tail.n; k++)
                c->tail.x[k] += shift;
            /* where 1 - CDF reaches 0 the curve drops off the axis */
            if (m < c->tail.n)
                c->tail.y[m++] = pt.y + pt.h;
            svg_polyline(&ch, &styles[i], c->tail.x, c->tail.y, m);
            if (!show_cdf)
                svg_points_add_line(&occ, c->tail.x, c->tail.y, m);
            for (size_t q = 0; q < 3; q++)
                marker_at(&ch, &styles[i], c->tail.x, c->tail.y, m, svg_pos(&yt, 1 - quantiles[q]),
                          false);
        }
    }
    if (occ.oom)
        b->oom = true;
    for (size_t i = 0; i < n; i++)
        if (!legend[i])
            legend[i] = out_strdup("");
    svg_legend(&ch, show_cdf ? &pc : &pt, (const char *const *)legend, styles, n, &occ);
    svg_end(&ch);
    for (size_t i = 0; i < n; i++) {
        curve_free(&cv[i]);
        free(legend[i]);
    }
    free(cv);
    free(styles);
    free(legend);
    svg_points_free(&occ);
}

gicsim_status gicsim_output_cdf_svg_styled(const char *path, const char *title,
                                           const char *const *labels,
                                           const gicsim_histogram *const *hists, size_t n,
                                           gicsim_cdf_view view, const gicsim_plot_style *style)
{
    if (!path || (n && !hists) || view < GICSIM_CDF_VIEW_BOTH || view > GICSIM_CDF_VIEW_TAIL)
        return GICSIM_E_INVAL;
    for (size_t i = 0; i < n; i++)
        if (!hists[i])
            return GICSIM_E_INVAL;
    out_buf b = {0};
    cdf_svg(&b, title, labels, hists, n, view, style);
    gicsim_status rc = svg_write(path, &b);
    out_buf_free(&b);
    return rc;
}

gicsim_status gicsim_output_cdf_svg(const char *path, const char *title, const char *const *labels,
                                    const gicsim_histogram *const *hists, size_t n)
{
    return gicsim_output_cdf_svg_styled(path, title, labels, hists, n, GICSIM_CDF_VIEW_BOTH, NULL);
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
