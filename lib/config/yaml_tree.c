/* gicsim (internal): YAML documents as position-annotated trees (see
 * yaml_tree.h). Built from libyaml's event stream. */
#include "yaml_tree.h"

#include <yaml.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define YT_MAX_DEPTH 64
#define YT_MAX_NODES 100000u

/* ---- Diagnostics ---------------------------------------------------------------- */

static void copy_str(char *dst, size_t size, const char *src)
{
    if (!size)
        return;
    if (!src)
        src = "";
    size_t n = strlen(src);
    if (n >= size)
        n = size - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

gicsim_status yt_vdiag(gicsim_diag *diag, gicsim_status st, const char *file, unsigned line,
                       unsigned col, const char *key, const char *fmt, va_list ap)
{
    if (!diag)
        return st;
    copy_str(diag->file, sizeof diag->file, file);
    diag->line = line;
    diag->column = col;
    copy_str(diag->key, sizeof diag->key, key);
    vsnprintf(diag->message, sizeof diag->message, fmt, ap);
    return st;
}

gicsim_status yt_diag(gicsim_diag *diag, gicsim_status st, const char *file, unsigned line,
                      unsigned col, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    yt_vdiag(diag, st, file, line, col, key, fmt, ap);
    va_end(ap);
    return st;
}

void yt_path(char *buf, size_t size, const char *path, const char *seg)
{
    if (path && *path)
        snprintf(buf, size, "%s.%s", path, seg);
    else
        snprintf(buf, size, "%s", seg);
}

void yt_path_index(char *buf, size_t size, const char *path, size_t index)
{
    char seg[32];
    snprintf(seg, sizeof seg, "%zu", index);
    yt_path(buf, size, path, seg);
}

/* ---- Nodes ---------------------------------------------------------------------- */

yt_node *yt_new(yt_kind kind, const char *file, unsigned line, unsigned col)
{
    yt_node *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    n->kind = kind;
    n->file = file;
    n->line = line;
    n->col = col;
    n->plain = true;
    return n;
}

void yt_free(yt_node *n)
{
    if (!n)
        return;
    free(n->str);
    for (size_t i = 0; n->items && i < n->n; i++)
        yt_free(n->items[i]);
    for (size_t i = 0; n->pairs && i < n->n; i++) {
        free(n->pairs[i].key);
        yt_free(n->pairs[i].value);
    }
    free(n->items);
    free(n->pairs);
    free(n);
}

static bool grow(void **arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return true;
    size_t nc = *cap ? *cap * 2 : 4;
    while (nc < need)
        nc *= 2;
    void *p = realloc(*arr, nc * elem);
    if (!p)
        return false;
    *arr = p;
    *cap = nc;
    return true;
}

bool yt_seq_push(yt_node *seq, yt_node *item)
{
    if (!grow((void **)&seq->items, &seq->cap, seq->n + 1, sizeof *seq->items))
        return false;
    seq->items[seq->n++] = item;
    return true;
}

yt_pair *yt_map_add(yt_node *map, const char *key, unsigned line, unsigned col, yt_node *value)
{
    char *k = malloc(strlen(key) + 1);
    if (!k || !grow((void **)&map->pairs, &map->cap, map->n + 1, sizeof *map->pairs)) {
        free(k);
        return NULL;
    }
    strcpy(k, key);
    yt_pair *p = &map->pairs[map->n++];
    p->key = k;
    p->file = value ? value->file : map->file;
    p->line = line;
    p->col = col;
    p->value = value;
    return p;
}

yt_pair *yt_map_find(const yt_node *map, const char *key)
{
    if (!map || map->kind != YT_MAP)
        return NULL;
    for (size_t i = 0; i < map->n; i++)
        if (strcmp(map->pairs[i].key, key) == 0)
            return &map->pairs[i];
    return NULL;
}

yt_node *yt_map_get(const yt_node *map, const char *key)
{
    yt_pair *p = yt_map_find(map, key);
    return p ? p->value : NULL;
}

/* ---- Parsing -------------------------------------------------------------------- */

typedef struct yt_anchor {
    char *name;
    yt_node *node; /* owned by the tree */
} yt_anchor;

typedef struct pctx {
    yaml_parser_t p;
    const char *text;
    size_t len;
    const char *file;
    unsigned line_base, col_base;
    bool one_line; /* yt_parse_inline: every position on line line_base + 1 */
    size_t nodes;
    yt_anchor *anchors;
    size_t n_anchors, cap_anchors;
    gicsim_diag *diag;
} pctx;

static unsigned mark_line(const pctx *c, yaml_mark_t m)
{
    return c->one_line ? c->line_base + 1 : (unsigned)m.line + 1 + c->line_base;
}

/* libyaml's index counts characters from the start of the text, line breaks
 * included: in one-line mode the column is that count. */
static unsigned mark_col(const pctx *c, yaml_mark_t m)
{
    if (c->one_line)
        return (unsigned)m.index + 1 + c->col_base;
    return (unsigned)m.column + 1 + (m.line == 0 ? c->col_base : 0);
}

/* Byte offset of (line, column) (0-based, column in characters) in the text. */
static size_t text_offset(const pctx *c, size_t line, size_t column)
{
    size_t i = 0;
    for (size_t l = 0; l < line && i < c->len; i++)
        if (c->text[i] == '\n')
            l++;
    for (size_t k = 0; k < column && i < c->len; k++) {
        i++;
        while (i < c->len && ((unsigned char)c->text[i] & 0xC0) == 0x80)
            i++;
    }
    return i;
}

/* Whether the error position is on a tab, or in indentation that holds one. */
static bool tab_at(const pctx *c, yaml_mark_t m)
{
    size_t line_start = text_offset(c, m.line, 0);
    size_t at = text_offset(c, m.line, m.column);
    if (at < c->len && c->text[at] == '\t')
        return true;
    for (size_t i = line_start; i < c->len && (c->text[i] == ' ' || c->text[i] == '\t'); i++)
        if (c->text[i] == '\t')
            return true;
    return false;
}

static gicsim_status parser_error(pctx *c)
{
    yaml_parser_t *p = &c->p;
    if (p->error == YAML_MEMORY_ERROR)
        return yt_diag(c->diag, GICSIM_E_NOMEM, c->file, 0, 0, "", "out of memory");
    if (p->error == YAML_READER_ERROR) {
        /* Only a byte offset: find its line and column (in characters). */
        yaml_mark_t m = {0};
        for (size_t i = 0; i < p->problem_offset && i < c->len; i++) {
            if (((unsigned char)c->text[i] & 0xC0) == 0x80)
                continue; /* a UTF-8 continuation byte */
            m.index++;
            if (c->text[i] == '\n') {
                m.line++;
                m.column = 0;
            } else {
                m.column++;
            }
        }
        return yt_diag(c->diag, GICSIM_E_PARSE, c->file, mark_line(c, m), mark_col(c, m), "", "%s",
                       p->problem ? p->problem : "cannot read the input");
    }
    yaml_mark_t m = p->problem_mark;
    char msg[400];
    if (p->context)
        snprintf(msg, sizeof msg, "%s (%s, from line %u, column %u)",
                 p->problem ? p->problem : "syntax error", p->context,
                 mark_line(c, p->context_mark), mark_col(c, p->context_mark));
    else
        snprintf(msg, sizeof msg, "%s", p->problem ? p->problem : "syntax error");
    const char *hint = tab_at(c, m) ? " (tabs cannot be used for indentation: use spaces)" : "";
    return yt_diag(c->diag, GICSIM_E_PARSE, c->file, mark_line(c, m), mark_col(c, m), "",
                   "YAML syntax error: %s%s", msg, hint);
}

static gicsim_status next_event(pctx *c, yaml_event_t *ev)
{
    if (!yaml_parser_parse(&c->p, ev))
        return parser_error(c);
    return GICSIM_OK;
}

static gicsim_status count_node(pctx *c, yaml_mark_t m)
{
    if (++c->nodes > YT_MAX_NODES)
        return yt_diag(c->diag, GICSIM_E_PARSE, c->file, mark_line(c, m), mark_col(c, m), "",
                       "document too large (more than %u nodes after alias expansion)",
                       YT_MAX_NODES);
    return GICSIM_OK;
}

static gicsim_status nomem(pctx *c)
{
    return yt_diag(c->diag, GICSIM_E_NOMEM, c->file, 0, 0, "", "out of memory");
}

static yt_node *copy_node(pctx *c, const yt_node *src, yaml_mark_t m, gicsim_status *st)
{
    if ((*st = count_node(c, m)) != GICSIM_OK)
        return NULL;
    yt_node *n = yt_new(src->kind, src->file, src->line, src->col);
    if (!n)
        goto oom;
    n->plain = src->plain;
    if (src->str && !(n->str = strdup(src->str)))
        goto oom;
    for (size_t i = 0; src->kind == YT_SEQ && i < src->n; i++) {
        yt_node *it = copy_node(c, src->items[i], m, st);
        if (!it)
            goto fail;
        if (!yt_seq_push(n, it)) {
            yt_free(it);
            goto oom;
        }
    }
    for (size_t i = 0; src->kind == YT_MAP && i < src->n; i++) {
        yt_node *v = copy_node(c, src->pairs[i].value, m, st);
        if (!v)
            goto fail;
        if (!yt_map_add(n, src->pairs[i].key, src->pairs[i].line, src->pairs[i].col, v)) {
            yt_free(v);
            goto oom;
        }
    }
    return n;
oom:
    *st = nomem(c);
fail:
    yt_free(n);
    return NULL;
}

static gicsim_status add_anchor(pctx *c, const yaml_char_t *name, yt_node *node)
{
    if (!name)
        return GICSIM_OK;
    if (!grow((void **)&c->anchors, &c->cap_anchors, c->n_anchors + 1, sizeof *c->anchors))
        return nomem(c);
    char *s = strdup((const char *)name);
    if (!s)
        return nomem(c);
    c->anchors[c->n_anchors].name = s;
    c->anchors[c->n_anchors].node = node;
    c->n_anchors++;
    return GICSIM_OK;
}

static const yt_node *find_anchor(const pctx *c, const char *name)
{
    for (size_t i = c->n_anchors; i-- > 0;)
        if (strcmp(c->anchors[i].name, name) == 0)
            return c->anchors[i].node;
    return NULL;
}

static bool tag_is(const yaml_char_t *tag, const char *want)
{
    return tag && strcmp((const char *)tag, want) == 0;
}

/* Parse the node that starts with `ev` (consumed). */
static gicsim_status parse_node(pctx *c, yaml_event_t *ev, unsigned depth, const char *path,
                                yt_node **out)
{
    gicsim_status st = GICSIM_OK;
    yt_node *n = NULL;
    yaml_mark_t m = ev->start_mark;
    unsigned line = mark_line(c, m), col = mark_col(c, m);
    *out = NULL;
    if (depth > YT_MAX_DEPTH) {
        yaml_event_delete(ev);
        return yt_diag(c->diag, GICSIM_E_PARSE, c->file, line, col, path,
                       "nesting deeper than %d levels", YT_MAX_DEPTH);
    }
    switch (ev->type) {
    case YAML_ALIAS_EVENT: {
        const yt_node *target = find_anchor(c, (const char *)ev->data.alias.anchor);
        if (!target) {
            st = yt_diag(c->diag, GICSIM_E_PARSE, c->file, line, col, path,
                         "alias *%s refers to no (complete) anchor",
                         (const char *)ev->data.alias.anchor);
            break;
        }
        n = copy_node(c, target, m, &st);
        break;
    }
    case YAML_SCALAR_EVENT: {
        const yaml_char_t *tag = ev->data.scalar.tag;
        if ((st = count_node(c, m)) != GICSIM_OK)
            break;
        if (tag && !tag_is(tag, YAML_STR_TAG) && !tag_is(tag, "!")) {
            st = yt_diag(c->diag, GICSIM_E_PARSE, c->file, line, col, path,
                         "unsupported tag %s (only !!str is allowed)", (const char *)tag);
            break;
        }
        if (memchr(ev->data.scalar.value, '\0', ev->data.scalar.length)) {
            st = yt_diag(c->diag, GICSIM_E_PARSE, c->file, line, col, path,
                         "NUL character in a string");
            break;
        }
        n = yt_new(YT_SCALAR, c->file, line, col);
        if (!n || !(n->str = malloc(ev->data.scalar.length + 1))) {
            st = nomem(c);
            break;
        }
        memcpy(n->str, ev->data.scalar.value, ev->data.scalar.length);
        n->str[ev->data.scalar.length] = '\0';
        n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !tag;
        st = add_anchor(c, ev->data.scalar.anchor, n);
        break;
    }
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT: {
        bool is_map = ev->type == YAML_MAPPING_START_EVENT;
        const yaml_char_t *tag = is_map ? ev->data.mapping_start.tag : ev->data.sequence_start.tag;
        const yaml_char_t *anchor_name =
            is_map ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor;
        char *anchor = NULL;
        if ((st = count_node(c, m)) != GICSIM_OK)
            break;
        if (tag && !tag_is(tag, is_map ? YAML_MAP_TAG : YAML_SEQ_TAG)) {
            st = yt_diag(c->diag, GICSIM_E_PARSE, c->file, line, col, path, "unsupported tag %s",
                         (const char *)tag);
            break;
        }
        if (anchor_name && !(anchor = strdup((const char *)anchor_name))) {
            st = nomem(c);
            break;
        }
        n = yt_new(is_map ? YT_MAP : YT_SEQ, c->file, line, col);
        if (!n) {
            free(anchor);
            st = nomem(c);
            break;
        }
        yaml_event_delete(ev);
        memset(ev, 0, sizeof *ev);
        for (;;) {
            yaml_event_t e;
            if ((st = next_event(c, &e)) != GICSIM_OK)
                break;
            if (e.type == YAML_SEQUENCE_END_EVENT || e.type == YAML_MAPPING_END_EVENT) {
                yaml_event_delete(&e);
                break;
            }
            char sub[256];
            if (!is_map) {
                yt_path_index(sub, sizeof sub, path, n->n);
                yt_node *item;
                if ((st = parse_node(c, &e, depth + 1, sub, &item)) != GICSIM_OK)
                    break;
                if (!yt_seq_push(n, item)) {
                    yt_free(item);
                    st = nomem(c);
                    break;
                }
                continue;
            }
            /* Mapping: a scalar key (or an alias of one), then its value. */
            unsigned kline = mark_line(c, e.start_mark), kcol = mark_col(c, e.start_mark);
            char *key = NULL;
            if (e.type == YAML_SCALAR_EVENT) {
                key = strdup((const char *)e.data.scalar.value);
            } else if (e.type == YAML_ALIAS_EVENT) {
                const yt_node *t = find_anchor(c, (const char *)e.data.alias.anchor);
                if (t && t->kind == YT_SCALAR)
                    key = strdup(t->str);
                else
                    st = yt_diag(c->diag, GICSIM_E_PARSE, c->file, kline, kcol, path,
                                 "a mapping key must be a string");
            } else {
                st = yt_diag(c->diag, GICSIM_E_PARSE, c->file, kline, kcol, path,
                             "a mapping key must be a string, not a list or mapping");
            }
            yaml_event_delete(&e);
            if (st != GICSIM_OK)
                break;
            if (!key) {
                st = nomem(c);
                break;
            }
            yt_path(sub, sizeof sub, path, key);
            const yt_pair *dup = yt_map_find(n, key);
            if (dup) {
                st = yt_diag(c->diag, GICSIM_E_PARSE, c->file, kline, kcol, sub,
                             "duplicate key \"%s\" (first at line %u)", key, dup->line);
                free(key);
                break;
            }
            yt_node *val;
            if ((st = next_event(c, &e)) != GICSIM_OK ||
                (st = parse_node(c, &e, depth + 1, sub, &val)) != GICSIM_OK) {
                free(key);
                break;
            }
            if (!yt_map_add(n, key, kline, kcol, val)) {
                yt_free(val);
                st = nomem(c);
            }
            free(key);
            if (st != GICSIM_OK)
                break;
        }
        if (st == GICSIM_OK && anchor)
            st = add_anchor(c, (const yaml_char_t *)anchor, n);
        free(anchor);
        break;
    }
    default:
        st = yt_diag(c->diag, GICSIM_E_PARSE, c->file, line, col, path, "unexpected YAML event");
        break;
    }
    yaml_event_delete(ev);
    if (st != GICSIM_OK) {
        yt_free(n);
        return st;
    }
    *out = n;
    return GICSIM_OK;
}

static gicsim_status parse_text(const char *text, size_t len, const char *file, unsigned line_base,
                                unsigned col_base, bool one_line, yt_node **root, gicsim_diag *diag)
{
    pctx c;
    memset(&c, 0, sizeof c);
    c.text = text;
    c.len = len;
    c.file = file;
    c.line_base = line_base;
    c.col_base = col_base;
    c.one_line = one_line;
    c.diag = diag;
    *root = NULL;
    if (!yaml_parser_initialize(&c.p))
        return nomem(&c);
    yaml_parser_set_input_string(&c.p, (const unsigned char *)text, len);

    gicsim_status st;
    yt_node *doc = NULL;
    yaml_event_t ev;
    if ((st = next_event(&c, &ev)) != GICSIM_OK) /* STREAM-START */
        goto out;
    yaml_event_delete(&ev);
    if ((st = next_event(&c, &ev)) != GICSIM_OK)
        goto out;
    if (ev.type == YAML_STREAM_END_EVENT) { /* no document at all */
        yaml_event_delete(&ev);
        goto out;
    }
    yaml_event_delete(&ev); /* DOCUMENT-START */
    if ((st = next_event(&c, &ev)) != GICSIM_OK ||
        (st = parse_node(&c, &ev, 0, "", &doc)) != GICSIM_OK)
        goto out;
    if ((st = next_event(&c, &ev)) != GICSIM_OK) /* DOCUMENT-END */
        goto out;
    yaml_event_delete(&ev);
    if ((st = next_event(&c, &ev)) != GICSIM_OK)
        goto out;
    if (ev.type == YAML_DOCUMENT_START_EVENT) {
        st = yt_diag(diag, GICSIM_E_PARSE, file, mark_line(&c, ev.start_mark),
                     mark_col(&c, ev.start_mark), "",
                     "a second YAML document: one document per file");
        yaml_event_delete(&ev);
        goto out;
    }
    yaml_event_delete(&ev);
out:
    for (size_t i = 0; i < c.n_anchors; i++)
        free(c.anchors[i].name);
    free(c.anchors);
    yaml_parser_delete(&c.p);
    if (st != GICSIM_OK) {
        yt_free(doc);
        return st;
    }
    *root = doc;
    return GICSIM_OK;
}

gicsim_status yt_parse(const char *text, size_t len, const char *file, unsigned line_base,
                       unsigned col_base, yt_node **root, gicsim_diag *diag)
{
    return parse_text(text, len, file, line_base, col_base, false, root, diag);
}

gicsim_status yt_parse_inline(const char *text, size_t len, const char *file, unsigned line,
                              unsigned col, yt_node **root, gicsim_diag *diag)
{
    return parse_text(text, len, file, line - 1, col - 1, true, root, diag);
}

/* gicsim_set_max_input: 0 is the default. */
static size_t max_input;

void gicsim_set_max_input(size_t bytes)
{
    max_input = bytes;
}

size_t gicsim_max_input(void)
{
    return max_input ? max_input : GICSIM_DEFAULT_MAX_INPUT;
}

static gicsim_status too_large(const char *path, size_t limit, gicsim_diag *diag)
{
    return yt_diag(diag, GICSIM_E_IO, path, 0, 0, "",
                   "larger than the input size limit of %zu bytes (raise it with "
                   "GICSIM_MAX_INPUT=SIZE for the gicsim command, gicsim_set_max_input in a "
                   "program)",
                   limit);
}

gicsim_status yt_read_file(const char *path, char **text, size_t *len, gicsim_diag *diag)
{
    *text = NULL;
    *len = 0;
    const size_t limit = gicsim_max_input();
    FILE *f = fopen(path, "rb");
    if (!f)
        return yt_diag(diag, GICSIM_E_IO, path, 0, 0, "", "cannot open: %s", strerror(errno));
    /* A regular file's size is known up front; anything else (a device, a
     * pipe) is read up to the limit. */
    struct stat sb;
    if (fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode) && (uintmax_t)sb.st_size > limit) {
        fclose(f);
        return too_large(path, limit, diag);
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    if (!buf) {
        fclose(f);
        return yt_diag(diag, GICSIM_E_NOMEM, path, 0, 0, "", "out of memory");
    }
    for (;;) {
        if (n > limit) {
            free(buf);
            fclose(f);
            return too_large(path, limit, diag);
        }
        if (n + 1 >= cap) {
            char *nb = cap <= SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
            if (!nb) {
                free(buf);
                fclose(f);
                return yt_diag(diag, GICSIM_E_NOMEM, path, 0, 0, "", "out of memory");
            }
            buf = nb;
            cap *= 2;
        }
        /* At most one byte past the limit: enough to tell it was exceeded. */
        size_t want = cap - n - 1;
        if (want > limit + 1 - n)
            want = limit + 1 - n;
        size_t got = fread(buf + n, 1, want, f);
        n += got;
        if (got == 0) {
            if (ferror(f)) {
                int err = errno;
                free(buf);
                fclose(f);
                return yt_diag(diag, GICSIM_E_IO, path, 0, 0, "", "cannot read: %s",
                               strerror(err ? err : EIO));
            }
            break;
        }
    }
    fclose(f);
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return GICSIM_OK;
}

/* ---- Queries ---------------------------------------------------------------------- */

bool yt_is_null(const yt_node *n)
{
    if (!n || n->kind != YT_SCALAR || !n->plain)
        return false;
    const char *s = n->str;
    return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL");
}

static bool is_bool_text(const char *s, bool *v)
{
    if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE")) {
        *v = true;
        return true;
    }
    if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE")) {
        *v = false;
        return true;
    }
    return false;
}

