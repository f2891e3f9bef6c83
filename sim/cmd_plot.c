/* gicsim plot DIR|SUMMARY.csv --x COLUMN --y METRIC -o FIG.svg: a sweep's
 * summary as lines with 95% confidence bands (gicsim_sweep_plot_svg). */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_WHERE 32
#define MAX_Y 8

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
    gicsim_sweep_plot q;
    memset(&q, 0, sizeof q);
    const char *where[MAX_WHERE], *ys[MAX_Y];
    const char *in = NULL, *out = NULL;
    char *ylist = NULL;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char **dst = NULL;
        unsigned *num = NULL;
        unsigned lo = 1, hi = 10000;
        if (!strcmp(a, "--log-x")) {
            q.log_x = true;
            continue;
        }
        if (!strcmp(a, "--log-y")) {
            q.log_y = true;
            continue;
        }
        if (!strcmp(a, "--no-ci")) {
            q.no_ci = true;
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
            if (!(ylist = cli_option_value(argc, argv, &i, "metrics (p99 or p50,p99)")))
                return EX_USAGE;
            q.n_y = 0;
            for (char *tok = strtok(ylist, ","); tok; tok = strtok(NULL, ",")) {
                if (q.n_y == MAX_Y)
                    return cli_usage_error("at most %d metrics", MAX_Y);
                ys[q.n_y++] = tok;
            }
            continue;
        }
        if (!strcmp(a, "--where")) {
            const char *w = cli_option_value(argc, argv, &i, "COLUMN=VALUE");
            if (!w)
                return EX_USAGE;
            if (!strchr(w, '='))
                return cli_usage_error("--where needs COLUMN=VALUE, not '%s'", w);
            if (q.n_where == MAX_WHERE)
                return cli_usage_error("at most %d filters", MAX_WHERE);
            where[q.n_where++] = w;
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
    q.y = ys;
    q.where = where;
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
    gicsim_status st = gicsim_sweep_plot_svg(path ? path : in, &q, out, &d);
    free(path);
    if (st != GICSIM_OK) {
        cli_report_diag(&d, st);
        return st == GICSIM_E_NOMEM ? EX_SOFTWARE : st == GICSIM_E_PARSE ? EX_DATAERR : EX_CONFIG;
    }
    return EX_OK;
}
