/* gicsim: line plots of a sweep's summary.csv (gicsim_sweep_plot_svg).
 *
 * The rows of one source (and of the --where filters) are split into
 * series, one per value of the `by` column and metric; each series is its
 * rows' x (numeric, through the axis's _hz or _ns twin column when it has
 * one, or categories) against the metric's mean, with the 95% confidence
 * interval as a band. Two rows of one series at the same x mean that some
 * other column varies: the error names it. Drawn in the shared chart style
 * (svg.h). */
#include "svg.h"
#include "sweep_internal.h"

#include "config/yaml_tree.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Short metric names. */
static const struct {
    const char *alias, *column, *label;
} aliases[] = {
    {"p50", "latency_p50_ns", "p50"},
    {"p90", "latency_p90_ns", "p90"},
    {"p99", "latency_p99_ns", "p99"},
    {"p999", "latency_p999_ns", "p99.9"},
    {"p99.9", "latency_p999_ns", "p99.9"},
    {"max", "latency_max_ns", "max"},
    {"mean", "latency_mean_ns", "mean"},
    {"exits", "exits_per_irq_total", "VM exits"},
    {"hyp", "hyp_time_share", "hypervisor time"},
};

typedef struct metric_col {
    char name[96]; /* the column without _mean */
    const char *label;
    char label_buf[96];
    size_t mean, ci;
} metric_col;

static gicsim_status find_metric(const csv_table *t, const char *path, const char *y, metric_col *m,
                                 gicsim_diag *d)
{
    const char *col = y;
    m->label = NULL;
    m->label_buf[0] = '\0';
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (!strcmp(y, aliases[i].alias)) {
            col = aliases[i].column;
            m->label = aliases[i].label;
        }
    size_t n = strlen(col);
    if (n > 5 && !strcmp(col + n - 5, "_mean"))
        n -= 5;
    snprintf(m->name, sizeof m->name, "%.*s", (int)(n < 90 ? n : 90), col);
    char c[128];
    snprintf(c, sizeof c, "%.90s_mean", m->name);
    m->mean = csv_column(t, c);
    snprintf(c, sizeof c, "%.90s_ci95", m->name);
    m->ci = csv_column(t, c);
    if (m->mean == SIZE_MAX)
        return yt_diag(d, GICSIM_E_INVAL, path, 1, 1, y,
                       "no metric \"%s\" (a column %s_mean); try p50, p90, p99, p999, max, "
                       "mean, exits, hyp or a summary column such as lr_spills",
                       y, m->name);
    /* a legend's name: "p99" for latency_p99_ns, "maintenance exits" for
     * exits_per_irq_maintenance */
    size_t nl = strlen(m->name);
    if (!m->label && !strncmp(m->name, "latency_", 8) && nl > 11 &&
        !strcmp(m->name + nl - 3, "_ns"))
        snprintf(m->label_buf, sizeof m->label_buf, "%.*s", (int)(nl - 11), m->name + 8);
    else if (!m->label && !strncmp(m->name, "exits_per_irq_", 14))
        snprintf(m->label_buf, sizeof m->label_buf, "%.60s exits",
                 strcmp(m->name + 14, "total") ? m->name + 14 : "VM");
    if (m->label_buf[0])
        m->label = m->label_buf;
    if (!m->label)
        m->label = m->name;
    return GICSIM_OK;
}