static bool is_hex(char ch)
{
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

/* Parse an integer literal: [+-]? (0x hex | decimal). */
bool yt_parse_int(const char *s, bool *neg, uint64_t *mag, bool *overflow)
{
    *neg = false;
    *overflow = false;
    *mag = 0;
    if (*s == '+' || *s == '-')
        *neg = *s++ == '-';
    unsigned base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (!*s)
        return false;
    for (; *s; s++) {
        unsigned d;
        if (base == 16 && is_hex(*s))
            d = (unsigned)(*s <= '9' ? *s - '0' : (*s | 0x20) - 'a' + 10);
        else if (*s >= '0' && *s <= '9')
            d = (unsigned)(*s - '0');
        else
            return false;
        if (*mag > (UINT64_MAX - d) / base)
            *overflow = true;
        else
            *mag = *mag * base + d;
    }
    return true;
}

static bool looks_float(const char *s)
{
    char *end;
    if (!*s)
        return false;
    errno = 0;
    (void)strtod(s, &end);
    return *end == '\0';
}

const char *yt_type_name(const yt_node *n)
{
    if (!n)
        return "nothing";
    if (n->kind == YT_MAP)
        return "a mapping";
    if (n->kind == YT_SEQ)
        return "a list";
    if (!n->plain)
        return "a string";
    bool b, neg, ovf;
    uint64_t m;
    if (yt_is_null(n))
        return "null";
    if (is_bool_text(n->str, &b))
        return "a boolean";
    if (yt_parse_int(n->str, &neg, &m, &ovf))
        return "an integer";
    if (looks_float(n->str))
        return "a number";
    return "a string";
}

/* "got a string \"eight\"" style description of a node. */
void yt_describe(const yt_node *n, char *buf, size_t size)
{
    if (n && n->kind == YT_SCALAR && !yt_is_null(n))
        snprintf(buf, size, "%s \"%.80s\"", yt_type_name(n), n->str);
    else
        snprintf(buf, size, "%s", yt_type_name(n));
}

/* ---- Value readers ------------------------------------------------------------------ */

gicsim_status yt_get_u64(const yt_node *n, const char *key, uint64_t min, uint64_t max,
                         uint64_t *out, gicsim_diag *diag)
{
    char what[128];
    bool neg, ovf;
    uint64_t v;
    if (!n || n->kind != YT_SCALAR || !n->plain || !yt_parse_int(n->str, &neg, &v, &ovf)) {
        yt_describe(n, what, sizeof what);
        return yt_node_err(diag, n, key, "expected an integer, got %s", what);
    }
    if (neg && (v != 0 || ovf))
        return yt_node_err(diag, n, key, "expected a non-negative integer, got %s", n->str);
    if (ovf || v < min || v > max)
        return yt_node_err(diag, n, key, "%s is out of range (%llu..%llu)", n->str,
                           (unsigned long long)min, (unsigned long long)max);
    *out = v;
    return GICSIM_OK;
}

gicsim_status yt_get_bool(const yt_node *n, const char *key, bool *out, gicsim_diag *diag)
{
    char what[128];
    if (n && n->kind == YT_SCALAR && n->plain && is_bool_text(n->str, out))
        return GICSIM_OK;
    yt_describe(n, what, sizeof what);
    return yt_node_err(diag, n, key, "expected true or false, got %s", what);
}

gicsim_status yt_get_str(const yt_node *n, const char *key, const char **out, gicsim_diag *diag)
{
    char what[128];
    if (n && n->kind == YT_SCALAR && !yt_is_null(n)) {
        *out = n->str;
        return GICSIM_OK;
    }
    yt_describe(n, what, sizeof what);
    return yt_node_err(diag, n, key, "expected a string, got %s", what);
}

gicsim_status yt_get_enum(const yt_node *n, const char *key, const char *const *names,
                          unsigned *out, gicsim_diag *diag)
{
    char list[256] = "", what[128];
    if (n && n->kind == YT_SCALAR && !yt_is_null(n)) {
        for (unsigned i = 0; names[i]; i++) {
            if (strcmp(n->str, names[i]) == 0) {
                *out = i;
                return GICSIM_OK;
            }
        }
    }
    for (unsigned i = 0; names[i]; i++) {
        size_t l = strlen(list);
        snprintf(list + l, sizeof list - l, "%s%s", i ? ", " : "", names[i]);
    }
    yt_describe(n, what, sizeof what);
    return yt_node_err(diag, n, key, "expected one of: %s; got %s", list, what);
}

size_t yt_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 40 || lb > 40)
        return 99;
    size_t row[41];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

