/* gicsim: reading measured micro-bench figures for the calibration (see
 * gicsim_calib_measured_load in gicsim/calibrate.h): kvm-unit-tests
 * arm/micro-bench logs and YAML files. */
#include "calibrate_internal.h"
#include "config/yaml_tree.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *skip_ws(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

/* "<digits>.<digits>" at s: true with the value and the end. */
static bool decimal_field(const char *s, double *v, const char **end)
{
    const char *p = s;
    if (!isdigit((unsigned char)*p))
        return false;
    while (isdigit((unsigned char)*p))
        p++;
    if (*p != '.')
        return false;
    p++;
    if (!isdigit((unsigned char)*p))
        return false;
    while (isdigit((unsigned char)*p))
        p++;
    if (*p && *p != ' ' && *p != '\t')
        return false;
    *v = strtod(s, NULL);
    *end = p;
    return true;
}

/* A result line "NAME TOTAL.F AVG.F" (surrounding blanks allowed): the name
 * (NUL-terminated in name[]) and the average. */
static bool result_line(const char *line, char *name, size_t size, double *avg)
{
    const char *p = skip_ws(line), *start = p;
    while (isalnum((unsigned char)*p) || *p == '_')
        p++;
    size_t len = (size_t)(p - start);
    if (!len || len >= size || (*p != ' ' && *p != '\t'))
        return false;
    memcpy(name, start, len);
    name[len] = '\0';
    double total;
    const char *e;
    if (!decimal_field(skip_ws(p), &total, &e) || !decimal_field(skip_ws(e), avg, &e))
        return false;
    return *skip_ws(e) == '\0';
}

static bool header_line(const char *line)
{
    const char *p = skip_ws(line);
    return !strncmp(p, "name", 4) && strstr(p, "total ns") && strstr(p, "avg ns");
}

/* Split text into lines in place ("\r\n" or "\n"); returns the count. */
static size_t split_lines(char *text, char **lines)
{
    size_t n = 0;
    for (char *p = text; *p;) {
        lines[n++] = p;
        char *nl = strchr(p, '\n');
        if (nl) {
            *nl = '\0';
            p = nl + 1;
        } else {
            p += strlen(p);
        }
        size_t l = strlen(lines[n - 1]);
        if (l && lines[n - 1][l - 1] == '\r')
            lines[n - 1][l - 1] = '\0';
    }
    return n;
}

static gicsim_status load_log(const char *path, char **lines, size_t nl, gicsim_calib_measured *out,
                              gicsim_diag *d)
{
    unsigned seen_line[GICSIM_MB__COUNT] = {0};
    for (size_t i = 0; i < nl; i++) {
        char name[64];
        double avg;
        const char *p = skip_ws(lines[i]);
        bool ok = result_line(lines[i], name, sizeof name, &avg);
        if (!ok) {
            /* A known test's name starting a line that is not a result and
             * not "X test skipped" is a damaged result line. */
            size_t len = 0;
            while (isalnum((unsigned char)p[len]) || p[len] == '_')
                len++;
            gicsim_mb_test t;
            char word[64];
            if (len == 0 || len >= sizeof word)
                continue;
            memcpy(word, p, len);
            word[len] = '\0';
            if (gicsim_mb_test_lookup(word, &t) != GICSIM_OK)
                continue;
            const char *rest = skip_ws(p + len);
            if (!strncmp(rest, "test skipped", 12) || *rest == ':' || *rest == '\0')
                continue;
            return yt_diag(d, GICSIM_E_PARSE, path, (unsigned)i + 1, (unsigned)(p - lines[i]) + 1,
                           word,
                           "malformed result line: expected \"NAME TOTAL_NS AVG_NS\" with one "
                           "decimal each (kvm-unit-tests arm/micro-bench output)");
        }
        gicsim_mb_test t;
        if (gicsim_mb_test_lookup(name, &t) != GICSIM_OK) {
            out->n_ignored++;
            continue;
        }
        if (seen_line[t])
            return yt_diag(d, GICSIM_E_PARSE, path, (unsigned)i + 1, 1, name,
                           "a second result for %s (the first is on line %u): one run per file",
                           name, seen_line[t]);
        if (!(avg > 0))
            return yt_diag(d, GICSIM_E_PARSE, path, (unsigned)i + 1, 1, name,
                           "the average is 0 ns: no usable figure");
        seen_line[t] = (unsigned)i + 1;
        out->test[out->n] = t;
        out->ns[out->n] = avg;
        out->n++;
    }
    if (out->n == 0)
        return yt_diag(d, GICSIM_E_PARSE, path, 0, 0, "",
                       "no result line of a test gicsim models (%zu others) in the "
                       "kvm-unit-tests output",
                       out->n_ignored);
    return GICSIM_OK;
}

