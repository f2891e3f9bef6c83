/* gicsim: register-level conformance scripts (see gicsim/scenario.h,
 * docs/scenarios.md and, for the files and the step table, script_internal.h):
 * loading, running (stopping at the first failed expectation, or reporting
 * every one), the step-kind registry, expectations and the field readers
 * every step family shares. */
#include "script_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Names --------------------------------------------------------------------------- */

static const struct {
    const char *name;
    gicsim_status st;
} status_names[] = {
    {"ok", GICSIM_OK},
    {"inval", GICSIM_E_INVAL},
    {"nomem", GICSIM_E_NOMEM},
    {"range", GICSIM_E_RANGE},
    {"notfound", GICSIM_E_NOTFOUND},
    {"exists", GICSIM_E_EXISTS},
    {"full", GICSIM_E_FULL},
    {"state", GICSIM_E_STATE},
    {"io", GICSIM_E_IO},
    {"parse", GICSIM_E_PARSE},
    {"unsupported", GICSIM_E_UNSUPPORTED},
};
#define N_STATUS (sizeof status_names / sizeof status_names[0])

const char *script_status_name(gicsim_status st)
{
    for (size_t i = 0; i < N_STATUS; i++)
        if (status_names[i].st == st)
            return status_names[i].name;
    return "?";
}

bool script_status_check(const step *s, gicsim_status st, char *msg, size_t msize)
{
    if (st == s->status)
        return true;
    snprintf(msg, msize, "expected status %s, got %s (%s)", script_status_name(s->status),
             script_status_name(st), gicsim_strerror(st));
    return false;
}

/* ---- Field readers ---------------------------------------------------------------------- */

gicsim_status script_req(const yt_node *map, const char *path, const char *key, const yt_node **out,
                         gicsim_diag *d)
{
    *out = yt_map_get(map, key);
    if (*out)
        return GICSIM_OK;
    char kp[256];
    yt_path(kp, sizeof kp, path, key);
    return yt_diag(d, GICSIM_E_INVAL, map->file, map->line, map->col, kp,
                   "missing required key \"%s\"", key);
}

gicsim_status script_u64(const yt_node *map, const char *path, const char *key, bool required,
                         uint64_t min, uint64_t max, uint64_t *out, bool *present, gicsim_diag *d)
{
    char kp[256];
    const yt_node *v = yt_map_get(map, key);
    if (present)
        *present = v != NULL;
    if (!v)
        return required ? script_req(map, path, key, &v, d) : GICSIM_OK;
    yt_path(kp, sizeof kp, path, key);
    return yt_get_u64(v, kp, min, max, out, d);
}

gicsim_status script_pe(const yt_node *map, const char *path, const gicsim_script *sc,
                        bool required, uint32_t *pe, gicsim_diag *d)
{
    uint64_t v = 0;
    bool present;
    TRY(script_u64(map, path, "pe", required, 0, UINT32_MAX, &v, &present, d));
    if (present && v >= sc->gic.num_pes) {
        char kp[256];
        yt_path(kp, sizeof kp, path, "pe");
        return yt_node_err(d, yt_map_get(map, "pe"), kp, "PE %llu does not exist (gic.pes is %u)",
                           (unsigned long long)v, (unsigned)sc->gic.num_pes);
    }
    *pe = (uint32_t)v;
    return GICSIM_OK;
}

gicsim_status script_bool(const yt_node *n, const char *path, bool *out, gicsim_diag *d)
{
    if (n->kind == YT_SCALAR && n->plain && (!strcmp(n->str, "0") || !strcmp(n->str, "1"))) {
        *out = n->str[0] == '1';
        return GICSIM_OK;
    }
    return yt_get_bool(n, path, out, d);
}

gicsim_status script_status(const yt_node *map, const char *path, step *s, gicsim_diag *d)
{
    const yt_node *n = yt_map_get(map, "status");
    s->status = GICSIM_OK;
    if (!n)
        return GICSIM_OK;
    const char *names[N_STATUS + 1];
    for (size_t i = 0; i < N_STATUS; i++)
        names[i] = status_names[i].name;
    names[N_STATUS] = NULL;
    unsigned idx;
    char kp[256];
    yt_path(kp, sizeof kp, path, "status");
    TRY(yt_get_enum(n, kp, names, &idx, d));
    s->status = status_names[idx].st;
    return GICSIM_OK;
}

