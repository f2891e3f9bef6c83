/* gicsim plot DIR|SUMMARY.csv --x COLUMN --y METRIC -o FIG.svg: a sweep's
 * summary as lines with 95% confidence bands (docs/sweeps.md).
 *
 * The rows of one source (and of the --where filters) are split into
 * series, one per value of the --by column and metric; each series is its
 * rows' x (a number, through the axis's _hz or _ns twin column when it has
 * one, else categories in order of appearance) against the metric's mean,
 * with mean -/+ ci95 as its band. Two rows of one series at the same x mean
 * that some other column varies: the error names it. The table comes from
 * gicsim_sweep_csv_read, the chart from gicsim_output_lines_svg. */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_WHERE 32
#define MAX_Y 8

typedef struct plot_req {
    const char *x, *by, *source, *title, *x_label, *y_label;
    const char *y[MAX_Y];
    size_t n_y;
    const char *where[MAX_WHERE];
    size_t n_where;
    bool log_x, log_y, no_ci;
    gicsim_plot_style style;
} plot_req;

/* "FILE:LINE:1: KEY: message" (LINE 0: no position), then EX_CONFIG. */
static int plot_error(const char *file, size_t line, const char *key, const char *fmt, ...)
    CLI_PRINTF(4, 5);
static int plot_error(const char *file, size_t line, const char *key, const char *fmt, ...)
{
    gicsim_diag d;
    memset(&d, 0, sizeof d);
    snprintf(d.file, sizeof d.file, "%s", file);
    d.line = (unsigned)line;
    d.column = line ? 1 : 0;
    snprintf(d.key, sizeof d.key, "%s", key);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d.message, sizeof d.message, fmt, ap);
    va_end(ap);
    cli_report_diag(&d, GICSIM_E_INVAL);
    return EX_CONFIG;
}

/* ---- Metrics ---------------------------------------------------------------------------- */

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
    char label[96];
    size_t mean, ci;
} metric_col;

static int find_metric(const gicsim_sweep_csv *t, const char *path, const char *y, metric_col *m)
{
    const char *col = y;
    m->label[0] = '\0';
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (!strcmp(y, aliases[i].alias)) {
            col = aliases[i].column;
            snprintf(m->label, sizeof m->label, "%s", aliases[i].label);
        }
    size_t n = strlen(col);
    if (n > 5 && !strcmp(col + n - 5, "_mean"))
        n -= 5;
    snprintf(m->name, sizeof m->name, "%.*s", (int)(n < 90 ? n : 90), col);
    char c[128];
    snprintf(c, sizeof c, "%.90s_mean", m->name);
    m->mean = gicsim_sweep_csv_find(t, c);
    snprintf(c, sizeof c, "%.90s_ci95", m->name);
    m->ci = gicsim_sweep_csv_find(t, c);
    if (m->mean == SIZE_MAX)
        return plot_error(path, 1, y,
                          "no metric \"%s\" (a column %s_mean); try p50, p90, p99, p999, max, "
                          "mean, exits, hyp or a summary column such as lr_spills",
                          y, m->name);
    /* a legend's name: "p99" for latency_p99_ns, "maintenance exits" for
     * exits_per_irq_maintenance */
    size_t nl = strlen(m->name);
    if (m->label[0])
        return EX_OK;
    if (!strncmp(m->name, "latency_", 8) && nl > 11 && !strcmp(m->name + nl - 3, "_ns"))
        snprintf(m->label, sizeof m->label, "%.*s", (int)(nl - 11), m->name + 8);
    else if (!strncmp(m->name, "exits_per_irq_", 14))
        snprintf(m->label, sizeof m->label, "%.60s exits",
                 strcmp(m->name + 14, "total") ? m->name + 14 : "VM");
    else
        snprintf(m->label, sizeof m->label, "%s", m->name);
    return EX_OK;
}

