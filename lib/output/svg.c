/* gicsim: the SVG charts' common parts (svg.h). */
#include "svg.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- Axes ------------------------------------------------------------------------------ */

/* 10^e for small integer e. */
static double p10(int e)
{
    double v = 1;
    for (int i = 0; i < e; i++)
        v *= 10;
    for (int i = 0; i > e; i--)
        v /= 10;
    return v;
}

/* floor(log10(v)) with a little tolerance, so 1000 gives 3, not 2.9999. */
static int ilog10(double v)
{
    return (int)floor(log10(v) + 1e-9);
}

/* The smallest 1, 2, 2.5 or 5 x 10^k at least `raw` (> 0). */
static double nice_step(double raw)
{
    int e = ilog10(raw);
    double f = raw / p10(e);
    double m = f <= 1 + 1e-9     ? 1
               : f <= 2 + 1e-9   ? 2
               : f <= 2.5 + 1e-9 ? 2.5
               : f <= 5 + 1e-9   ? 5
                                 : 10;
    return m * p10(e);
}

/* The decimals that write v (> 0) exactly: 0.25 -> 2, 2500 -> 0. */
static int decimals_of(double v)
{
    for (int d = 0; d < 9; d++) {
        double x = v * p10(d);
        if (fabs(x - round(x)) < 1e-6 * (x > 1 ? x : 1))
            return d;
    }
    return 9;
}

static void add_tick(svg_axis *a, double v, bool major)
{
    if (a->n_ticks == SVG_MAX_TICKS)
        return;
    a->tick[a->n_ticks] = v;
    a->major[a->n_ticks] = major;
    a->n_ticks++;
}

void svg_axis_fixed(svg_axis *a, double lo, double hi, double step)
{
    memset(a, 0, sizeof *a);
    a->lo = lo;
    a->hi = hi;
    a->step = step;
    long n = lround((hi - lo) / step);
    for (long i = 0; i <= n; i++)
        add_tick(a, lo + (double)i * step, true);
}

void svg_axis_decades(svg_axis *a, int dlo, int dhi)
{
    memset(a, 0, sizeof *a);
    a->log = true;
    a->lo = p10(dlo);
    a->hi = p10(dhi);
    bool labels_all = dhi - dlo <= 1;
    for (int k = dlo; k <= dhi; k++) {
        add_tick(a, p10(k), true);
        for (int m = 2; k < dhi && m < 10; m++)
            add_tick(a, m * p10(k), labels_all && (m == 2 || m == 5));
    }
}

/* The 1-2-5 values: index i -> {1, 2, 5}[i mod 3] x 10^(i div 3). */
static double seq125(int i)
{
    static const double m[3] = {1, 2, 5};
    int d = i >= 0 ? i / 3 : -((-i + 2) / 3);
    return m[i - 3 * d] * p10(d);
}

/* The index of the largest 1-2-5 value <= v (> 0). */
static int seq125_floor(double v)
{
    int i = 3 * ilog10(v);
    while (seq125(i + 1) <= v * (1 + 1e-9))
        i++;
    while (seq125(i) > v * (1 + 1e-9))
        i--;
    return i;
}

void svg_axis_numeric(svg_axis *a, double lo, double hi, bool log, bool zero)
{
    memset(a, 0, sizeof *a);
    if (!(lo <= hi)) { /* NaN or reversed: a unit axis */
        lo = 0;
        hi = 1;
    }
    if (log) {
        if (!(lo > 0))
            lo = hi > 0 ? hi / 10 : 1;
        if (!(hi > 0))
            hi = lo * 10;
        if (hi / lo > 100 * (1 + 1e-9)) {
            int dlo = ilog10(lo), dhi = ilog10(hi);
            if (p10(dhi) < hi * (1 - 1e-9))
                dhi++;
            if (dhi <= dlo)
                dhi = dlo + 1;
            svg_axis_decades(a, dlo, dhi);
            return;
        }
        int ilo = seq125_floor(lo), ihi = seq125_floor(hi);
        if (seq125(ihi) < hi * (1 - 1e-9))
            ihi++;
        if (ihi <= ilo)
            ihi = ilo + 1;
        a->log = true;
        a->lo = seq125(ilo);
        a->hi = seq125(ihi);
        for (int i = ilo; i <= ihi; i++) {
            add_tick(a, seq125(i), true);
            /* minor ticks at the other whole multiples of the decade */
            int d = ilog10(seq125(i));
            for (int m = 1; i < ihi && m < 10; m++) {
                double v = m * p10(d);
                if (v > seq125(i) * (1 + 1e-9) && v < seq125(i + 1) * (1 - 1e-9))
                    add_tick(a, v, false);
            }
        }
        return;
    }
    if (zero && lo >= 0)
        lo = 0;
    if (hi - lo < 1e-12 * (fabs(hi) + fabs(lo)) || hi == lo) {
        double w = hi != 0 ? fabs(hi) * 0.1 : 1;
        lo = lo - w;
        hi = hi + w;
        if (zero && lo < 0 && hi - w >= 0)
            lo = 0;
    }
    double step = nice_step((hi - lo) / 5);
    double k0 = floor(lo / step + 1e-9), k1 = ceil(hi / step - 1e-9);
    if (k1 <= k0)
        k1 = k0 + 1;
    a->step = step;
    a->lo = k0 * step;
    a->hi = k1 * step;
    for (double k = k0; k <= k1 + 0.5; k++)
        add_tick(a, k * step, true);
}