gicsim_status script_size(const yt_node *map, const char *path, unsigned def, unsigned *out,
                          gicsim_diag *d)
{
    uint64_t u = def;
    TRY(script_u64(map, path, "size", false, 1, 8, &u, NULL, d));
    if (u != 1 && u != 2 && u != 4 && u != 8) {
        char kp[256];
        yt_path(kp, sizeof kp, path, "size");
        return yt_node_err(d, yt_map_get(map, "size"), kp,
                           "an access is 1, 2, 4 or 8 bytes, not %llu", (unsigned long long)u);
    }
    *out = (unsigned)u;
    return GICSIM_OK;
}

/* ---- Expectations -------------------------------------------------------------------------- */

/* `one_of`: a list of 1..SCRIPT_MAX_ONE_OF integers up to `max`. */
static gicsim_status parse_one_of(const yt_node *n, const char *path, uint64_t max,
                                  script_expect *ex, gicsim_diag *d)
{
    char kp[256], ip[280];
    yt_path(kp, sizeof kp, path, "one_of");
    if (n->kind != YT_SEQ || n->n < 1 || n->n > SCRIPT_MAX_ONE_OF)
        return yt_node_err(d, n, kp, "expected a list of 1 to %d values, got %s", SCRIPT_MAX_ONE_OF,
                           n->kind == YT_SEQ ? (n->n ? "more" : "an empty list") : yt_type_name(n));
    for (size_t i = 0; i < n->n; i++) {
        yt_path_index(ip, sizeof ip, kp, i);
        TRY(yt_get_u64(n->items[i], ip, 0, max, &ex->v[i], d));
    }
    ex->n = (unsigned)n->n;
    return GICSIM_OK;
}

/* One of the keys `single` (a value) or `one_of`, not both. */
static gicsim_status parse_values(const yt_node *map, const char *path, const char *single,
                                  uint64_t max, bool required, script_expect *ex, gicsim_diag *d)
{
    const yt_node *one = yt_map_get(map, single), *many = yt_map_get(map, "one_of");
    ex->n = 0;
    ex->mask = UINT64_MAX;
    if (one && many) {
        char kp[256];
        yt_path(kp, sizeof kp, path, "one_of");
        return yt_node_err(d, many, kp, "give \"%s\" or \"one_of\", not both", single);
    }
    if (many)
        return parse_one_of(many, path, max, ex, d);
    if (one) {
        ex->n = 1;
        return script_u64(map, path, single, true, 0, max, &ex->v[0], NULL, d);
    }
    if (!required)
        return GICSIM_OK;
    return yt_diag(d, GICSIM_E_INVAL, map->file, map->line, map->col, path,
                   "missing required key \"%s\" (or \"one_of\")", single);
}

gicsim_status script_expect_parse(const yt_node *map, const char *path, uint64_t max,
                                  script_expect *ex, gicsim_diag *d)
{
    TRY(parse_values(map, path, "expect", max, false, ex, d));
    bool has_mask;
    TRY(script_u64(map, path, "mask", false, 0, UINT64_MAX, &ex->mask, &has_mask, d));
    if (has_mask && !ex->n)
        return yt_diag(d, GICSIM_E_INVAL, map->file, map->line, map->col, path,
                       "\"mask\" needs \"expect\" or \"one_of\"");
    return GICSIM_OK;
}

gicsim_status script_expect_value(const yt_node *map, const char *path, script_expect *ex,
                                  gicsim_diag *d)
{
    return parse_values(map, path, "value", UINT64_MAX, true, ex, d);
}

