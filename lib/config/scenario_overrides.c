/* gicsim: scenario overrides (gicsim_scenario_load's `overrides`, the CLI's
 * -p key.path=value). Each is applied to the parsed tree before validation,
 * so an override is validated exactly like a key written in the file; the
 * nodes it adds point into "<override>" at line i + 1 (override i), with the
 * column of the text (counted in characters from the start of the override,
 * line breaks of a multi-line value included), for the diagnostics. */
#include "scenario_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char OVERRIDE_FILE[] = "<override>";

static bool all_digits(const char *s, size_t n)
{
    if (!n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* Turn a null scalar into an empty container in place. */
static void make_container(yt_node *n, yt_kind kind)
{
    free(n->str);
    n->str = NULL;
    n->kind = kind;
}

/* Override `idx`, the text `o`: its value (a YAML document of its own: a
 * scalar, or a flow list or mapping) replaces the node at its key path or is
 * added there. Missing mappings are created on the way; a numeric segment
 * indexes a list, and the index one past the end appends. */
static gicsim_status apply_override(yt_node *root, const char *o, unsigned idx, gicsim_diag *d)
{
    const unsigned line = idx + 1;
    const char *eq = strchr(o, '=');
    if (!eq || eq == o)
        return yt_diag(d, GICSIM_E_INVAL, OVERRIDE_FILE, line, 1, "",
                       "bad override \"%.200s\": expected key.path=value", o);
    size_t plen = (size_t)(eq - o);
    char path[256];
    snprintf(path, sizeof path, "%.*s", (int)(plen < 255 ? plen : 255), o);
    for (size_t i = 0; i < plen; i++) {
        char c = o[i];
        bool bad_dot = c == '.' && (i == 0 || o[i - 1] == '.' || i + 1 == plen);
        if (bad_dot || c == ' ' || c == '\t')
            return yt_diag(d, GICSIM_E_INVAL, OVERRIDE_FILE, line, (unsigned)i + 1, path,
                           "bad override \"%.200s\": the key path must be dot-separated names "
                           "and list indices, without spaces or empty parts",
                           o);
    }
    /* The value: a YAML document of its own (a scalar, or a flow list/mapping). */
    const char *val = eq + 1;
    unsigned vcol = (unsigned)(val - o);
    yt_node *value = NULL;
    gicsim_status st = yt_parse_inline(val, strlen(val), OVERRIDE_FILE, line, vcol + 1, &value, d);
    if (st != GICSIM_OK) {
        if (st == GICSIM_E_PARSE && d) {
            char msg[sizeof d->message];
            snprintf(msg, sizeof msg, "bad override value: %.480s", d->message);
            memcpy(d->message, msg, sizeof msg);
            snprintf(d->key, sizeof d->key, "%s", path);
        }
        return st == GICSIM_E_NOMEM ? st : GICSIM_E_INVAL;
    }
    if (!value) {
        value = yt_new(YT_SCALAR, OVERRIDE_FILE, line, vcol + 1);
        if (!value || !(value->str = yt_strdup(""))) {
            yt_free(value);
            return yt_nomem(d);
        }
    }
    /* Walk the path, creating what is missing. */
    yt_node *cur = root;
    const char *seg = o;
    for (;;) {
        const char *dot = memchr(seg, '.', (size_t)(eq - seg));
        size_t slen = dot ? (size_t)(dot - seg) : (size_t)(eq - seg);
        bool last = !dot;
        unsigned scol = (unsigned)(seg - o) + 1;
        char prefix[256];
        snprintf(prefix, sizeof prefix, "%.*s", (int)((size_t)(seg - o) + slen), o);
        char key[128];
        snprintf(key, sizeof key, "%.*s", (int)(slen < 127 ? slen : 127), seg);
        const char *next = last ? NULL : dot + 1;
        size_t nlen = 0;
        if (next) {
            const char *nd = memchr(next, '.', (size_t)(eq - next));
            nlen = nd ? (size_t)(nd - next) : (size_t)(eq - next);
        }
        yt_kind want = next && all_digits(next, nlen) ? YT_SEQ : YT_MAP;
        char parent[256]; /* the path up to the container that holds this segment */
        snprintf(parent, sizeof parent, "%.*s", (int)(seg > o ? seg - o - 1 : 0), o);
        if (yt_is_null(cur))
            make_container(cur, slen && all_digits(seg, slen) ? YT_SEQ : YT_MAP);
        if (cur->kind == YT_MAP) {
            yt_pair *p = yt_map_find(cur, key);
            if (last) {
                if (p) {
                    yt_free(p->value);
                    p->value = value;
                } else if (!yt_map_add(cur, key, line, scol, value)) {
                    yt_free(value);
                    return yt_nomem(d);
                }
                return GICSIM_OK;
            }
            if (!p) {
                yt_node *c = yt_new(want, OVERRIDE_FILE, line, scol);
                if (!c || !(p = yt_map_add(cur, key, line, scol, c))) {
                    yt_free(c);
                    yt_free(value);
                    return yt_nomem(d);
                }
            }
            cur = p->value;
        } else if (cur->kind == YT_SEQ) {
            if (!all_digits(seg, slen)) {
                yt_free(value);
                return yt_diag(d, GICSIM_E_INVAL, OVERRIDE_FILE, line, scol, prefix,
                               "bad override: \"%s\" is a list: address its elements by index, "
                               "not \"%s\"",
                               parent, key);
            }
            unsigned long long i = strtoull(key, NULL, 10);
            if (i > cur->n) {
                yt_free(value);
                return yt_diag(d, GICSIM_E_INVAL, OVERRIDE_FILE, line, scol, prefix,
                               "bad override: index %llu is past the end of the list "
                               "(%zu elements; index %zu appends)",
                               i, cur->n, cur->n);
            }
            if (i == cur->n) {
                yt_node *c = last ? value : yt_new(want, OVERRIDE_FILE, line, scol);
                if (!c || !yt_seq_push(cur, c)) {
                    if (c != value)
                        yt_free(c);
                    yt_free(value);
                    return yt_nomem(d);
                }
                if (last)
                    return GICSIM_OK;
                cur = c;
            } else if (last) {
                yt_free(cur->items[i]);
                cur->items[i] = value;
                return GICSIM_OK;
            } else {
                cur = cur->items[i];
            }
        } else {
            yt_free(value);
            return yt_diag(d, GICSIM_E_INVAL, OVERRIDE_FILE, line, scol, prefix,
                           "bad override: \"%s\" holds a value, not a mapping or list", parent);
        }
        seg = next;
    }
}

/* Where a key's value came from: 0 the file, i + 1 override i (an override
 * that replaces a value keeps the key's pair but brings its own node). */
static unsigned origin_of(const yt_pair *p)
{
    const yt_node *v = p->value;
    return v && v->file && !strcmp(v->file, OVERRIDE_FILE) ? v->line : 0;
}

int sc_origin_cmp(const yt_pair *a, const yt_pair *b)
{
    unsigned oa = origin_of(a), ob = origin_of(b);
    return oa < ob ? -1 : oa > ob ? 1 : 0;
}

gicsim_status sc_apply_overrides(yt_node *root, const char *const *overrides, size_t n,
                                 gicsim_diag *d)
{
    for (size_t i = 0; i < n; i++) {
        if (!overrides[i])
            return yt_diag(d, GICSIM_E_INVAL, OVERRIDE_FILE, (unsigned)i + 1, 0, "",
                           "override %zu is NULL", i);
        TRY(apply_override(root, overrides[i], (unsigned)i, d));
    }
    return GICSIM_OK;
}
