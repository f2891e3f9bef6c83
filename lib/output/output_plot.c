/* gicsim: line charts as SVG (gicsim_output_lines_svg): lines with
 * confidence bands, in the shared chart style (svg.h). `gicsim plot` draws a
 * sweep's summary with it (sim/cmd_plot.c). */
#include "svg.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A series' usable points in data units: finite, and above 0 on a log axis. */
typedef struct pts {
    double *x, *y, *lo, *hi;
    size_t n;
} pts;

static bool usable(const gicsim_line_chart *c, double x, double y)
{
    return isfinite(x) && isfinite(y) && !(c->log_x && x <= 0) && !(c->log_y && y <= 0);
}

/* The lines' points on the page (what the legend must not hide) into occ,
 * emptied first; px, py: room for the longest series. */
static void line_points(const pts *sv, size_t n, const svg_axis *xa, const svg_axis *ya, double *px,
                        double *py, svg_points *occ)
{
    occ->n = 0;
    for (size_t s = 0; s < n; s++) {
        for (size_t k = 0; k < sv[s].n; k++) {
            px[k] = svg_pos(xa, sv[s].x[k]);
            py[k] = svg_pos(ya, sv[s].y[k]);
        }
        svg_points_add_line(occ, px, py, sv[s].n);
    }
}

static void chart(out_buf *b, const gicsim_line_chart *c, pts *sv, size_t most)
{
    size_t n = c->n_series;
    /* A quantity that is never negative (every y >= 0: latencies, counts,
     * shares) keeps its bands above 0 too. */
    bool nonneg = true;
    for (size_t s = 0; s < n; s++)
        for (size_t k = 0; k < sv[s].n; k++)
            nonneg = nonneg && sv[s].y[k] >= 0;
    double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
    for (size_t s = 0; s < n; s++)
        for (size_t k = 0; k < sv[s].n; k++) {
            if (nonneg)
                sv[s].lo[k] = fmax(sv[s].lo[k], 0);
            double lo = c->log_y && sv[s].lo[k] <= 0 ? sv[s].y[k] : sv[s].lo[k];
            xlo = fmin(xlo, sv[s].x[k]);
            xhi = fmax(xhi, sv[s].x[k]);
            ylo = fmin(ylo, lo);
            yhi = fmax(yhi, sv[s].hi[k]);
        }
    if (!(xlo <= xhi)) { /* no point at all: empty axes */
        xlo = c->log_x ? 1 : 0;
        xhi = c->log_x ? 10 : 1;
        ylo = c->log_y ? 1 : 0;
        yhi = c->log_y ? 10 : 1;
    }
    svg_chart ch;
    svg_begin(&ch, b, &c->style, 640, 440, c->title);
    svg_panel pn = svg_layout(&ch, 0, 1);
    svg_axis xa, ya;
    if (c->x_categories)
        svg_axis_categories(&xa, c->x_categories, c->n_categories);
    else
        svg_axis_numeric(&xa, xlo, xhi, c->log_x, false);
    svg_axis_numeric(&ya, ylo, yhi, c->log_y, true);
    svg_axis_place(&xa, pn.x, pn.x + pn.w);
    svg_axis_place(&ya, pn.y + pn.h, pn.y);
    svg_style *styles = calloc(n ? n : 1, sizeof *styles);
    char **labels = calloc(n ? n : 1, sizeof *labels);
    double *px = calloc(most ? most : 1, sizeof *px), *py = calloc(most ? most : 1, sizeof *py);
    double *plo = calloc(most ? most : 1, sizeof *plo), *phi = calloc(most ? most : 1, sizeof *phi);
    svg_points occ = {0};
    if (!styles || !labels || !px || !py || !plo || !phi) {
        b->oom = true;
        n = 0;
    }
    for (size_t s = 0; s < n; s++) {
        const gicsim_plot_series *e = &c->series[s];
        svg_style_mix(e->colour, e->colour, e->dash, s, &styles[s]);
        out_buf lb = {0};
        if (e->label) {
            out_puts(&lb, e->label);
        } else {
            out_puts(&lb, "series ");
            out_u64(&lb, s);
        }
        labels[s] = lb.oom ? NULL : lb.p;
        if (!labels[s] && !(labels[s] = out_strdup("")))
            b->oom = true;
    }
    /* The legend goes where no line is; when every place has one, the y
     * axis grows by the legend's height, which leaves its top free. */
    double lw, lh, lx, ly;
    svg_legend_size(&ch, (const char *const *)labels, n, &lw, &lh);
    line_points(sv, n, &xa, &ya, px, py, &occ);
    double room = pn.h - lh - 12;
    if (n && svg_legend_spot(&pn, lw, lh, &occ, &lx, &ly) && room > pn.h / 3) {
        double grow = pn.h / room;
        if (c->log_y)
            yhi = pow(10, log10(ya.lo) + (log10(yhi) - log10(ya.lo)) * grow);
        else
            yhi = ya.lo + (yhi - ya.lo) * grow;
        svg_axis_numeric(&ya, ylo, yhi, c->log_y, true);
        svg_axis_place(&ya, pn.y + pn.h, pn.y);
        line_points(sv, n, &xa, &ya, px, py, &occ);
    }
    svg_frame(&ch, &pn, &xa, &ya, c->x_label, c->y_label);
    /* Bands under every line, then the lines in order, thinner on top. */
    for (size_t s = 0; s < n; s++) {
        const pts *e = &sv[s];
        bool any = false;
        for (size_t k = 0; k < e->n; k++) {
            px[k] = svg_pos(&xa, e->x[k]);
            plo[k] = svg_pos(&ya, c->log_y && e->lo[k] <= 0 ? ya.lo : e->lo[k]);
            phi[k] = svg_pos(&ya, e->hi[k]);
            any = any || e->hi[k] > e->lo[k];
        }
        if (!any)
            continue;
        if (e->n > 1) {
            svg_band(&ch, &styles[s], px, plo, phi, e->n);
        } else { /* one point: an error bar */
            double x2[2] = {px[0], px[0]}, y2[2] = {plo[0], phi[0]};
            svg_polyline(&ch, &styles[s], x2, y2, 2);
        }
    }
    for (size_t s = 0; s < n; s++) {
        const pts *e = &sv[s];
        for (size_t k = 0; k < e->n; k++) {
            px[k] = svg_pos(&xa, e->x[k]);
            py[k] = svg_pos(&ya, e->y[k]);
        }
        svg_polyline(&ch, &styles[s], px, py, e->n);
        for (size_t k = 0; k < e->n; k++)
            svg_marker(&ch, &styles[s], px[k], py[k]);
    }
    if (occ.oom)
        b->oom = true;
    svg_legend(&ch, &pn, (const char *const *)labels, styles, n, &occ);
    svg_end(&ch);
    svg_points_free(&occ);
    for (size_t s = 0; labels && s < n; s++)
        free(labels[s]);
    free(styles);
    free(labels);
    free(px);
    free(py);
    free(plo);
    free(phi);
}