void svg_axis_categories(svg_axis *a, const char *const *names, size_t n)
{
    memset(a, 0, sizeof *a);
    a->lo = -0.5;
    a->hi = (double)n - 0.5;
    a->step = 1;
    a->categories = names;
    a->n_categories = n;
    for (size_t i = 0; i < n; i++)
        add_tick(a, (double)i, true);
}

void svg_axis_place(svg_axis *a, double p0, double p1)
{
    a->p0 = p0;
    a->p1 = p1;
}

double svg_pos(const svg_axis *a, double v)
{
    double f;
    if (a->log)
        f = v > 0 ? (log10(v) - log10(a->lo)) / (log10(a->hi) - log10(a->lo)) : 0;
    else
        f = (v - a->lo) / (a->hi - a->lo);
    if (!(f > 0))
        f = 0;
    if (f > 1)
        f = 1;
    return a->p0 + f * (a->p1 - a->p0);
}

/* ---- Text and numbers ------------------------------------------------------------------ */

void svg_num(out_buf *b, double v)
{
    out_double(b, v, 2);
}

/* v with `decimals` digits, trailing zeros (and a bare point) dropped. */
static void trimmed(out_buf *b, double v, int decimals)
{
    out_buf t = {0};
    out_double(&t, v, decimals < 0 ? 0 : (unsigned)decimals);
    if (t.oom) {
        b->oom = true;
        out_buf_free(&t);
        return;
    }
    size_t n = t.len;
    if (memchr(t.p, '.', n)) {
        while (n > 0 && t.p[n - 1] == '0')
            n--;
        if (n > 0 && t.p[n - 1] == '.')
            n--;
    }
    if (n == 2 && !memcmp(t.p, "-0", 2))
        out_putc(b, '0');
    else
        out_put(b, t.p, n);
    out_buf_free(&t);
}

/* A tick label: SI prefixes (k, M, G, T) from 10^4 on. */
static void tick_label(out_buf *b, const svg_axis *a, double v)
{
    static const char *const si[] = {"", "k", "M", "G", "T"};
    if (fabs(v) < 1e-12 * (fabs(a->hi) + fabs(a->lo))) { /* 0, whatever the prefix */
        out_putc(b, '0');
        return;
    }
    int k = 0;
    double div = 1;
    /* one prefix for a whole linear axis, one per tick on a log axis */
    double mag = a->log ? fabs(v) : fabs(v) > fabs(a->hi) ? fabs(v) : fabs(a->hi);
    if (mag >= 1e4 * (1 - 1e-9))
        while (k < 4 && mag / (div * 1000) >= 1 - 1e-9) {
            div *= 1000;
            k++;
        }
    double unit = a->log ? fabs(v) : a->step;
    trimmed(b, v / div, unit > 0 ? decimals_of(unit / div) : 0);
    out_puts(b, si[k]);
}

/* A decade of a log axis below 10^-3 or from 10^6 on: written 10^e (with
 * a superscript) rather than in long digits. */
static bool power_of_ten(const svg_axis *a, double v, int *e)
{
    if (!a->log || v <= 0)
        return false;
    *e = (int)lround(log10(v));
    return fabs(v / p10(*e) - 1) < 1e-9 && (*e < -3 || *e >= 6);
}