bool script_expect_check(const script_expect *ex, uint64_t got, bool hex, char *msg, size_t msize)
{
    for (unsigned i = 0; i < ex->n; i++)
        if ((got & ex->mask) == (ex->v[i] & ex->mask))
            return true;
    if (!ex->n)
        return true;
    const char *fmt = hex ? "0x%llx" : "%llu";
    size_t len = (size_t)snprintf(msg, msize, "expected %s", ex->n > 1 ? "one of " : "");
    for (unsigned i = 0; i < ex->n && len < msize; i++) {
        if (i)
            len += (size_t)snprintf(msg + len, msize - len, ", ");
        if (len < msize)
            len += (size_t)snprintf(msg + len, msize - len, fmt,
                                    (unsigned long long)(ex->v[i] & ex->mask));
    }
    if (len < msize && ex->mask != UINT64_MAX)
        len += (size_t)snprintf(msg + len, msize - len, " (mask 0x%llx)",
                                (unsigned long long)ex->mask);
    if (len < msize)
        snprintf(msg + len, msize - len, hex ? ", got 0x%llx" : ", got %llu",
                 (unsigned long long)got);
    return false;
}

/* ---- Interrupt states, named registers, counters ------------------------------------------ */

static const char *const state_names[] = {"inactive", "pending", "active", "active-pending", NULL};

gicsim_status script_states(const yt_node *map, const char *path, unsigned *states, gicsim_diag *d)
{
    const yt_node *n;
    char kp[256], ip[280];
    unsigned idx;
    *states = 0;
    TRY(script_req(map, path, "state", &n, d));
    yt_path(kp, sizeof kp, path, "state");
    if (n->kind != YT_SEQ) {
        TRY(yt_get_enum(n, kp, state_names, &idx, d));
        *states = 1u << idx;
        return GICSIM_OK;
    }
    if (!n->n)
        return yt_node_err(d, n, kp, "expected a state or a list of states, got an empty list");
    for (size_t i = 0; i < n->n; i++) {
        yt_path_index(ip, sizeof ip, kp, i);
        TRY(yt_get_enum(n->items[i], ip, state_names, &idx, d));
        *states |= 1u << idx;
    }
    return GICSIM_OK;
}

bool script_states_check(unsigned states, gicsim_irq_state got, char *msg, size_t msize)
{
    if ((unsigned)got < 4 && (states >> got) & 1u)
        return true;
    size_t len = (size_t)snprintf(msg, msize, "expected ");
    for (unsigned i = 0, n = 0; i < 4 && len < msize; i++)
        if ((states >> i) & 1u)
            len +=
                (size_t)snprintf(msg + len, msize - len, "%s%s", n++ ? " or " : "", state_names[i]);
    if (len < msize)
        snprintf(msg + len, msize - len, ", got %s", (unsigned)got < 4 ? state_names[got] : "?");
    return false;
}

bool script_name_is(const char *s, const char *prefix, const char *name)
{
    size_t pl = strlen(prefix), i = 0;
    while (i < pl && s[i] && (s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]) == prefix[i])
        i++;
    if (i == pl)
        s += pl;
    for (; *s && *name; s++, name++)
        if ((*s >= 'a' && *s <= 'z' ? *s - 32 : *s) != *name)
            return false;
    return !*s && !*name;
}

gicsim_status script_reg_offset(const yt_node *map, const char *path, const char *prefix,
                                const script_reg *regs, size_t n, const char *hint,
                                uint32_t *offset, unsigned *def, gicsim_diag *d)
{
    const yt_node *v;
    char kp[256];
    *def = 4;
    TRY(script_req(map, path, "offset", &v, d));
    yt_path(kp, sizeof kp, path, "offset");
    if (v->kind == YT_SCALAR && v->plain && v->str[0] >= '0' && v->str[0] <= '9') {
        uint64_t u;
        TRY(yt_get_u64(v, kp, 0, UINT32_MAX, &u, d));
        *offset = (uint32_t)u;
        return GICSIM_OK;
    }
    const char *name;
    TRY(yt_get_str(v, kp, &name, d));
    for (size_t i = 0; i < n; i++)
        if (script_name_is(name, prefix, regs[i].name)) {
            *offset = regs[i].offset;
            *def = regs[i].size;
            return GICSIM_OK;
        }
    return yt_node_err(d, v, kp, "unknown %.*s register \"%.60s\" (%s, or an offset)",
                       (int)strcspn(prefix, "_"), prefix, name, hint);
}