gicsim_status gicsim_output_lines_svg(const char *path, const gicsim_line_chart *c)
{
    if (!path || !c || (c->n_series && !c->series) || (c->n_categories && !c->x_categories))
        return GICSIM_E_INVAL;
    for (size_t s = 0; s < c->n_series; s++) {
        const gicsim_plot_series *e = &c->series[s];
        if (e->n && (!e->x || !e->y || !e->lo != !e->hi))
            return GICSIM_E_INVAL;
        for (size_t k = 0; c->x_categories && k < e->n; k++)
            if (!(e->x[k] >= 0 && e->x[k] < (double)c->n_categories))
                return GICSIM_E_INVAL;
    }
    /* The usable points, with their bands (none: the point itself). */
    pts *sv = calloc(c->n_series ? c->n_series : 1, sizeof *sv);
    gicsim_status st = sv ? GICSIM_OK : GICSIM_E_NOMEM;
    size_t most = 0;
    for (size_t s = 0; st == GICSIM_OK && s < c->n_series; s++) {
        const gicsim_plot_series *e = &c->series[s];
        size_t m = e->n ? e->n : 1;
        pts *p = &sv[s];
        if (!(p->x = malloc(m * sizeof *p->x)) || !(p->y = malloc(m * sizeof *p->y)) ||
            !(p->lo = malloc(m * sizeof *p->lo)) || !(p->hi = malloc(m * sizeof *p->hi))) {
            st = GICSIM_E_NOMEM;
            break;
        }
        for (size_t k = 0; k < e->n; k++) {
            if (!usable(c, e->x[k], e->y[k]))
                continue;
            bool band = e->lo && isfinite(e->lo[k]) && isfinite(e->hi[k]);
            p->x[p->n] = e->x[k];
            p->y[p->n] = e->y[k];
            p->lo[p->n] = band ? fmin(e->lo[k], e->y[k]) : e->y[k];
            p->hi[p->n] = band ? fmax(e->hi[k], e->y[k]) : e->y[k];
            p->n++;
        }
        if (p->n > most)
            most = p->n;
    }
    out_buf b = {0};
    if (st == GICSIM_OK) {
        chart(&b, c, sv, most);
        st = svg_write(path, &b);
    }
    out_buf_free(&b);
    for (size_t s = 0; sv && s < c->n_series; s++) {
        free(sv[s].x);
        free(sv[s].y);
        free(sv[s].lo);
        free(sv[s].hi);
    }
    free(sv);
    return st;
}
