/* gicsim: the keys of a mapping, read the way every loader of the config
 * layer reads them (see yaml_tree.h): optional typed keys, required and
 * misplaced keys, lists of named mappings, the root of a document, and file
 * names relative to a document. Used by the platform preset loader
 * (platform.c) and the scenario loader (scenario*.c); it depends on
 * yaml_tree.c only. */
#include "yaml_tree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Diagnostics ---------------------------------------------------------------- */

char *yt_strdup(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

gicsim_status yt_nomem(gicsim_diag *d)
{
    return yt_diag(d, GICSIM_E_NOMEM, "", 0, 0, "", "out of memory");
}

gicsim_status yt_node_err(gicsim_diag *d, const yt_node *n, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    yt_vdiag(d, GICSIM_E_INVAL, n ? n->file : "", n ? n->line : 0, n ? n->col : 0, key, fmt, ap);
    va_end(ap);
    return GICSIM_E_INVAL;
}

gicsim_status yt_missing(gicsim_diag *d, const yt_node *map, const char *path, const char *key)
{
    char kp[256];
    yt_path(kp, sizeof kp, path, key);
    return yt_diag(d, GICSIM_E_INVAL, map->file, map->line, map->col, kp,
                   "missing required key \"%s\"", key);
}

gicsim_status yt_not_here(gicsim_diag *d, const yt_node *map, const char *path, const char *key,
                          const char *why)
{
    const yt_pair *p = yt_map_find(map, key);
    char kp[256];
    yt_path(kp, sizeof kp, path, key);
    if (!p)
        return yt_diag(d, GICSIM_E_INVAL, "", 0, 0, kp, "\"%s\" %s", key, why);
    return yt_diag(d, GICSIM_E_INVAL, p->file, p->line, p->col, kp, "\"%s\" %s", key, why);
}

/* ---- Optional keys ----------------------------------------------------------------- */

/* The value of `key` in `map` (NULL when absent; *present, if asked, says
 * which), with its key path in kp[256] when present. */
static const yt_node *opt_get(const yt_node *map, const char *path, const char *key, bool *present,
                              char kp[256])
{
    const yt_node *v = yt_map_get(map, key);
    if (present)
        *present = v != NULL;
    if (v)
        yt_path(kp, 256, path, key);
    return v;
}

gicsim_status yt_opt_u64(const yt_node *map, const char *path, const char *key, uint64_t min,
                         uint64_t max, uint64_t *out, bool *present, gicsim_diag *d)
{
    char kp[256];
    const yt_node *v = opt_get(map, path, key, present, kp);
    return v ? yt_get_u64(v, kp, min, max, out, d) : GICSIM_OK;
}

gicsim_status yt_opt_u32(const yt_node *map, const char *path, const char *key, uint64_t min,
                         uint64_t max, uint32_t *out, bool *present, gicsim_diag *d)
{
    uint64_t v = *out;
    TRY(yt_opt_u64(map, path, key, min, max, &v, present, d));
    *out = (uint32_t)v;
    return GICSIM_OK;
}

gicsim_status yt_opt_bool(const yt_node *map, const char *path, const char *key, bool *out,
                          bool *present, gicsim_diag *d)
{
    char kp[256];
    const yt_node *v = opt_get(map, path, key, present, kp);
    return v ? yt_get_bool(v, kp, out, d) : GICSIM_OK;
}

gicsim_status yt_opt_time(const yt_node *map, const char *path, const char *key, gicsim_time_t *out,
                          bool *present, gicsim_diag *d)
{
    char kp[256];
    const yt_node *v = opt_get(map, path, key, present, kp);
    return v ? yt_get_time(v, kp, out, d) : GICSIM_OK;
}

gicsim_status yt_opt_strdup(const yt_node *map, const char *path, const char *key, bool nonempty,
                            char **out, gicsim_diag *d)
{
    char kp[256];
    const yt_node *v = opt_get(map, path, key, NULL, kp);
    const char *s;
    if (!v)
        return GICSIM_OK;
    TRY(yt_get_str(v, kp, &s, d));
    if (nonempty && !*s)
        return yt_node_err(d, v, kp, "must not be empty");
    char *c = yt_strdup(s);
    if (!c)
        return yt_nomem(d);
    free(*out);
    *out = c;
    return GICSIM_OK;
}

/* ---- Structure --------------------------------------------------------------------- */

gicsim_status yt_named_item(const yt_node *n, const char *path, const char *const *keys,
                            const char *what, const char *list, size_t i, yt_name_at_fn name_at,
                            const void *ctx, char **name, gicsim_diag *d)
{
    if (n->kind != YT_MAP)
        return yt_node_err(d, n, path, "expected a mapping (a %s), got %s", what, yt_type_name(n));
    TRY(yt_check_map(n, path, keys, d));
    const yt_node *nn = yt_map_get(n, "name");
    if (!nn)
        return yt_missing(d, n, path, "name");
    TRY(yt_opt_strdup(n, path, "name", true, name, d));
    for (size_t k = 0; k < i; k++)
        if (strcmp(name_at(ctx, k), *name) == 0) {
            char kp[256];
            yt_path(kp, sizeof kp, path, "name");
            return yt_node_err(d, nn, kp, "duplicate %s name \"%.80s\" (also %s.%zu)", what, *name,
                               list, k);
        }
    return GICSIM_OK;
}

gicsim_status yt_root_map(const yt_node *root, const char *file, unsigned line, unsigned col,
                          const char *empty, const char *not_map, gicsim_diag *d)
{
    if (!root || yt_is_null(root))
        return yt_diag(d, GICSIM_E_INVAL, file, line, col, "", "%s", empty);
    if (root->kind != YT_MAP)
        return yt_node_err(d, root, "", "%s, got %s", not_map, yt_type_name(root));
    return GICSIM_OK;
}

/* ---- File names -------------------------------------------------------------------- */

char *yt_dir_of(const char *file)
{
    const char *slash = strrchr(file, '/');
    if (!slash)
        return yt_strdup(".");
    if (slash == file)
        return yt_strdup("/");
    size_t n = (size_t)(slash - file);
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, file, n);
        d[n] = '\0';
    }
    return d;
}

char *yt_resolve_rel(const char *file, const char *rel)
{
    if (rel[0] == '/' || !strchr(file, '/'))
        return yt_strdup(rel);
    char *dir = yt_dir_of(file);
    if (!dir)
        return NULL;
    size_t n = strlen(dir) + strlen(rel) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", strcmp(dir, "/") ? dir : "", rel);
    free(dir);
    return p;
}