/* The y title of the metrics: the quantity and its unit. */
static void y_title(out_buf *b, const metric_col *m, size_t n)
{
    bool lat = true, exits = true;
    for (size_t i = 0; i < n; i++) {
        lat = lat && !strncmp(m[i].name, "latency_", 8);
        exits = exits && !strncmp(m[i].name, "exits_per_irq_", 14);
    }
    if (lat) {
        if (n == 1) {
            out_puts(b, m[0].label);
            out_putc(b, ' ');
        }
        out_puts(b, "latency (ns)");
    } else if (exits) {
        if (n == 1 && strcmp(m[0].name, "exits_per_irq_total")) {
            out_puts(b, m[0].name + 14);
            out_putc(b, ' ');
        }
        out_puts(b, "VM exits per interrupt");
    } else if (n == 1 && !strcmp(m[0].name, "hyp_time_share")) {
        out_puts(b, "hypervisor share of PE time");
    } else {
        for (size_t i = 0; i < n; i++) {
            if (i)
                out_puts(b, ", ");
            out_puts(b, m[i].name);
        }
    }
}

typedef struct series {
    char *label;
    size_t colour, dash; /* the marker goes with the colour */
    size_t n;
    double *x, *y, *lo, *hi;
    size_t *row; /* the summary row of each point, for the error message */
} series;

static int cmp_x(const void *a, const void *b, const series *s)
{
    double xa = s->x[*(const size_t *)a], xb = s->x[*(const size_t *)b];
    return xa < xb ? -1 : xa > xb ? 1 : 0;
}

/* Sort a series by x (insertion sort: a few dozen points). */
static void sort_series(series *s)
{
    size_t *idx = malloc((s->n ? s->n : 1) * sizeof *idx);
    double *tmp = malloc((s->n ? s->n : 1) * 4 * sizeof *tmp);
    size_t *trow = malloc((s->n ? s->n : 1) * sizeof *trow);
    if (!idx || !tmp || !trow) {
        free(idx);
        free(tmp);
        free(trow);
        return;
    }
    for (size_t i = 0; i < s->n; i++) {
        size_t k = i;
        while (k > 0 && cmp_x(&idx[k - 1], &i, s) > 0) {
            idx[k] = idx[k - 1];
            k--;
        }
        idx[k] = i;
    }
    for (size_t i = 0; i < s->n; i++) {
        tmp[i] = s->x[idx[i]];
        tmp[s->n + i] = s->y[idx[i]];
        tmp[2 * s->n + i] = s->lo[idx[i]];
        tmp[3 * s->n + i] = s->hi[idx[i]];
        trow[i] = s->row[idx[i]];
    }
    for (size_t i = 0; i < s->n; i++) {
        s->x[i] = tmp[i];
        s->y[i] = tmp[s->n + i];
        s->lo[i] = tmp[2 * s->n + i];
        s->hi[i] = tmp[3 * s->n + i];
        s->row[i] = trow[i];
    }
    free(idx);
    free(tmp);
    free(trow);
}

static void series_free(series *s, size_t n)
{
    for (size_t i = 0; s && i < n; i++) {
        free(s[i].label);
        free(s[i].x);
        free(s[i].y);
        free(s[i].lo);
        free(s[i].hi);
        free(s[i].row);
    }
    free(s);
}

/* The first column (other than those of the request) whose value differs
 * between rows a and b. */
static size_t varying_column(const csv_table *t, size_t a, size_t b, size_t xcol, size_t xtwin,
                             size_t bycol)
{
    for (size_t c = 0; c < t->n_cols; c++) {
        const char *name = t->cell[0][c];
        size_t n = strlen(name);
        if (c == xcol || c == xtwin || c == bycol || (n > 5 && !strcmp(name + n - 5, "_mean")) ||
            (n > 5 && !strcmp(name + n - 5, "_ci95")) || !strcmp(name, "replications"))
            continue;
        if (strcmp(t->cell[a][c], t->cell[b][c]))
            return c;
    }
    return SIZE_MAX;
}

/* The lines' points on the page (what the legend must not hide) into occ,
 * emptied first; px, py: room for the longest series. */
static void line_points(const series *sv, size_t n, const svg_axis *xa, const svg_axis *ya,
                        double *px, double *py, svg_points *occ)
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