/* The y title of the metrics: the quantity and its unit. */
static void y_title(char *buf, size_t size, const metric_col *m, size_t n)
{
    bool lat = true, exits = true;
    for (size_t i = 0; i < n; i++) {
        lat = lat && !strncmp(m[i].name, "latency_", 8);
        exits = exits && !strncmp(m[i].name, "exits_per_irq_", 14);
    }
    if (lat)
        snprintf(buf, size, "%s%slatency (ns)", n == 1 ? m[0].label : "", n == 1 ? " " : "");
    else if (exits)
        snprintf(buf, size, "%s%sVM exits per interrupt",
                 n == 1 && strcmp(m[0].name, "exits_per_irq_total") ? m[0].name + 14 : "",
                 n == 1 && strcmp(m[0].name, "exits_per_irq_total") ? " " : "");
    else if (n == 1 && !strcmp(m[0].name, "hyp_time_share"))
        snprintf(buf, size, "hypervisor share of PE time");
    else {
        size_t len = 0;
        buf[0] = '\0';
        for (size_t i = 0; i < n && len < size; i++)
            len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? ", " : "", m[i].name);
    }
}

/* ---- Series --------------------------------------------------------------------------------- */

typedef struct series {
    char label[200];
    double *x, *y, *lo, *hi;
    size_t *row; /* the summary row of each point, for the error message */
    size_t n;
} series;

/* Sort a series by x (insertion sort: a few dozen points). */
static void sort_series(series *s)
{
    for (size_t i = 1; i < s->n; i++)
        for (size_t k = i; k > 0 && s->x[k - 1] > s->x[k]; k--) {
#define SWAP(a, T)                                                                                 \
    do {                                                                                           \
        T t_ = a[k];                                                                               \
        a[k] = a[k - 1];                                                                           \
        a[k - 1] = t_;                                                                             \
    } while (0)
            SWAP(s->x, double);
            SWAP(s->y, double);
            SWAP(s->lo, double);
            SWAP(s->hi, double);
            SWAP(s->row, size_t);
#undef SWAP
        }
}

/* The first column (other than those of the request) whose value differs
 * between rows a and b. */
static size_t varying_column(const gicsim_sweep_csv *t, size_t a, size_t b, size_t xcol,
                             size_t xtwin, size_t bycol)
{
    for (size_t c = 0; c < gicsim_sweep_csv_columns(t); c++) {
        const char *name = gicsim_sweep_csv_header(t, c);
        size_t n = strlen(name);
        if (c == xcol || c == xtwin || c == bycol || (n > 5 && !strcmp(name + n - 5, "_mean")) ||
            (n > 5 && !strcmp(name + n - 5, "_ci95")) || !strcmp(name, "replications"))
            continue;
        if (strcmp(gicsim_sweep_csv_cell(t, a, c), gicsim_sweep_csv_cell(t, b, c)))
            return c;
    }
    return SIZE_MAX;
}

/* Index of `s` in list[*n], appended when new. */
static size_t intern(const char **list, size_t *n, const char *s)
{
    size_t k;
    for (k = 0; k < *n && strcmp(list[k], s); k++)
        ;
    if (k == *n)
        list[(*n)++] = s;
    return k;
}