gicsim_status script_field_parse(const yt_node *map, const char *path, const script_field *fields,
                                 size_t n, const char *hint, size_t *idx, gicsim_diag *d)
{
    const yt_node *v;
    char kp[256];
    const char *name;
    TRY(script_req(map, path, "name", &v, d));
    yt_path(kp, sizeof kp, path, "name");
    TRY(yt_get_str(v, kp, &name, d));
    for (*idx = 0; *idx < n; (*idx)++)
        if (!strcmp(fields[*idx].name, name))
            return GICSIM_OK;
    return yt_node_err(d, v, kp, "unknown statistic \"%.60s\" (%s)", name, hint);
}

uint64_t script_field_get(const void *base, const script_field *f)
{
    uint64_t v;
    memcpy(&v, (const char *)base + f->off, sizeof v);
    return v;
}

/* ---- The step-kind registry ---------------------------------------------------------------- */

static const struct {
    const step_kind *kinds;
    const size_t *count;
} families[] = {
    {script_gic_kinds, &script_gic_kind_count},
    {script_its_kinds, &script_its_kind_count},
    {script_mem_kinds, &script_mem_kind_count},
    {script_gicv5_kinds, &script_gicv5_kind_count},
};
#define N_FAMILIES (sizeof families / sizeof families[0])

static const step_kind *find_kind(const char *name)
{
    for (size_t f = 0; f < N_FAMILIES; f++)
        for (size_t i = 0; i < *families[f].count; i++)
            if (!strcmp(families[f].kinds[i].name, name))
                return &families[f].kinds[i];
    return NULL;
}

/* The known steps that share `name`'s prefix up to its first '_' (all when
 * none does), as a list for a diagnostic. */
static void similar_kinds(const char *name, char *buf, size_t size)
{
    const char *us = strchr(name, '_');
    size_t plen = us ? (size_t)(us - name) + 1 : 0, len = 0;
    buf[0] = '\0';
    for (int pass = 0; pass < 2 && !buf[0]; pass++)
        for (size_t f = 0; f < N_FAMILIES; f++)
            for (size_t i = 0; i < *families[f].count; i++) {
                const char *k = families[f].kinds[i].name;
                if (pass == 0 && (!plen || strncmp(k, name, plen)))
                    continue;
                if (len < size)
                    len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? ", " : "", k);
            }
}

/* ---- Loading ----------------------------------------------------------------------------- */

void gicsim_script_free(gicsim_script *s)
{
    if (!s)
        return;
    free(s->file);
    free(s->name);
    free(s->steps);
    free(s);
}

static gicsim_status parse_step(gicsim_script *sc, const yt_node *n, size_t i, gicsim_diag *d)
{
    char path[64], kp[256];
    snprintf(path, sizeof path, "steps.%zu", i);
    step *s = &sc->steps[i];
    memset(s, 0, sizeof *s);
    s->line = n->line;
    if (n->kind != YT_MAP || n->n != 1)
        return yt_diag(d, GICSIM_E_INVAL, n->file, n->line, n->col, path,
                       "a step is a mapping with exactly one key, its kind (e.g. \"- icc_read: "
                       "{pe: 0, reg: IAR1, expect: 0x20}\"); got %s%s",
                       n->kind == YT_MAP ? "a mapping with " : yt_type_name(n),
                       n->kind == YT_MAP ? (n->n ? "several keys (indent the step's fields "
                                                   "under its kind)"
                                                 : "no key")
                                         : "");
    const yt_pair *p = &n->pairs[0];
    yt_path(kp, sizeof kp, path, p->key);
    const step_kind *sk = find_kind(p->key);
    if (!sk) {
        char list[360];
        similar_kinds(p->key, list, sizeof list);
        return yt_diag(d, GICSIM_E_INVAL, n->file, p->line, p->col, kp,
                       "unknown step \"%.40s\" (steps: %s)", p->key, list);
    }
    s->kind = sk;
    s->line = p->line;
    if (sk->keys) {
        if (p->value->kind != YT_MAP && !yt_is_null(p->value))
            return yt_diag(d, GICSIM_E_INVAL, p->value->file, p->value->line, p->value->col, kp,
                           "expected a mapping of the step's fields, got %s",
                           yt_type_name(p->value));
        TRY(yt_check_map(p->value, kp, sk->keys, d));
    }
    return sk->parse(sk, p->value, kp, sc, s, d);
}