/* facts: {COST: CYCLES, ...}. */
static gicsim_status parse_facts(const yt_node *n, gicsim_calib_measured *out, gicsim_diag *d)
{
    if (!n || yt_is_null(n))
        return GICSIM_OK;
    if (n->kind != YT_MAP)
        return yt_diag(d, GICSIM_E_INVAL, n->file, n->line, n->col, "facts",
                       "expected a mapping of cost names to cycle counts, got %s", yt_type_name(n));
    for (size_t i = 0; i < n->n; i++) {
        const yt_pair *p = &n->pairs[i];
        char kp[256];
        gicsim_cost_id id;
        yt_path(kp, sizeof kp, "facts", p->key);
        if (gicsim_cost_lookup(p->key, &id) != GICSIM_OK)
            return yt_diag(d, GICSIM_E_INVAL, p->file, p->line, p->col, kp,
                           "unknown cost \"%.80s\" (the names are those of GICSIM_COST_LIST, "
                           "see docs/scenarios.md)",
                           p->key);
        /* A key repeated in one mapping is a parse error already. */
        gicsim_status st =
            yt_get_u64(p->value, kp, 0, UINT64_MAX / 2, &out->fact_cycles[out->n_facts], d);
        if (st != GICSIM_OK)
            return st;
        out->fact[out->n_facts++] = id;
    }
    return GICSIM_OK;
}

static gicsim_status load_yaml(const char *path, const char *text, size_t len,
                               gicsim_calib_measured *out, gicsim_diag *d)
{
    static const char *const keys[] = {"reference", "measured",   "description", "vhe",
                                       "kvm",       "clocks",     "uncertainty", "facts",
                                       "variation", "spread_fit", NULL};
    yt_node *root = NULL;
    gicsim_status st = yt_parse(text, len, path, 0, 0, &root, d);
    if (st != GICSIM_OK)
        return st;
    if (!root || yt_is_null(root)) {
        st = yt_diag(d, GICSIM_E_INVAL, path, 1, 1, "",
                     "empty: expected {reference: ..., measured: {TEST: NS, ...}} or "
                     "kvm-unit-tests arm/micro-bench output");
        goto out;
    }
    if (root->kind != YT_MAP) {
        st = yt_diag(d, GICSIM_E_INVAL, path, root->line, root->col, "",
                     "expected a mapping {reference: ..., measured: {TEST: NS, ...}} or "
                     "kvm-unit-tests arm/micro-bench output, got %s",
                     yt_type_name(root));
        goto out;
    }
    if ((st = yt_check_map(root, "", keys, d)) != GICSIM_OK)
        goto out;
    const yt_node *ref = yt_map_get(root, "reference");
    if (ref) {
        const char *s;
        if ((st = yt_get_str(ref, "reference", &s, d)) != GICSIM_OK)
            goto out;
        snprintf(out->reference, sizeof out->reference, "%s", s);
    }
    const yt_node *desc = yt_map_get(root, "description");
    if (desc) {
        const char *s;
        if ((st = yt_get_str(desc, "description", &s, d)) != GICSIM_OK)
            goto out;
        snprintf(out->description, sizeof out->description, "%s", s);
    }
    const yt_node *vhe = yt_map_get(root, "vhe");
    if (vhe) {
        if ((st = yt_get_bool(vhe, "vhe", &out->vhe, d)) != GICSIM_OK)
            goto out;
        out->has_vhe = true;
    }
    const yt_node *kvm = yt_map_get(root, "kvm");
    if (kvm) {
        gicsim_kvm_config_init(&out->kvm);
        if ((st = sc_platform_apply_kvm(kvm, "", &out->kvm, NULL, d)) != GICSIM_OK)
            goto out;
        out->has_kvm = true;
    }
    const yt_node *clocks = yt_map_get(root, "clocks");
    if (clocks) {
        static const char *const clock_keys[] = {"cpu", "gic", NULL};
        if ((st = yt_check_map(clocks, "clocks", clock_keys, d)) != GICSIM_OK)
            goto out;
        for (size_t i = 0; clocks->kind == YT_MAP && i < clocks->n; i++) {
            gicsim_clock_domain dom;
            char kp[64];
            snprintf(kp, sizeof kp, "clocks.%s", clocks->pairs[i].key);
            if (gicsim_clock_lookup(clocks->pairs[i].key, &dom) != GICSIM_OK)
                continue; /* yt_check_map accepted only known clocks */
            if ((st = yt_get_hz(clocks->pairs[i].value, kp, &out->clock_hz[dom], d)) != GICSIM_OK)
                goto out;
            out->has_clock[dom] = true;
        }
    }
    const yt_node *ms = yt_map_get(root, "measured");
    if (!ms) {
        st = yt_diag(d, GICSIM_E_INVAL, path, root->line, root->col, "measured",
                     "missing required key \"measured\"");
        goto out;
    }
    const char *src[GICSIM_MB__COUNT];
    if ((st = sc_parse_measured(ms, "measured", out->test, out->ns, out->uncertainty, src,
                                out->spread, &out->n, d)) != GICSIM_OK)
        goto out;
    for (size_t i = 0; i < out->n; i++)
        if (src[i])
            snprintf(out->source[i], sizeof out->source[i], "%s", src[i]);
    if (out->n == 0) {
        st = yt_diag(d, GICSIM_E_INVAL, path, ms->line, ms->col, "measured", "no measured figures");
        goto out;
    }
    const yt_node *unc = yt_map_get(root, "uncertainty");
    if (unc &&
        (st = sc_parse_percent(unc, "uncertainty", &out->default_uncertainty, d)) != GICSIM_OK)
        goto out;
    if ((st = parse_facts(yt_map_get(root, "facts"), out, d)) != GICSIM_OK)
        goto out;
    /* The machine's sources of spread: over the defaults here; gicsim
     * calibrate applies them over the base preset's (the settings the file
     * gives win). */
    gicsim_variation_init(&out->variation);
    const yt_node *var = yt_map_get(root, "variation");
    if (var) {
        if ((st = sc_parse_variation(var, "variation", &out->variation, NULL, d)) != GICSIM_OK)
            goto out;
        out->has_variation = true;
    }
    const yt_node *sf = yt_map_get(root, "spread_fit");
    if (sf)
        st = sc_parse_spread_params(sf, "spread_fit", &out->variation, out->spread_fit,
                                    &out->n_spread_fit, d);
out:
    yt_free(root);
    return st;
}