/* "<text x=.. y=.. text-anchor=..", the tag still open. */
static void text_open(out_buf *b, double x, double y, const char *anchor)
{
    out_puts(b, "<text x=\"");
    svg_num(b, x);
    out_puts(b, "\" y=\"");
    svg_num(b, y);
    out_puts(b, "\" text-anchor=\"");
    out_puts(b, anchor);
    out_putc(b, '"');
}

static void decade_label(svg_chart *c, double x, double y, const char *anchor, int e)
{
    text_open(c->b, x, y, anchor);
    out_puts(c->b, ">10<tspan dy=\"-0.45em\" font-size=\"75%\">");
    out_i64(c->b, e);
    out_puts(c->b, "</tspan></text>\n");
}

void svg_text(svg_chart *c, double x, double y, const char *anchor, double size, const char *s)
{
    out_buf *b = c->b;
    text_open(b, x, y, anchor);
    if (size > 0) {
        out_puts(b, " font-size=\"");
        svg_num(b, size);
        out_putc(b, '"');
    }
    out_putc(b, '>');
    out_xml(b, s);
    out_puts(b, "</text>\n");
}

static void line(out_buf *b, double x1, double y1, double x2, double y2, const char *style)
{
    out_puts(b, "<line x1=\"");
    svg_num(b, x1);
    out_puts(b, "\" y1=\"");
    svg_num(b, y1);
    out_puts(b, "\" x2=\"");
    svg_num(b, x2);
    out_puts(b, "\" y2=\"");
    svg_num(b, y2);
    out_puts(b, "\" ");
    out_puts(b, style);
    out_puts(b, "/>\n");
}

/* ---- The page ---------------------------------------------------------------------------- */

void svg_begin(svg_chart *c, out_buf *b, const gicsim_plot_style *style, unsigned def_w,
               unsigned def_h, const char *title)
{
    unsigned w = style && style->width ? style->width : def_w;
    unsigned h = style && style->height ? style->height : def_h;
    unsigned f = style && style->font_size ? style->font_size : 13;
    c->b = b;
    c->width = w;
    c->height = h;
    c->font = f;
    c->title = title && *title;
    out_puts(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"");
    out_u64(b, w);
    out_puts(b, "\" height=\"");
    out_u64(b, h);
    out_puts(b, "\" viewBox=\"0 0 ");
    out_u64(b, w);
    out_putc(b, ' ');
    out_u64(b, h);
    out_puts(b, "\" font-family=\"sans-serif\" font-size=\"");
    out_u64(b, f);
    out_puts(b, "\">\n<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n");
    if (c->title)
        svg_text(c, c->width / 2, 1.6 * c->font, "middle", 1.15 * c->font, title);
}

void svg_end(svg_chart *c)
{
    out_puts(c->b, "</svg>\n");
}

svg_panel svg_layout(const svg_chart *c, size_t k, size_t n)
{
    double f = c->font;
    double col = c->width / (double)(n ? n : 1);
    double left = 5.4 * f, right = 1.2 * f, top = c->title ? 2.8 * f : 1.2 * f, bottom = 3.6 * f;
    svg_panel p = {col * (double)k + left, top, col - left - right, c->height - top - bottom};
    if (p.w < 10)
        p.w = 10;
    if (p.h < 10)
        p.h = 10;
    return p;
}