static const char *const script_keys[] = {"script", "description", "gic", "timing", "steps", NULL};

static gicsim_status load_script(gicsim_script *sc, const yt_node *root, gicsim_diag *d)
{
    if (!root || yt_is_null(root))
        return yt_diag(d, GICSIM_E_INVAL, sc->file, root ? root->line : 1, root ? root->col : 1, "",
                       "the script is empty: expected a mapping with \"script\" and "
                       "\"steps\"");
    if (root->kind != YT_MAP)
        return yt_diag(d, GICSIM_E_INVAL, sc->file, root->line, root->col, "",
                       "a script must be a mapping, got %s", yt_type_name(root));
    TRY(yt_check_map(root, "", script_keys, d));
    const yt_node *n;
    TRY(script_req(root, "", "script", &n, d));
    const char *name;
    TRY(yt_get_str(n, "script", &name, d));
    if (!(sc->name = strdup(name)))
        return yt_diag(d, GICSIM_E_NOMEM, sc->file, 0, 0, "", "out of memory");
    if ((n = yt_map_get(root, "description"))) {
        const char *desc;
        TRY(yt_get_str(n, "description", &desc, d));
    }
    gicsim_gic_config_init(&sc->gic);
    TRY(sc_parse_gic(yt_map_get(root, "gic"), "gic", &sc->gic, d));
    gicsim_timing_init(&sc->timing);
    if ((n = yt_map_get(root, "timing"))) {
        const char *pname;
        sc_platform plat;
        TRY(yt_get_str(n, "timing", &pname, d));
        TRY(sc_platform_load(pname, sc->file, n, "timing", &plat, d));
        sc->timing = plat.timing;
        sc_platform_free(&plat);
    }
    const yt_node *steps;
    TRY(script_req(root, "", "steps", &steps, d));
    TRY(yt_check_seq(steps, "steps", d));
    if (steps->kind != YT_SEQ || steps->n == 0)
        return yt_diag(d, GICSIM_E_INVAL, steps->file, steps->line, steps->col, "steps",
                       "a script needs at least one step");
    if (!(sc->steps = calloc(steps->n, sizeof *sc->steps)))
        return yt_diag(d, GICSIM_E_NOMEM, sc->file, 0, 0, "", "out of memory");
    sc->n_steps = steps->n;
    for (size_t i = 0; i < steps->n; i++)
        TRY(parse_step(sc, steps->items[i], i, d));
    return GICSIM_OK;
}

static gicsim_status load_text(const char *text, size_t len, const char *file, gicsim_script **out,
                               gicsim_diag *d)
{
    gicsim_script *sc = calloc(1, sizeof *sc);
    if (!sc || !(sc->file = strdup(file))) {
        free(sc);
        return yt_diag(d, GICSIM_E_NOMEM, file, 0, 0, "", "out of memory");
    }
    yt_node *root = NULL;
    gicsim_status st = yt_parse(text, len, sc->file, 0, 0, &root, d);
    if (st == GICSIM_OK)
        st = load_script(sc, root, d);
    yt_free(root);
    if (st != GICSIM_OK) {
        gicsim_script_free(sc);
        return st;
    }
    *out = sc;
    return GICSIM_OK;
}