static int plot(const plot_req *q, const gicsim_sweep_csv *t, const char *path, const char *out)
{
    size_t rows = gicsim_sweep_csv_rows(t);
    size_t xcol = gicsim_sweep_csv_find(t, q->x);
    if (xcol == SIZE_MAX)
        return plot_error(path, 1, q->x, "no column \"%s\" to put on x", q->x);
    size_t bycol = SIZE_MAX;
    if (q->by && (bycol = gicsim_sweep_csv_find(t, q->by)) == SIZE_MAX)
        return plot_error(path, 1, q->by, "no column \"%s\" to split by", q->by);
    metric_col m[MAX_Y];
    for (size_t i = 0; i < q->n_y; i++)
        if (find_metric(t, path, q->y[i], &m[i]))
            return EX_CONFIG;
    /* x: the column itself, or its numeric twin (an axis of rates or times). */
    static const char *const twins[2][2] = {{"_hz", "1/s"}, {"_ns", "ns"}};
    size_t xtwin = SIZE_MAX;
    const char *unit = NULL;
    for (int k = 0; k < 2 && xtwin == SIZE_MAX; k++) {
        char name[300];
        snprintf(name, sizeof name, "%s%s", q->x, twins[k][0]);
        if ((xtwin = gicsim_sweep_csv_find(t, name)) != SIZE_MAX)
            unit = twins[k][1];
    }
    size_t xl = strlen(q->x);
    for (int k = 0; k < 2 && !unit; k++)
        if (xl > 3 && !strcmp(q->x + xl - 3, twins[k][0]))
            unit = twins[k][1];
    size_t numcol = xtwin != SIZE_MAX ? xtwin : xcol;
    /* The rows of the source that pass the filters. */
    size_t srccol = gicsim_sweep_csv_find(t, "source");
    const char *source = q->source ? q->source : "all";
    size_t wcol[MAX_WHERE];
    const char *wval[MAX_WHERE];
    for (size_t i = 0; i < q->n_where; i++) {
        const char *eq = strchr(q->where[i], '=');
        char key[256];
        snprintf(key, sizeof key, "%.*s", (int)(eq - q->where[i]), q->where[i]);
        if ((wcol[i] = gicsim_sweep_csv_find(t, key)) == SIZE_MAX)
            return plot_error(path, 1, key, "no column \"%s\" to filter on", key);
        wval[i] = eq + 1;
    }
    bool *keep = calloc(rows ? rows : 1, sizeof *keep);
    const char **cats = calloc(rows ? rows : 1, sizeof *cats);
    const char **bys = calloc(rows ? rows : 1, sizeof *bys);
    size_t n_cats = 0, n_bys = 0, kept = 0;
    bool numeric = true;
    int code = keep && cats && bys ? EX_OK : EX_SOFTWARE;
    for (size_t r = 0; !code && r < rows; r++) {
        bool k = srccol == SIZE_MAX || !strcmp(gicsim_sweep_csv_cell(t, r, srccol), source);
        for (size_t i = 0; k && i < q->n_where; i++)
            k = !strcmp(gicsim_sweep_csv_cell(t, r, wcol[i]), wval[i]);
        if (!(keep[r] = k))
            continue;
        kept++;
        double v;
        numeric = numeric && gicsim_sweep_csv_number(gicsim_sweep_csv_cell(t, r, numcol), &v);
        intern(cats, &n_cats, gicsim_sweep_csv_cell(t, r, xcol));
        intern(bys, &n_bys, bycol != SIZE_MAX ? gicsim_sweep_csv_cell(t, r, bycol) : "");
    }
    if (!code && !kept)
        code = plot_error(path, 0, "", "no row of source \"%s\" passes the filters", source);
    if (!code && q->log_x && !numeric)
        code =
            plot_error(path, 1, q->x, "a log x axis needs numbers; \"%s\" has other values", q->x);
    /* The series: by value (colour and marker) x metric (dash pattern). */
    size_t ns = n_bys * q->n_y;
    series *sv = code ? NULL : calloc(ns ? ns : 1, sizeof *sv);
    gicsim_plot_series *ps = code ? NULL : calloc(ns ? ns : 1, sizeof *ps);
    if (!code && (!sv || !ps))
        code = EX_SOFTWARE;
    for (size_t s = 0; !code && s < ns; s++) {
        series *e = &sv[s];
        size_t bi = s / q->n_y, mi = s % q->n_y;
        snprintf(e->label, sizeof e->label, "%.100s%s%.90s", bycol != SIZE_MAX ? bys[bi] : "",
                 bycol != SIZE_MAX && q->n_y > 1 ? " " : "",
                 q->n_y > 1 || bycol == SIZE_MAX ? m[mi].label : "");
        e->x = calloc(kept, sizeof *e->x);
        e->y = calloc(kept, sizeof *e->y);
        e->lo = calloc(kept, sizeof *e->lo);
        e->hi = calloc(kept, sizeof *e->hi);
        e->row = calloc(kept, sizeof *e->row);
        if (!e->x || !e->y || !e->lo || !e->hi || !e->row) {
            code = EX_SOFTWARE;
            break;
        }
        for (size_t r = 0; !code && r < rows; r++) {
            if (!keep[r] ||
                (bycol != SIZE_MAX && strcmp(gicsim_sweep_csv_cell(t, r, bycol), bys[bi])))
                continue;
            double x, y, ci = 0;
            if (!numeric)
                x = (double)intern(cats, &n_cats, gicsim_sweep_csv_cell(t, r, xcol));
            else
                gicsim_sweep_csv_number(gicsim_sweep_csv_cell(t, r, numcol), &x);
            for (size_t k = 0; k < e->n; k++) {
                if (e->x[k] != x)
                    continue;
                size_t c = varying_column(t, e->row[k], r, xcol, xtwin, bycol);
                const char *cn = c != SIZE_MAX ? gicsim_sweep_csv_header(t, c) : "?";
                code = plot_error(path, r + 2, cn,
                                  "lines %zu and %zu are both at x = %s of one line: column "
                                  "\"%s\" varies (\"%s\", \"%s\"); fix it with --where %s=VALUE, "
                                  "or plot a line per value with --by %s",
                                  e->row[k] + 2, r + 2, gicsim_sweep_csv_cell(t, r, xcol), cn,
                                  c != SIZE_MAX ? gicsim_sweep_csv_cell(t, e->row[k], c) : "",
                                  c != SIZE_MAX ? gicsim_sweep_csv_cell(t, r, c) : "", cn, cn);
                break;
            }
            if (code || !gicsim_sweep_csv_number(gicsim_sweep_csv_cell(t, r, m[mi].mean), &y))
                continue; /* no value: no point */
            if (m[mi].ci != SIZE_MAX &&
                !gicsim_sweep_csv_number(gicsim_sweep_csv_cell(t, r, m[mi].ci), &ci))
                ci = 0;
            e->x[e->n] = x;
            e->y[e->n] = y;
            e->lo[e->n] = y - ci;
            e->hi[e->n] = y + ci;
            e->row[e->n] = r;
            e->n++;
        }
        sort_series(e);
        ps[s] = (gicsim_plot_series){.label = e->label,
                                     .x = e->x,
                                     .y = e->y,
                                     .lo = q->no_ci ? NULL : e->lo,
                                     .hi = q->no_ci ? NULL : e->hi,
                                     .n = e->n,
                                     .colour = (unsigned)bi,
                                     .dash = (unsigned)(q->n_y > 1 ? mi : bi)};
    }
    if (!code) {
        char xt[400], yt[400];
        if (q->x_label)
            snprintf(xt, sizeof xt, "%s", q->x_label);
        else
            snprintf(xt, sizeof xt, "%s%s%s%s%s%s", q->x, unit || q->log_x ? " (" : "",
                     unit ? unit : "", unit && q->log_x ? ", " : "", q->log_x ? "log scale" : "",
                     unit || q->log_x ? ")" : "");
        if (q->y_label)
            snprintf(yt, sizeof yt, "%s", q->y_label);
        else
            y_title(yt, sizeof yt, m, q->n_y);
        gicsim_line_chart ch = {.title = q->title,
                                .x_label = xt,
                                .y_label = yt,
                                .log_x = q->log_x,
                                .log_y = q->log_y,
                                .x_categories = numeric ? NULL : cats,
                                .n_categories = numeric ? 0 : n_cats,
                                .series = ps,
                                .n_series = ns,
                                .style = q->style};
        /* Written under a temporary name, renamed into place on success. */
        cli_out co = {0};
        code = cli_out_create(&co, out);
        if (!code) {
            gicsim_status st = gicsim_output_lines_svg(cli_out_name(&co), &ch);
            if (st == GICSIM_E_IO)
                code = cli_out_write_error(&co, errno);
            else if (st != GICSIM_OK) {
                cli_errorf("%s: cannot draw the chart: %s", out, gicsim_strerror(st));
                code = EX_SOFTWARE;
            } else
                code = cli_out_commit(&co);
        }
        cli_out_discard(&co);
    }
    for (size_t s = 0; sv && s < ns; s++) {
        free(sv[s].x);
        free(sv[s].y);
        free(sv[s].lo);
        free(sv[s].hi);
        free(sv[s].row);
    }
    free(sv);
    free(ps);
    free(keep);
    free(cats);
    free(bys);
    return code;
}