void svg_frame(svg_chart *c, const svg_panel *p, const svg_axis *x, const svg_axis *y,
               const char *x_title, const char *y_title)
{
    out_buf *b = c->b;
    double f = c->font;
    out_buf lab = {0};
    for (size_t i = 0; i < y->n_ticks; i++) {
        double py = svg_pos(y, y->tick[i]);
        if (y->major[i])
            line(b, p->x, py, p->x + p->w, py, "stroke=\"#e3e3e3\"");
        line(b, p->x - (y->major[i] ? 5 : 3), py, p->x, py, "stroke=\"#000\"");
        if (!y->major[i])
            continue;
        int e;
        if (power_of_ten(y, y->tick[i], &e)) {
            decade_label(c, p->x - 8, py + 0.35 * f, "end", e);
            continue;
        }
        out_buf_reset(&lab);
        tick_label(&lab, y, y->tick[i]);
        svg_text(c, p->x - 8, py + 0.35 * f, "end", 0, lab.p ? lab.p : "");
    }
    for (size_t i = 0; i < x->n_ticks; i++) {
        double px = svg_pos(x, x->tick[i]);
        if (x->major[i])
            line(b, px, p->y, px, p->y + p->h, "stroke=\"#e3e3e3\"");
        line(b, px, p->y + p->h, px, p->y + p->h + (x->major[i] ? 5 : 3), "stroke=\"#000\"");
        if (!x->major[i])
            continue;
        int e;
        if (power_of_ten(x, x->tick[i], &e)) {
            decade_label(c, px, p->y + p->h + 1.35 * f, "middle", e);
            continue;
        }
        out_buf_reset(&lab);
        if (x->categories)
            out_puts(&lab, x->categories[(size_t)x->tick[i]]);
        else
            tick_label(&lab, x, x->tick[i]);
        svg_text(c, px, p->y + p->h + 1.35 * f, "middle", 0, lab.p ? lab.p : "");
    }
    if (lab.oom)
        b->oom = true;
    out_buf_free(&lab);
    out_puts(b, "<rect x=\"");
    svg_num(b, p->x);
    out_puts(b, "\" y=\"");
    svg_num(b, p->y);
    out_puts(b, "\" width=\"");
    svg_num(b, p->w);
    out_puts(b, "\" height=\"");
    svg_num(b, p->h);
    out_puts(b, "\" fill=\"none\" stroke=\"#000\"/>\n");
    if (x_title)
        svg_text(c, p->x + p->w / 2, p->y + p->h + 2.8 * f, "middle", 0, x_title);
    if (y_title) {
        double tx = p->x - 4.3 * f, ty = p->y + p->h / 2;
        text_open(b, tx, ty, "middle");
        out_puts(b, " transform=\"rotate(-90 ");
        svg_num(b, tx);
        out_putc(b, ' ');
        svg_num(b, ty);
        out_puts(b, ")\">");
        out_xml(b, y_title);
        out_puts(b, "</text>\n");
    }
}

/* ---- Series ------------------------------------------------------------------------------ */

/* Okabe & Ito's colour-blind-safe palette, yellow last (weak on white). */
static const char *const palette[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                      "#E69F00", "#56B4E9", "#000000", "#F0E442"};
static const char *const dashes[] = {NULL, "8,3", "2,2", "8,3,2,3", "5,5", "1,3"};
#define N_PALETTE (sizeof palette / sizeof palette[0])
#define N_DASHES (sizeof dashes / sizeof dashes[0])
#define N_MARKERS 7u

void svg_style_mix(size_t colour, size_t marker, size_t dash, size_t order, svg_style *s)
{
    double k = (double)(order < 5 ? order : 5);
    s->color = palette[colour % N_PALETTE];
    s->dash = dashes[dash % N_DASHES];
    s->marker = (unsigned)(marker % N_MARKERS);
    s->width = 3.2 - 0.45 * k;
    s->marker_r = 5.4 - 0.45 * k;
}

void svg_style_of(size_t i, svg_style *s)
{
    svg_style_mix(i, i, i, i, s);
}

static void stroke(out_buf *b, const svg_style *s, double width)
{
    out_puts(b, "stroke=\"");
    out_puts(b, s->color);
    out_puts(b, "\" stroke-width=\"");
    svg_num(b, width);
    out_putc(b, '"');
}

static void points_attr(out_buf *b, const double *px, const double *py, size_t n)
{
    out_puts(b, " points=\"");
    for (size_t i = 0; i < n; i++) {
        if (i)
            out_putc(b, ' ');
        svg_num(b, px[i]);
        out_putc(b, ',');
        svg_num(b, py[i]);
    }
    out_putc(b, '"');
}

/* A series' stroke: colour, width and dash pattern. */
static void line_style(out_buf *b, const svg_style *s)
{
    stroke(b, s, s->width);
    if (s->dash) {
        out_puts(b, " stroke-dasharray=\"");
        out_puts(b, s->dash);
        out_putc(b, '"');
    }
}

void svg_polyline(svg_chart *c, const svg_style *s, const double *px, const double *py, size_t n)
{
    out_buf *b = c->b;
    if (n == 0)
        return;
    out_puts(b, "<polyline fill=\"none\" ");
    line_style(b, s);
    out_puts(b, " stroke-linejoin=\"round\"");
    points_attr(b, px, py, n);
    out_puts(b, "/>\n");
}

