/* gicsim run and compare, the output files (cmd_run.h): every file the
 * command writes, created before the first simulation (out_set: compare's
 * per-policy names, the same file named twice), and the whole-command
 * ones written after the runs, the JSON summary (with its "replications"
 * and "intervals" members) and the CDF across runs. */
#include "cmd_run.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* "out.csv" + "eoi-split" -> "out.eoi-split.csv" (before a .gz too). */
static char *per_policy_path(const char *path, const char *policy)
{
    size_t n = strlen(path) + strlen(policy) + 2;
    char *s = malloc(n);
    if (!s)
        return NULL;
    const char *base = cli_base_name(path);
    const char *dot = strchr(base, '.');
    if (!dot || dot == base) {
        snprintf(s, n, "%s.%s", path, policy);
        return s;
    }
    snprintf(s, n, "%.*s.%s%s", (int)(dot - path), path, policy, dot);
    return s;
}

/* Room for `cap` outputs, allocated once: the cli_out pointers handed out
 * stay valid. */
static int out_set_init(out_set *s, size_t cap)
{
    s->outs = calloc(cap, sizeof *s->outs);
    s->paths = calloc(cap, sizeof *s->paths);
    s->flags = calloc(cap, sizeof *s->flags);
    s->cap = cap;
    return s->outs && s->paths && s->flags ? EX_OK : EX_SOFTWARE;
}

void run_out_set_free(out_set *s, bool commit, int *code)
{
    for (size_t i = 0; i < s->n; i++) {
        if (commit && *code == EX_OK)
            *code = cli_out_commit(&s->outs[i]);
        else
            cli_out_discard(&s->outs[i]);
        free(s->paths[i]);
    }
    free(s->outs);
    free(s->paths);
    free(s->flags);
}

/* Adds the output `path` (named by `flag`): EX_OK with *out set, or the
 * exit code after a message (the same file named twice, '-' where only
 * --json takes it, a file that cannot be created). */
static int out_set_add(out_set *s, const char *path, const char *flag, bool stdout_ok,
                       cli_out **out)
{
    if (!strcmp(path, "-") && !stdout_ok)
        return cli_usage_error("%s: '-' (standard output) is only for --json", flag);
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->paths[i], path))
            return cli_usage_error("%s and %s both write '%s'", s->flags[i], flag, path);
    if (s->n == s->cap)
        return EX_SOFTWARE; /* out_set_init sized it for every output */
    char *copy = strdup(path);
    if (!copy)
        return EX_SOFTWARE;
    int code = cli_out_create(&s->outs[s->n], copy);
    if (code) {
        free(copy);
        return code;
    }
    s->paths[s->n] = copy;
    s->flags[s->n] = flag;
    *out = &s->outs[s->n++];
    return EX_OK;
}

static const char *output_path(const run_ctx *rc, const char *kind, const char *flag)
{
    return flag ? flag : gicsim_scenario_output(rc->sc, kind);
}

/* Creates every output of the command (out_set_add), per run in ro[0..n-1]. */
int run_create_outputs(const run_ctx *rc, const plan *pl, const run_result *labels, out_set *set,
                       run_outputs *ro, cli_out **json, cli_out **cdf)
{
    static const char *const flags[OUT_PER_RUN] = {"--csv", "--perfetto", "--vcd"};
    const options *o = rc->o;
    const char *paths[OUT_PER_RUN] = {output_path(rc, "csv", o->csv),
                                      output_path(rc, "perfetto", o->perfetto),
                                      output_path(rc, "vcd", o->vcd)};
    int code = out_set_init(set, 3 + OUT_PER_RUN * pl->n);
    const char *jp = output_path(rc, "json", o->json), *cp = output_path(rc, "cdf", o->cdf);
    if (!code && jp)
        code = out_set_add(set, jp, o->json ? "--json" : "outputs.json", true, json);
    if (!code && cp)
        code = out_set_add(set, cp, o->cdf ? "--cdf" : "outputs.cdf", false, cdf);
    for (size_t i = 0; i < pl->n && !code; i++) {
        for (size_t k = 0; k < OUT_PER_RUN && !code; k++) {
            if (!paths[k])
                continue;
            char *path =
                rc->compare ? per_policy_path(paths[k], labels[i].policy) : strdup(paths[k]);
            code = path ? out_set_add(set, path, flags[k], false, &ro[i].o[k]) : EX_SOFTWARE;
            free(path);
        }
    }
    if (!code && o->record && !rc->compare)
        code = out_set_add(set, o->record, "--record", false, &ro[0].record);
    return code;
}