gicsim_status gicsim_script_load(const char *path, gicsim_script **out, gicsim_diag *diag)
{
    if (diag)
        memset(diag, 0, sizeof *diag);
    if (!out || !path)
        return yt_diag(diag, GICSIM_E_INVAL, path ? path : "", 0, 0, "", "no path or output");
    *out = NULL;
    char *text;
    size_t len;
    TRY(yt_read_file(path, &text, &len, diag));
    gicsim_status st = load_text(text, len, path, out, diag);
    free(text);
    return st;
}

gicsim_status gicsim_script_load_string(const char *yaml, const char *name, gicsim_script **out,
                                        gicsim_diag *diag)
{
    if (diag)
        memset(diag, 0, sizeof *diag);
    if (!name)
        name = "<string>";
    if (!out || !yaml)
        return yt_diag(diag, GICSIM_E_INVAL, name, 0, 0, "", "no text or output");
    *out = NULL;
    return load_text(yaml, strlen(yaml), name, out, diag);
}

const char *gicsim_script_name(const gicsim_script *s)
{
    return s ? s->name : NULL;
}

size_t gicsim_script_step_count(const gicsim_script *s)
{
    return s ? s->n_steps : 0;
}

/* ---- Running ------------------------------------------------------------------------------- */

/* Run `s` on a fresh engine and GIC. Without `all`, stop at the first
 * failed step (res describes it); with it, run every step, hand each
 * failure to `fn` and summarise in res. */
static gicsim_status run(const gicsim_script *s, bool all, gicsim_script_failure_fn fn, void *ctx,
                         gicsim_script_result *res, size_t *n_failed)
{
    gicsim_script_result local;
    if (!res)
        res = &local;
    memset(res, 0, sizeof *res);
    res->failed_step = SIZE_MAX;
    if (n_failed)
        *n_failed = 0;
    if (!s) {
        snprintf(res->message, sizeof res->message, "no script");
        return GICSIM_E_INVAL;
    }
    run_ctx r = {0};
    gicsim_status st = gicsim_engine_create(&r.e);
    if (st == GICSIM_OK) {
        gicsim_gic_config cfg = s->gic;
        cfg.timing = &s->timing;
        st = gicsim_gic_create(r.e, &cfg, &r.gic);
    }
    if (st != GICSIM_OK) {
        snprintf(res->message, sizeof res->message, "cannot create the GIC: %s",
                 gicsim_strerror(st));
        gicsim_engine_destroy(r.e);
        return st;
    }
    size_t failed = 0;
    char first[sizeof res->message] = "";
    for (size_t i = 0; i < s->n_steps; i++) {
        const step *sp = &s->steps[i];
        char what[160] = "", msg[300] = "";
        res->steps_run = i + 1;
        if (sp->kind->exec(&r, sp->kind, sp, what, sizeof what, msg, sizeof msg))
            continue;
        gicsim_script_result f = {.steps_run = i + 1, .failed_step = i, .line = sp->line};
        snprintf(f.message, sizeof f.message, "step %zu (line %u): %s: %s", i, sp->line, what, msg);
        if (!failed++) {
            res->failed_step = i;
            res->line = sp->line;
            memcpy(first, f.message, sizeof first);
        }
        if (!all)
            break;
        if (fn)
            fn(ctx, &f);
    }
    if (n_failed)
        *n_failed = failed;
    if (!failed)
        snprintf(res->message, sizeof res->message, "%zu steps passed", s->n_steps);
    else if (!all)
        memcpy(res->message, first, sizeof res->message);
    else
        snprintf(res->message, sizeof res->message, "%zu of %zu steps failed; first: %.440s",
                 failed, s->n_steps, first);
    gicsim_gic_destroy(r.gic);
    gicsim_engine_destroy(r.e);
    return failed ? GICSIM_E_STATE : GICSIM_OK;
}

gicsim_status gicsim_script_run(const gicsim_script *s, gicsim_script_result *res)
{
    return run(s, false, NULL, NULL, res, NULL);
}

gicsim_status gicsim_script_run_all(const gicsim_script *s, gicsim_script_failure_fn on_failure,
                                    void *ctx, gicsim_script_result *res, size_t *n_failed)
{
    return run(s, true, on_failure, ctx, res, n_failed);
}