static void polygon(out_buf *b, const svg_style *s, const double *dx, const double *dy, size_t n,
                    double x, double y, double r)
{
    double px[8], py[8];
    for (size_t i = 0; i < n; i++) {
        px[i] = x + dx[i] * r;
        py[i] = y + dy[i] * r;
    }
    out_puts(b, "<polygon fill=\"none\" ");
    stroke(b, s, 1.4);
    points_attr(b, px, py, n);
    out_puts(b, "/>\n");
}

/* One step of a path: "M x y" or "L x y". */
static void path_to(out_buf *b, char cmd, double x, double y)
{
    out_putc(b, cmd);
    svg_num(b, x);
    out_putc(b, ' ');
    svg_num(b, y);
}

void svg_marker(svg_chart *c, const svg_style *s, double x, double y)
{
    out_buf *b = c->b;
    double r = s->marker_r;
    static const double tri_x[3] = {0, 0.95, -0.95}, tri_y[3] = {-1.1, 0.65, 0.65};
    static const double tdn_y[3] = {1.1, -0.65, -0.65};
    static const double sq_x[4] = {-0.8, 0.8, 0.8, -0.8}, sq_y[4] = {-0.8, -0.8, 0.8, 0.8};
    static const double dia_x[4] = {0, 1.1, 0, -1.1}, dia_y[4] = {-1.1, 0, 1.1, 0};
    switch (s->marker) {
    case 0:
        out_puts(b, "<circle fill=\"none\" ");
        stroke(b, s, 1.4);
        out_puts(b, " cx=\"");
        svg_num(b, x);
        out_puts(b, "\" cy=\"");
        svg_num(b, y);
        out_puts(b, "\" r=\"");
        svg_num(b, r * 0.9);
        out_puts(b, "\"/>\n");
        break;
    case 1:
        polygon(b, s, sq_x, sq_y, 4, x, y, r);
        break;
    case 2:
        polygon(b, s, tri_x, tri_y, 3, x, y, r);
        break;
    case 3:
        polygon(b, s, dia_x, dia_y, 4, x, y, r);
        break;
    case 4:
        polygon(b, s, tri_x, tdn_y, 3, x, y, r);
        break;
    default: { /* 5: x, 6: + (two strokes each) */
        double d = s->marker == 5 ? r * 0.8 : r;
        double ax = d, ay = s->marker == 5 ? d : 0;
        double bx = s->marker == 5 ? d : 0, by = s->marker == 5 ? -d : d;
        out_puts(b, "<path fill=\"none\" ");
        stroke(b, s, 1.6);
        out_puts(b, " d=\"");
        path_to(b, 'M', x - ax, y - ay);
        path_to(b, 'L', x + ax, y + ay);
        path_to(b, 'M', x - bx, y - by);
        path_to(b, 'L', x + bx, y + by);
        out_puts(b, "\"/>\n");
    }
    }
}

void svg_band(svg_chart *c, const svg_style *s, const double *px, const double *plo,
              const double *phi, size_t n)
{
    out_buf *b = c->b;
    if (n < 2)
        return;
    out_puts(b, "<polygon fill=\"");
    out_puts(b, s->color);
    out_puts(b, "\" fill-opacity=\"0.15\" stroke=\"none\" points=\"");
    for (size_t i = 0; i < n; i++) {
        svg_num(b, px[i]);
        out_putc(b, ',');
        svg_num(b, phi[i]);
        out_putc(b, ' ');
    }
    for (size_t i = n; i-- > 0;) {
        svg_num(b, px[i]);
        out_putc(b, ',');
        svg_num(b, plo[i]);
        if (i)
            out_putc(b, ' ');
    }
    out_puts(b, "\"/>\n");
}

/* ---- The legend -------------------------------------------------------------------------- */

void svg_points_push(svg_points *pts, double x, double y)
{
    if (pts->oom)
        return;
    if (pts->n == pts->cap) {
        size_t cap = pts->cap ? 2 * pts->cap : 256;
        double *nx = realloc(pts->x, cap * sizeof *nx);
        if (nx)
            pts->x = nx;
        double *ny = nx ? realloc(pts->y, cap * sizeof *ny) : NULL;
        if (ny)
            pts->y = ny;
        if (!nx || !ny) {
            pts->oom = true;
            return;
        }
        pts->cap = cap;
    }
    pts->x[pts->n] = x;
    pts->y[pts->n] = y;
    pts->n++;
}