/* Run i's summary object `one` (it ends in "\n}") with its "intervals"
 * and "replications" members (those it has) before the closing brace. */
static void json_with_extras(FILE *f, const char *one, const intervals *iv, const run_result *r,
                             size_t i)
{
    size_t len = strlen(one);
    while (len && one[len - 1] != '}')
        len--;
    if (len && one[len - 1] == '}')
        len--;
    while (len && one[len - 1] == '\n')
        len--;
    fwrite(one, 1, len, f);
    if (r[i].reps)
        run_json_replications(f, r, i);
    if (iv && iv->v)
        run_json_intervals(f, iv, i);
    fputs("\n}", f);
}

int run_write_json(const run_ctx *rc, const run_result *r, size_t n, const intervals *iv,
                   cli_out *out)
{
    FILE *f = cli_out_open(out);
    if (!f)
        return EX_CANTCREAT;
    if (n == 0) { /* compare with no policy to run (a scenario without VMs) */
        fputs("{\"compare\":[]}\n", f);
        return EX_OK;
    }
    for (size_t i = 0; i < n; i++) {
        gicsim_output_info info = {gicsim_scenario_name(rc->sc),
                                   r[i].policy,
                                   rc->resolved,
                                   rc->src_names,
                                   rc->n_src,
                                   rc->vm_names,
                                   rc->n_vms};
        char *one = NULL;
        if (gicsim_output_summary_json(r[i].sys, &info, &one) != GICSIM_OK) {
            cli_errorf("%s: out of memory", out->path);
            return EX_SOFTWARE;
        }
        if (n > 1)
            fputs(i == 0 ? "{\"compare\":[" : ",", f);
        if ((iv && iv->v) || r[i].reps)
            json_with_extras(f, one, iv, r, i);
        else
            fputs(one, f);
        free(one);
    }
    fputs(n > 1 ? "]}\n" : "\n", f);
    return ferror(f) ? cli_out_write_error(out, errno) : EX_OK;
}

/* run: the curve of all sources, then one per source (sources of different
 * kinds, a VM's timer and a bare-metal one, are not one distribution);
 * compare: one curve (all sources) per policy. */
int run_write_cdf(const run_ctx *rc, const run_result *r, size_t n, cli_out *out)
{
    size_t m = n == 1 ? rc->n_src + 1 : n;
    const char **labels = calloc(m ? m : 1, sizeof *labels);
    const gicsim_histogram **h = calloc(m ? m : 1, sizeof *h);
    if (!labels || !h) {
        free(labels);
        free(h);
        return EX_SOFTWARE;
    }
    char title[256];
    if (n == 1) {
        labels[0] = "all sources";
        h[0] = gicsim_system_latency(r[0].sys, UINT32_MAX);
        for (size_t i = 0; i < rc->n_src; i++) {
            labels[i + 1] = rc->src_names[i];
            h[i + 1] = gicsim_system_latency(r[0].sys, (uint32_t)i);
        }
        snprintf(title, sizeof title, "%s (%s): delivery latency CDF", gicsim_scenario_name(rc->sc),
                 r[0].policy);
    } else {
        for (size_t i = 0; i < n; i++) {
            labels[i] = r[i].policy;
            h[i] = gicsim_system_latency(r[i].sys, UINT32_MAX);
        }
        snprintf(title, sizeof title, "%s: delivery latency CDF", gicsim_scenario_name(rc->sc));
    }
    errno = 0;
    gicsim_status st = gicsim_output_cdf_svg(cli_out_name(out), title, labels, h, m);
    int code = st == GICSIM_OK ? EX_OK : run_writer_error(out, st, false, errno);
    free(labels);
    free(h);
    return code;
}