static gicsim_status plot(out_buf *b, const csv_table *t, const char *path,
                          const gicsim_sweep_plot *q, gicsim_diag *d)
{
    gicsim_status st = GICSIM_OK;
    size_t xcol = csv_column(t, q->x);
    if (xcol == SIZE_MAX)
        return yt_diag(d, GICSIM_E_INVAL, path, 1, 1, q->x, "no column \"%s\" to put on x", q->x);
    size_t bycol = SIZE_MAX;
    if (q->by && (bycol = csv_column(t, q->by)) == SIZE_MAX)
        return yt_diag(d, GICSIM_E_INVAL, path, 1, 1, q->by, "no column \"%s\" to split by", q->by);
    if (q->n_y == 0 || q->n_y > 8)
        return yt_diag(d, GICSIM_E_INVAL, path, 0, 0, "", "give 1 to 8 metrics for y");
    metric_col m[8];
    for (size_t i = 0; i < q->n_y; i++)
        TRY(find_metric(t, path, q->y[i], &m[i], d));
    /* x: the column itself, or its numeric twin. */
    char twin_name[300];
    size_t xtwin = SIZE_MAX;
    const char *unit = NULL;
    static const char *const twins[2][2] = {{"_hz", "1/s"}, {"_ns", "ns"}};
    for (int k = 0; k < 2 && xtwin == SIZE_MAX; k++) {
        snprintf(twin_name, sizeof twin_name, "%s%s", q->x, twins[k][0]);
        if ((xtwin = csv_column(t, twin_name)) != SIZE_MAX)
            unit = twins[k][1];
    }
    size_t n = strlen(q->x);
    if (!unit && n > 3 && (!strcmp(q->x + n - 3, "_hz") || !strcmp(q->x + n - 3, "_ns")))
        unit = !strcmp(q->x + n - 3, "_hz") ? "1/s" : "ns";
    size_t numcol = xtwin != SIZE_MAX ? xtwin : xcol;
    /* Filters. */
    size_t srccol = csv_column(t, "source");
    const char *source = q->source ? q->source : "all";
    size_t *wcol = calloc(q->n_where ? q->n_where : 1, sizeof *wcol);
    const char **wval = calloc(q->n_where ? q->n_where : 1, sizeof *wval);
    char **wkey = calloc(q->n_where ? q->n_where : 1, sizeof *wkey);
    bool *keep = calloc(t->n_rows, sizeof *keep);
    const char **cats = calloc(t->n_rows, sizeof *cats);
    const char **bys = calloc(t->n_rows, sizeof *bys);
    series *sv = NULL;
    size_t n_series = 0, n_cats = 0, n_bys = 0;
    if (!wcol || !wval || !wkey || !keep || !cats || !bys) {
        st = yt_nomem(d);
        goto out;
    }
    for (size_t i = 0; i < q->n_where && st == GICSIM_OK; i++) {
        const char *eq = strchr(q->where[i], '=');
        if (!eq || eq == q->where[i]) {
            st = yt_diag(d, GICSIM_E_INVAL, path, 0, 0, "", "a filter is COLUMN=VALUE, not \"%s\"",
                         q->where[i]);
            break;
        }
        if (!(wkey[i] = out_strdup(q->where[i]))) {
            st = yt_nomem(d);
            break;
        }
        wkey[i][eq - q->where[i]] = '\0';
        wval[i] = eq + 1;
        if ((wcol[i] = csv_column(t, wkey[i])) == SIZE_MAX)
            st = yt_diag(d, GICSIM_E_INVAL, path, 1, 1, wkey[i], "no column \"%s\" to filter on",
                         wkey[i]);
    }
    size_t kept = 0;
    for (size_t r = 1; st == GICSIM_OK && r < t->n_rows; r++) {
        bool k = srccol == SIZE_MAX || !strcmp(t->cell[r][srccol], source);
        for (size_t i = 0; k && i < q->n_where; i++)
            k = !strcmp(t->cell[r][wcol[i]], wval[i]);
        keep[r] = k;
        kept += k;
    }
    if (st == GICSIM_OK && kept == 0)
        st = yt_diag(d, GICSIM_E_INVAL, path, 0, 0, "",
                     "no row of source \"%s\" passes the filters", source);
    /* Is x numeric? Categories in order of appearance otherwise. */
    bool numeric = true;
    for (size_t r = 1; st == GICSIM_OK && r < t->n_rows; r++) {
        double v;
        if (keep[r] && !out_parse_decimal(t->cell[r][numcol], &v, NULL))
            numeric = false;
    }
    for (size_t r = 1; st == GICSIM_OK && r < t->n_rows; r++) {
        if (!keep[r])
            continue;
        const char *c = t->cell[r][xcol];
        size_t k;
        for (k = 0; k < n_cats && strcmp(cats[k], c); k++)
            ;
        if (k == n_cats)
            cats[n_cats++] = c;
        const char *bv = bycol != SIZE_MAX ? t->cell[r][bycol] : "";
        for (k = 0; k < n_bys && strcmp(bys[k], bv); k++)
            ;
        if (k == n_bys)
            bys[n_bys++] = bv;
    }
    if (st == GICSIM_OK && (q->log_x && !numeric))
        st = yt_diag(d, GICSIM_E_INVAL, path, 1, 1, q->x,
                     "a log x axis needs numbers; \"%s\" has other values", q->x);
    /* The series: by value (colour) x metric (pattern). */
    n_series = n_bys * q->n_y;
    if (st == GICSIM_OK && !(sv = calloc(n_series ? n_series : 1, sizeof *sv)))
        st = yt_nomem(d);
    for (size_t s = 0; st == GICSIM_OK && s < n_series; s++) {
        series *e = &sv[s];
        size_t bi = s / q->n_y, mi = s % q->n_y;
        e->colour = bi;
        e->dash = q->n_y > 1 ? mi : bi;
        out_buf lb = {0};
        if (bycol != SIZE_MAX)
            out_puts(&lb, bys[bi]);
        if (q->n_y > 1 || bycol == SIZE_MAX) {
            if (lb.len)
                out_putc(&lb, ' ');
            out_puts(&lb, m[mi].label);
        }
        e->label = lb.p ? lb.p : out_strdup("");
        e->x = calloc(kept, sizeof *e->x);
        e->y = calloc(kept, sizeof *e->y);
        e->lo = calloc(kept, sizeof *e->lo);
        e->hi = calloc(kept, sizeof *e->hi);
        e->row = calloc(kept, sizeof *e->row);
        if (!e->label || !e->x || !e->y || !e->lo || !e->hi || !e->row) {
            st = yt_nomem(d);
            break;
        }
        for (size_t r = 1; r < t->n_rows && st == GICSIM_OK; r++) {
            if (!keep[r] || (bycol != SIZE_MAX && strcmp(t->cell[r][bycol], bys[bi])))
                continue;
            double x = 0, y, ci = 0;
            if (numeric) {
                out_parse_decimal(t->cell[r][numcol], &x, NULL);
            } else {
                size_t k;
                for (k = 0; k < n_cats && strcmp(cats[k], t->cell[r][xcol]); k++)
                    ;
                x = (double)k;
            }
            for (size_t k = 0; k < e->n; k++)
                if (e->x[k] == x) {
                    size_t c = varying_column(t, e->row[k], r, xcol, xtwin, bycol);
                    const char *cn = c != SIZE_MAX ? t->cell[0][c] : "?";
                    st = yt_diag(d, GICSIM_E_INVAL, path, (unsigned)r + 1, 1, cn,
                                 "rows %zu and %zu are both at x = %s of one line: column \"%s\" "
                                 "varies (\"%s\", \"%s\"); fix it with --where %s=VALUE, or "
                                 "plot a line per value with --by %s",
                                 e->row[k] + 1, r + 1, t->cell[r][xcol], cn,
                                 c != SIZE_MAX ? t->cell[e->row[k]][c] : "",
                                 c != SIZE_MAX ? t->cell[r][c] : "", cn, cn);
                    break;
                }
            if (st != GICSIM_OK || !out_parse_decimal(t->cell[r][m[mi].mean], &y, NULL))
                continue; /* no value: no point */
            if (m[mi].ci != SIZE_MAX && !out_parse_decimal(t->cell[r][m[mi].ci], &ci, NULL))
                ci = 0;
            if ((q->log_x && x <= 0) || (q->log_y && y <= 0))
                continue; /* off a log axis */
            e->x[e->n] = x;
            e->y[e->n] = y;
            e->lo[e->n] = y - ci;
            e->hi[e->n] = y + ci;
            e->row[e->n] = r;
            e->n++;
        }
        sort_series(e);
    }
    if (st != GICSIM_OK)
        goto out;
    /* A metric that is never negative (every mean >= 0: latencies, counts,
     * shares) keeps its band above 0 too. */
    bool nonneg = true;
    for (size_t s = 0; s < n_series; s++)
        for (size_t k = 0; k < sv[s].n; k++)
            nonneg = nonneg && sv[s].y[k] >= 0;
    for (size_t s = 0; nonneg && s < n_series; s++)
        for (size_t k = 0; k < sv[s].n; k++)
            sv[s].lo[k] = fmax(sv[s].lo[k], 0);
    /* Axes over every point and band. */
    double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
    for (size_t s = 0; s < n_series; s++)
        for (size_t k = 0; k < sv[s].n; k++) {
            double lo = sv[s].lo[k];
            if (q->log_y && lo <= 0)
                lo = sv[s].y[k];
            xlo = fmin(xlo, sv[s].x[k]);
            xhi = fmax(xhi, sv[s].x[k]);
            ylo = fmin(ylo, q->no_ci ? sv[s].y[k] : lo);
            yhi = fmax(yhi, q->no_ci ? sv[s].y[k] : sv[s].hi[k]);
        }
    if (!(xlo <= xhi)) {
        st = yt_diag(d, GICSIM_E_INVAL, path, 0, 0, "",
                     "nothing to plot: the selected rows have no values%s",
                     q->log_x || q->log_y ? " above 0 for the log axes" : "");
        goto out;
    }
    svg_chart ch;
    svg_begin(&ch, b, &q->style, 640, 440, q->title);
    svg_panel pn = svg_layout(&ch, 0, 1);
    svg_axis xa, ya;
    if (numeric)
        svg_axis_numeric(&xa, xlo, xhi, q->log_x, false);
    else
        svg_axis_categories(&xa, cats, n_cats);
    svg_axis_numeric(&ya, ylo, yhi, q->log_y, true);
    svg_axis_place(&xa, pn.x, pn.x + pn.w);
    svg_axis_place(&ya, pn.y + pn.h, pn.y);
    svg_style *styles = calloc(n_series ? n_series : 1, sizeof *styles);
    const char **labels = calloc(n_series ? n_series : 1, sizeof *labels);
    double *px = calloc(kept ? kept : 1, sizeof *px), *py = calloc(kept ? kept : 1, sizeof *py);
    double *plo = calloc(kept ? kept : 1, sizeof *plo), *phi = calloc(kept ? kept : 1, sizeof *phi);
    svg_points occ = {0};
    if (!styles || !labels || !px || !py || !plo || !phi) {
        b->oom = true;
        n_series = 0;
    }
    for (size_t s = 0; s < n_series; s++) {
        svg_style_mix(sv[s].colour, sv[s].colour, sv[s].dash, s, &styles[s]);
        labels[s] = sv[s].label;
    }
    /* The legend goes where no line is; when every place has one, the y
     * axis grows by the legend's height, which leaves its top free. */
    double lw, lh, lx, ly;
    svg_legend_size(&ch, labels, n_series, &lw, &lh);
    line_points(sv, n_series, &xa, &ya, px, py, &occ);
    double room = pn.h - lh - 12;
    if (n_series && svg_legend_spot(&pn, lw, lh, &occ, &lx, &ly) && room > pn.h / 3) {
        double grow = pn.h / room;
        if (q->log_y)
            yhi = pow(10, log10(ya.lo) + (log10(yhi) - log10(ya.lo)) * grow);
        else
            yhi = ya.lo + (yhi - ya.lo) * grow;
        svg_axis_numeric(&ya, ylo, yhi, q->log_y, true);
        svg_axis_place(&ya, pn.y + pn.h, pn.y);
        line_points(sv, n_series, &xa, &ya, px, py, &occ);
    }
    out_buf xt = {0}, yt = {0};
    if (q->x_label) {
        out_puts(&xt, q->x_label);
    } else {
        out_puts(&xt, q->x);
        if (unit || q->log_x) {
            out_puts(&xt, " (");
            out_puts(&xt, unit ? unit : "");
            out_puts(&xt, unit && q->log_x ? ", " : "");
            out_puts(&xt, q->log_x ? "log scale" : "");
            out_putc(&xt, ')');
        }
    }
    if (q->y_label)
        out_puts(&yt, q->y_label);
    else
        y_title(&yt, m, q->n_y);
    if (xt.oom || yt.oom)
        b->oom = true;
    svg_frame(&ch, &pn, &xa, &ya, xt.p ? xt.p : "", yt.p ? yt.p : "");
    out_buf_free(&xt);
    out_buf_free(&yt);
    /* Bands under every line, then the lines in order, thinner on top. */
    for (size_t s = 0; !q->no_ci && s < n_series; s++) {
        series *e = &sv[s];
        bool any = false;
        for (size_t k = 0; k < e->n; k++) {
            px[k] = svg_pos(&xa, e->x[k]);
            plo[k] = svg_pos(&ya, q->log_y && e->lo[k] <= 0 ? ya.lo : e->lo[k]);
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
    for (size_t s = 0; s < n_series; s++) {
        series *e = &sv[s];
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
    svg_legend(&ch, &pn, labels, styles, n_series, &occ);
    svg_end(&ch);
    svg_points_free(&occ);
    free(styles);
    free(labels);
    free(px);
    free(py);
    free(plo);
    free(phi);
out:
    for (size_t i = 0; wkey && i < q->n_where; i++)
        free(wkey[i]);
    free(wkey);
    free(wcol);
    free(wval);
    free(keep);
    free(cats);
    free(bys);
    series_free(sv, n_series);
    return st;
}

gicsim_status gicsim_sweep_plot_svg(const char *summary_csv, const gicsim_sweep_plot *req,
                                    const char *svg_path, gicsim_diag *diag)
{
    if (diag)
        memset(diag, 0, sizeof *diag);
    if (!summary_csv || !req || !svg_path || !req->x || (req->n_y && !req->y) ||
        (req->n_where && !req->where))
        return yt_diag(diag, GICSIM_E_INVAL, summary_csv ? summary_csv : "", 0, 0, "",
                       "a summary, an x column, metrics and an output file are needed");
    csv_table *t;
    TRY(csv_read(summary_csv, &t, diag));
    out_buf b = {0};
    gicsim_status st = plot(&b, t, summary_csv, req, diag);
    csv_free(t);
    if (st == GICSIM_OK && b.oom)
        st = yt_nomem(diag);
    if (st == GICSIM_OK) {
        FILE *f = fopen(svg_path, "wb");
        if (!f || !out_write(&b, f))
            st = GICSIM_E_IO;
        if (f && fclose(f) != 0)
            st = GICSIM_E_IO;
        if (st != GICSIM_OK)
            yt_diag(diag, st, svg_path, 0, 0, "", "cannot write the chart");
    }
    out_buf_free(&b);
    return st;
}