void svg_points_add_line(svg_points *pts, const double *px, const double *py, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        svg_points_push(pts, px[i], py[i]);
        if (i + 1 == n)
            break;
        /* a point every 4 units along the segment */
        double len = fabs(px[i + 1] - px[i]) + fabs(py[i + 1] - py[i]);
        int steps = len < 4 ? 1 : len > 4000 ? 1000 : (int)(len / 4);
        for (int k = 1; k < steps; k++)
            svg_points_push(pts, px[i] + (px[i + 1] - px[i]) * k / steps,
                            py[i] + (py[i + 1] - py[i]) * k / steps);
    }
}

void svg_points_free(svg_points *pts)
{
    free(pts->x);
    free(pts->y);
    memset(pts, 0, sizeof *pts);
}

/* Characters (not bytes) of UTF-8 text. */
static size_t text_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

void svg_legend_size(const svg_chart *c, const char *const *labels, size_t n, double *w, double *h)
{
    double f = c->font;
    size_t chars = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = text_chars(labels[i]);
        if (k > chars)
            chars = k;
    }
    *w = 6 + 30 + 6 + 0.58 * f * (double)chars + 6;
    *h = n ? 1.45 * f * (double)n + 6 : 0;
}

size_t svg_legend_spot(const svg_panel *p, double w, double h, const svg_points *pts, double *x,
                       double *y)
{
    /* Places in order of preference: the corners (top right, top left,
     * bottom right, bottom left), the middles of the right and left sides,
     * of the top and bottom, the centre; the first with the fewest points
     * under it wins. */
    double inset = 6;
    double right = p->x + p->w - inset - w, left = p->x + inset, mid_x = p->x + (p->w - w) / 2;
    double top = p->y + inset, bottom = p->y + p->h - inset - h, mid_y = p->y + (p->h - h) / 2;
    double cx[9] = {right, left, right, left, right, left, mid_x, mid_x, mid_x};
    double cy[9] = {top, top, bottom, bottom, mid_y, mid_y, top, bottom, mid_y};
    size_t best = 0, best_n = SIZE_MAX;
    for (size_t k = 0; k < 9; k++) {
        size_t under = 0;
        for (size_t i = 0; pts && i < pts->n; i++)
            under += pts->x[i] >= cx[k] - 2 && pts->x[i] <= cx[k] + w + 2 &&
                     pts->y[i] >= cy[k] - 2 && pts->y[i] <= cy[k] + h + 2;
        if (under < best_n) {
            best_n = under;
            best = k;
        }
    }
    *x = cx[best];
    *y = cy[best];
    return best_n;
}

void svg_legend(svg_chart *c, const svg_panel *p, const char *const *labels,
                const svg_style *styles, size_t n, const svg_points *pts)
{
    if (n == 0)
        return;
    out_buf *b = c->b;
    double f = c->font, row = 1.45 * f, pad = 6, sample = 30, w, h, x, y;
    svg_legend_size(c, labels, n, &w, &h);
    svg_legend_spot(p, w, h, pts, &x, &y);
    out_puts(b, "<rect x=\"");
    svg_num(b, x);
    out_puts(b, "\" y=\"");
    svg_num(b, y);
    out_puts(b, "\" width=\"");
    svg_num(b, w);
    out_puts(b, "\" height=\"");
    svg_num(b, h);
    out_puts(b, "\" fill=\"#fff\" fill-opacity=\"0.9\" stroke=\"#999\"/>\n");
    for (size_t i = 0; i < n; i++) {
        double ly = y + pad / 2 + row * ((double)i + 0.5);
        /* a sample of the line: a <line>, so <polyline>s are the data only */
        out_puts(b, "<line x1=\"");
        svg_num(b, x + pad);
        out_puts(b, "\" y1=\"");
        svg_num(b, ly);
        out_puts(b, "\" x2=\"");
        svg_num(b, x + pad + sample);
        out_puts(b, "\" y2=\"");
        svg_num(b, ly);
        out_puts(b, "\" ");
        line_style(b, &styles[i]);
        out_puts(b, "/>\n");
        svg_marker(c, &styles[i], x + pad + sample / 2, ly);
        svg_text(c, x + pad + sample + 6, ly + 0.35 * f, "start", 0, labels[i]);
    }
}

gicsim_status svg_write(const char *path, out_buf *b)
{
    if (b->oom)
        return GICSIM_E_NOMEM;
    FILE *f = fopen(path, "wb");
    gicsim_status st = f && out_write(b, f) ? GICSIM_OK : GICSIM_E_IO;
    if (f && fclose(f) != 0)
        st = GICSIM_E_IO;
    return st;
}