gicsim_status gicsim_calib_measured_load(const char *path, gicsim_calib_measured *out,
                                         gicsim_diag *diag)
{
    if (diag)
        memset(diag, 0, sizeof *diag);
    if (out)
        memset(out, 0, sizeof *out);
    if (!path || !out)
        return yt_diag(diag, GICSIM_E_INVAL, "", 0, 0, "", "no path or no result pointer");
    char *text;
    size_t len;
    gicsim_status st = yt_read_file(path, &text, &len, diag);
    if (st != GICSIM_OK)
        return st;
    /* Which format: a kvm-unit-tests header or result line of a known test. */
    size_t max_lines = 1;
    for (size_t i = 0; i < len; i++)
        max_lines += text[i] == '\n';
    char *copy = malloc(len + 1);
    char **lines = malloc(max_lines * sizeof *lines);
    if (!copy || !lines) {
        free(copy);
        free(lines);
        free(text);
        return yt_diag(diag, GICSIM_E_NOMEM, "", 0, 0, "", "out of memory");
    }
    memcpy(copy, text, len + 1);
    size_t nl = split_lines(copy, lines);
    bool log = false;
    for (size_t i = 0; i < nl && !log; i++) {
        char name[64];
        double avg;
        gicsim_mb_test t;
        log = header_line(lines[i]) || (result_line(lines[i], name, sizeof name, &avg) &&
                                        gicsim_mb_test_lookup(name, &t) == GICSIM_OK);
    }
    if (log) {
        out->kvm_unit_tests = true;
        st = load_log(path, lines, nl, out, diag);
    } else {
        st = load_yaml(path, text, len, out, diag);
    }
    free(copy);
    free(lines);
    free(text);
    if (st != GICSIM_OK) {
        memset(out, 0, sizeof *out);
        if (diag && st == GICSIM_E_NOMEM)
            snprintf(diag->message, sizeof diag->message, "out of memory");
    }
    return st;
}