gicsim_status yt_check_map(const yt_node *n, const char *path, const char *const *allowed,
                           gicsim_diag *diag)
{
    char what[128];
    if (n && yt_is_null(n))
        return GICSIM_OK;
    if (!n || n->kind != YT_MAP) {
        yt_describe(n, what, sizeof what);
        return yt_node_err(diag, n, path, "expected a mapping, got %s", what);
    }
    for (size_t i = 0; i < n->n; i++) {
        const yt_pair *p = &n->pairs[i];
        bool ok = false;
        const char *best = NULL;
        size_t best_d = 3;
        for (size_t k = 0; allowed[k]; k++) {
            if (strcmp(p->key, allowed[k]) == 0) {
                ok = true;
                break;
            }
            size_t d = yt_edit_distance(p->key, allowed[k]);
            if (d < best_d) {
                best_d = d;
                best = allowed[k];
            }
        }
        if (ok)
            continue;
        char key[256], list[320] = "";
        yt_path(key, sizeof key, path, p->key);
        for (size_t k = 0; allowed[k]; k++) {
            size_t l = strlen(list);
            snprintf(list + l, sizeof list - l, "%s%s", k ? ", " : "", allowed[k]);
        }
        if (best)
            return yt_diag(diag, GICSIM_E_INVAL, p->file, p->line, p->col, key,
                           "unknown key \"%.60s\" (did you mean \"%s\"?)", p->key, best);
        return yt_diag(diag, GICSIM_E_INVAL, p->file, p->line, p->col, key,
                       "unknown key \"%.60s\" (expected one of: %s)", p->key, list);
    }
    return GICSIM_OK;
}

gicsim_status yt_check_seq(const yt_node *n, const char *path, gicsim_diag *diag)
{
    char what[128];
    if (n && (n->kind == YT_SEQ || yt_is_null(n)))
        return GICSIM_OK;
    yt_describe(n, what, sizeof what);
    return yt_node_err(diag, n, path, "expected a list, got %s", what);
}