/* ---- Options ----------------------------------------------------------------------------------
 */

static bool parse_size(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return false;
    *out = (unsigned)v;
    return true;
}

int cmd_plot(int argc, char **argv)
{
    plot_req q;
    memset(&q, 0, sizeof q);
    const char *in = NULL, *out = NULL;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char **dst = NULL;
        unsigned *num = NULL;
        unsigned lo = 1, hi = 10000;
        if (!strcmp(a, "--log-x") || !strcmp(a, "--log-y") || !strcmp(a, "--no-ci")) {
            *(a[2] == 'n' ? &q.no_ci : a[6] == 'x' ? &q.log_x : &q.log_y) = true;
            continue;
        }
        if (!strcmp(a, "--x"))
            dst = &q.x;
        else if (!strcmp(a, "--by"))
            dst = &q.by;
        else if (!strcmp(a, "--source"))
            dst = &q.source;
        else if (!strcmp(a, "--title"))
            dst = &q.title;
        else if (!strcmp(a, "--xlabel"))
            dst = &q.x_label;
        else if (!strcmp(a, "--ylabel"))
            dst = &q.y_label;
        else if (!strcmp(a, "-o") || !strcmp(a, "--output"))
            dst = &out;
        else if (!strcmp(a, "--width"))
            num = &q.style.width;
        else if (!strcmp(a, "--height"))
            num = &q.style.height;
        else if (!strcmp(a, "--font-size")) {
            num = &q.style.font_size;
            lo = 4;
            hi = 100;
        }
        if (dst) {
            if (!(*dst = cli_option_value(argc, argv, &i, "a value")))
                return EX_USAGE;
            continue;
        }
        if (num) {
            const char *v = cli_option_value(argc, argv, &i, "a number");
            if (!v)
                return EX_USAGE;
            if (!parse_size(v, lo, hi, num))
                return cli_usage_error("%s needs a number %u..%u, not '%s'", a, lo, hi, v);
            continue;
        }
        if (!strcmp(a, "--y")) {
            char *list = cli_option_value(argc, argv, &i, "metrics (p99 or p50,p99)");
            if (!list)
                return EX_USAGE;
            q.n_y = 0;
            for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
                if (q.n_y == MAX_Y)
                    return cli_usage_error("at most %d metrics", MAX_Y);
                q.y[q.n_y++] = tok;
            }
            continue;
        }
        if (!strcmp(a, "--where")) {
            const char *w = cli_option_value(argc, argv, &i, "COLUMN=VALUE");
            if (!w)
                return EX_USAGE;
            if (!strchr(w, '=') || w[0] == '=')
                return cli_usage_error("--where needs COLUMN=VALUE, not '%s'", w);
            if (q.n_where == MAX_WHERE)
                return cli_usage_error("at most %d filters", MAX_WHERE);
            q.where[q.n_where++] = w;
            continue;
        }
        if (a[0] == '-' && a[1])
            return cli_usage_error("unknown option '%s'", a);
        if (in)
            return cli_usage_error("unexpected argument '%s'", a);
        in = a;
    }
    if (!in || !q.x || !q.n_y || !out)
        return cli_usage_error("plot needs DIR (or a summary.csv), --x, --y and -o FIG.svg");
    /* A sweep's directory: its summary.csv. */
    struct stat s;
    char *path = NULL;
    if (stat(in, &s) == 0 && S_ISDIR(s.st_mode)) {
        size_t n = strlen(in) + 16;
        if (!(path = malloc(n)))
            return EX_SOFTWARE;
        snprintf(path, n, "%s/summary.csv", in);
    }
    gicsim_diag d;
    gicsim_sweep_csv *t = NULL;
    gicsim_status st = gicsim_sweep_csv_read(path ? path : in, &t, &d);
    int code;
    if (st != GICSIM_OK) {
        cli_report_diag(&d, st);
        code = st == GICSIM_E_NOMEM ? EX_SOFTWARE : st == GICSIM_E_PARSE ? EX_DATAERR : EX_CONFIG;
    } else {
        code = plot(&q, t, path ? path : in, out);
    }
    gicsim_sweep_csv_free(t);
    free(path);
    return code;
}
