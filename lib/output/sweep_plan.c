/* gicsim: a sweep's plan (gicsim/sweep.h): the expanded runs, plan.csv, and
 * the CSV reading and writing the sweep's files share (sweep_internal.h). */
#include "sweep_internal.h"

#include "config/yaml_tree.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- The plan ------------------------------------------------------------------------------ */

gicsim_sweep_plan *sweep_plan_new(const char *const *axes, size_t n_axes, uint32_t replications)
{
    gicsim_sweep_plan *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->replications = replications ? replications : 1;
    p->axes = calloc(n_axes ? n_axes : 1, sizeof *p->axes);
    if (!p->axes) {
        free(p);
        return NULL;
    }
    p->n_axes = n_axes;
    for (size_t i = 0; i < n_axes; i++)
        if (!(p->axes[i] = out_strdup(axes[i]))) {
            gicsim_sweep_plan_free(p);
            return NULL;
        }
    return p;
}

static void row_free(sweep_plan_row *r, size_t n_axes)
{
    for (size_t k = 0; r->values && k < n_axes; k++)
        free(r->values[k]);
    free(r->values);
    free(r->platform);
    free(r->policy);
}

gicsim_status sweep_plan_add(gicsim_sweep_plan *p, const char *id, const char *const *values,
                             const char *platform, const char *policy, uint32_t replication,
                             uint64_t seed)
{
    if (p->n_runs == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 64;
        sweep_plan_row *r = realloc(p->rows, cap * sizeof *r);
        if (!r)
            return GICSIM_E_NOMEM;
        p->rows = r;
        p->cap = cap;
    }
    sweep_plan_row *r = &p->rows[p->n_runs];
    memset(r, 0, sizeof *r);
    snprintf(r->id, sizeof r->id, "%s", id);
    r->replication = replication;
    r->seed = seed;
    r->values = calloc(p->n_axes ? p->n_axes : 1, sizeof *r->values);
    bool ok = r->values && (r->platform = out_strdup(platform)) && (r->policy = out_strdup(policy));
    for (size_t k = 0; ok && k < p->n_axes; k++)
        ok = (r->values[k] = out_strdup(values[k])) != NULL;
    if (!ok) {
        row_free(r, p->n_axes);
        return GICSIM_E_NOMEM;
    }
    p->n_runs++;
    return GICSIM_OK;
}

void gicsim_sweep_plan_free(gicsim_sweep_plan *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n_runs; i++)
        row_free(&p->rows[i], p->n_axes);
    free(p->rows);
    for (size_t i = 0; i < p->n_axes; i++)
        free(p->axes[i]);
    free(p->axes);
    free(p);
}

size_t gicsim_sweep_plan_run_count(const gicsim_sweep_plan *p)
{
    return p ? p->n_runs : 0;
}

size_t gicsim_sweep_plan_axis_count(const gicsim_sweep_plan *p)
{
    return p ? p->n_axes : 0;
}

const char *gicsim_sweep_plan_axis(const gicsim_sweep_plan *p, size_t i)
{
    return p && i < p->n_axes ? p->axes[i] : NULL;
}

uint32_t gicsim_sweep_plan_replications(const gicsim_sweep_plan *p)
{
    return p ? p->replications : 0;
}

gicsim_status gicsim_sweep_plan_run(const gicsim_sweep_plan *p, size_t i, gicsim_sweep_run *out)
{
    if (!p || !out)
        return GICSIM_E_INVAL;
    if (i >= p->n_runs)
        return GICSIM_E_RANGE;
    const sweep_plan_row *r = &p->rows[i];
    out->index = i;
    out->id = r->id;
    out->values = (const char *const *)r->values;
    out->platform = r->platform;
    out->policy = r->policy;
    out->replication = r->replication;
    out->seed = r->seed;
    return GICSIM_OK;
}

size_t gicsim_sweep_plan_find(const gicsim_sweep_plan *p, const char *id)
{
    for (size_t i = 0; p && id && i < p->n_runs; i++)
        if (!strcmp(p->rows[i].id, id))
            return i;
    return SIZE_MAX;
}

bool gicsim_sweep_plan_equal(const gicsim_sweep_plan *a, const gicsim_sweep_plan *b)
{
    if (!a || !b || a->n_axes != b->n_axes || a->n_runs != b->n_runs ||
        a->replications != b->replications)
        return false;
    for (size_t k = 0; k < a->n_axes; k++)
        if (strcmp(a->axes[k], b->axes[k]))
            return false;
    for (size_t i = 0; i < a->n_runs; i++) {
        const sweep_plan_row *x = &a->rows[i], *y = &b->rows[i];
        if (strcmp(x->id, y->id) || strcmp(x->platform, y->platform) ||
            strcmp(x->policy, y->policy) || x->replication != y->replication || x->seed != y->seed)
            return false;
        for (size_t k = 0; k < a->n_axes; k++)
            if (strcmp(x->values[k], y->values[k]))
                return false;
    }
    return true;
}

/* ---- CSV ------------------------------------------------------------------------------------ */

void csv_field(out_buf *b, const char *s)
{
    size_t n = strlen(s);
    bool quote = n && (s[0] == ' ' || s[n - 1] == ' ');
    for (size_t i = 0; i < n && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
    if (!quote) {
        out_put(b, s, n);
        return;
    }
    out_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            out_putc(b, '"');
        out_putc(b, s[i]);
    }
    out_putc(b, '"');
}

void csv_free(csv_table *t)
{
    if (!t)
        return;
    for (size_t r = 0; r < t->n_rows; r++) {
        for (size_t c = 0; t->cell[r] && c < t->n_cols; c++)
            free(t->cell[r][c]);
        free(t->cell[r]);
    }
    free(t->cell);
    free(t);
}

size_t csv_column(const csv_table *t, const char *name)
{
    for (size_t c = 0; t->n_rows && c < t->n_cols; c++)
        if (!strcmp(t->cell[0][c], name))
            return c;
    return SIZE_MAX;
}

/* The parser's state: a growing row and a growing field. */
typedef struct csv_parse {
    csv_table *t;
    char **row;
    size_t n_row, cap_row;
    out_buf field;
    size_t cap_rows;
} csv_parse;

static bool push_field(csv_parse *p)
{
    if (p->n_row == p->cap_row) {
        size_t cap = p->cap_row ? 2 * p->cap_row : 16;
        char **r = realloc(p->row, cap * sizeof *r);
        if (!r)
            return false;
        p->row = r;
        p->cap_row = cap;
    }
    char *s = out_strdup(p->field.p ? p->field.p : "");
    if (!s || p->field.oom) {
        free(s);
        return false;
    }
    p->row[p->n_row++] = s;
    out_buf_reset(&p->field);
    return true;
}

static void drop_row(csv_parse *p)
{
    for (size_t i = 0; i < p->n_row; i++)
        free(p->row[i]);
    p->n_row = 0;
}

/* The row read so far becomes row n_rows: GICSIM_E_PARSE when its length
 * differs from the header's. */
static gicsim_status push_row(csv_parse *p, const char *path, unsigned line, gicsim_diag *d)
{
    csv_table *t = p->t;
    if (t->n_rows == 0)
        t->n_cols = p->n_row;
    else if (p->n_row != t->n_cols) {
        size_t got = p->n_row;
        drop_row(p);
        return yt_diag(d, GICSIM_E_PARSE, path, line, 1, "", "%zu fields; the header has %zu", got,
                       t->n_cols);
    }
    if (t->n_rows == p->cap_rows) {
        size_t cap = p->cap_rows ? 2 * p->cap_rows : 64;
        char ***c = realloc(t->cell, cap * sizeof *c);
        if (!c) {
            drop_row(p);
            return yt_nomem(d);
        }
        t->cell = c;
        p->cap_rows = cap;
    }
    char **r = malloc((p->n_row ? p->n_row : 1) * sizeof *r);
    if (!r) {
        drop_row(p);
        return yt_nomem(d);
    }
    memcpy(r, p->row, p->n_row * sizeof *r);
    t->cell[t->n_rows++] = r;
    p->n_row = 0;
    return GICSIM_OK;
}

static gicsim_status csv_parse_text(const char *path, const char *s, size_t len, csv_table *t,
                                    gicsim_diag *d)
{
    csv_parse p = {.t = t};
    gicsim_status st = GICSIM_OK;
    unsigned line = 1, col = 1, row_line = 1;
    size_t i = 0;
    bool row_started = false;
    while (i < len && st == GICSIM_OK) {
        char c = s[i];
        if (c == '"' && p.field.len == 0) { /* a quoted field */
            unsigned qline = line, qcol = col;
            i++;
            col++;
            for (;;) {
                if (i >= len) {
                    st = yt_diag(d, GICSIM_E_PARSE, path, qline, qcol, "",
                                 "a quoted field is not closed");
                    break;
                }
                if (s[i] == '"') {
                    if (i + 1 < len && s[i + 1] == '"') {
                        out_putc(&p.field, '"');
                        i += 2;
                        col += 2;
                        continue;
                    }
                    i++;
                    col++;
                    break;
                }
                if (s[i] == '\n') {
                    line++;
                    col = 0;
                }
                out_putc(&p.field, s[i++]);
                col++;
            }
            if (st == GICSIM_OK && i < len && s[i] != ',' && s[i] != '\n' && s[i] != '\r')
                st = yt_diag(d, GICSIM_E_PARSE, path, line, col, "",
                             "a quoted field must end at a comma or the end of the line");
            row_started = true;
            continue;
        }
        if (c == ',') {
            if (!push_field(&p))
                st = yt_nomem(d);
            row_started = true;
        } else if (c == '\n' || c == '\r') {
            if (c == '\r' && i + 1 < len && s[i + 1] == '\n')
                i++;
            if (!push_field(&p))
                st = yt_nomem(d);
            else
                st = push_row(&p, path, row_line, d);
            line++;
            col = 0;
            row_line = line;
            row_started = false;
        } else {
            out_putc(&p.field, c);
            row_started = true;
        }
        i++;
        col++;
    }
    if (st == GICSIM_OK && row_started) { /* a last line without its newline */
        if (!push_field(&p))
            st = yt_nomem(d);
        else
            st = push_row(&p, path, row_line, d);
    }
    drop_row(&p);
    free(p.row);
    out_buf_free(&p.field);
    return st;
}

gicsim_status csv_read(const char *path, csv_table **out, gicsim_diag *d)
{
    *out = NULL;
    char *text;
    size_t len;
    TRY(yt_read_file(path, &text, &len, d));
    csv_table *t = calloc(1, sizeof *t);
    if (!t) {
        free(text);
        return yt_nomem(d);
    }
    gicsim_status st = csv_parse_text(path, text, len, t, d);
    free(text);
    if (st == GICSIM_OK && t->n_rows == 0)
        st = yt_diag(d, GICSIM_E_PARSE, path, 1, 1, "", "the file is empty (no header)");
    if (st != GICSIM_OK) {
        csv_free(t);
        return st;
    }
    *out = t;
    return GICSIM_OK;
}

gicsim_status sweep_write_atomic(const char *path, out_buf *b)
{
    if (b->oom)
        return GICSIM_E_NOMEM;
    size_t n = strlen(path) + 32;
    char *tmp = malloc(n);
    if (!tmp)
        return GICSIM_E_NOMEM;
    snprintf(tmp, n, "%s.tmp%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    gicsim_status st = f ? GICSIM_OK : GICSIM_E_IO;
    if (f && !out_write(b, f))
        st = GICSIM_E_IO;
    if (f && fclose(f) != 0)
        st = GICSIM_E_IO;
    if (st == GICSIM_OK && rename(tmp, path) != 0)
        st = GICSIM_E_IO;
    if (st != GICSIM_OK)
        remove(tmp);
    free(tmp);
    return st;
}

/* ---- plan.csv ------------------------------------------------------------------------------ */

static const char *const plan_tail[] = {"platform", "policy", "replication", "seed"};

gicsim_status gicsim_sweep_plan_write(const gicsim_sweep_plan *p, const char *path)
{
    if (!p || !path)
        return GICSIM_E_INVAL;
    out_buf b = {0};
    out_puts(&b, "index,id");
    for (size_t k = 0; k < p->n_axes; k++) {
        out_putc(&b, ',');
        csv_field(&b, p->axes[k]);
    }
    for (size_t k = 0; k < 4; k++) {
        out_putc(&b, ',');
        out_puts(&b, plan_tail[k]);
    }
    out_putc(&b, '\n');
    for (size_t i = 0; i < p->n_runs; i++) {
        const sweep_plan_row *r = &p->rows[i];
        out_u64(&b, i);
        out_putc(&b, ',');
        out_puts(&b, r->id);
        for (size_t k = 0; k < p->n_axes; k++) {
            out_putc(&b, ',');
            csv_field(&b, r->values[k]);
        }
        out_putc(&b, ',');
        csv_field(&b, r->platform);
        out_putc(&b, ',');
        csv_field(&b, r->policy);
        out_putc(&b, ',');
        out_u64(&b, r->replication);
        out_putc(&b, ',');
        out_u64(&b, r->seed);
        out_putc(&b, '\n');
    }
    gicsim_status st = sweep_write_atomic(path, &b);
    out_buf_free(&b);
    return st;
}

/* A decimal unsigned integer field (no sign, no spaces). */
static bool parse_u64(const char *s, uint64_t *v)
{
    if (!*s)
        return false;
    uint64_t x = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || x > (UINT64_MAX - 9) / 10)
            return false;
        x = x * 10 + (uint64_t)(*s - '0');
    }
    *v = x;
    return true;
}

static bool is_id(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
            return false;
    return n == 12;
}

gicsim_status gicsim_sweep_plan_read(const char *path, gicsim_sweep_plan **out, gicsim_diag *d)
{
    if (d)
        memset(d, 0, sizeof *d);
    if (!out)
        return GICSIM_E_INVAL;
    *out = NULL;
    if (!path)
        return GICSIM_E_INVAL;
    csv_table *t;
    TRY(csv_read(path, &t, d));
    gicsim_status st = GICSIM_OK;
    size_t nc = t->n_cols;
    char **h = t->cell[0];
    if (nc < 6 || strcmp(h[0], "index") || strcmp(h[1], "id"))
        st = yt_diag(d, GICSIM_E_PARSE, path, 1, 1, "",
                     "not a sweep plan: the header must be index,id,AXES...,platform,policy,"
                     "replication,seed");
    for (size_t k = 0; st == GICSIM_OK && k < 4; k++)
        if (strcmp(h[nc - 4 + k], plan_tail[k]))
            st = yt_diag(d, GICSIM_E_PARSE, path, 1, 1, "",
                         "not a sweep plan: the header must end with platform,policy,replication,"
                         "seed");
    gicsim_sweep_plan *p = NULL;
    uint32_t reps = 1;
    for (size_t r = 1; st == GICSIM_OK && r < t->n_rows; r++) {
        uint64_t v;
        if (parse_u64(t->cell[r][nc - 2], &v) && v < UINT32_MAX && v + 1 > reps)
            reps = (uint32_t)v + 1;
    }
    if (st == GICSIM_OK && !(p = sweep_plan_new((const char *const *)h + 2, nc - 6, reps)))
        st = yt_nomem(d);
    for (size_t r = 1; st == GICSIM_OK && r < t->n_rows; r++) {
        char **row = t->cell[r];
        uint64_t index, rep, seed;
        unsigned line = (unsigned)(r + 1);
        if (!parse_u64(row[0], &index) || index != r - 1)
            st =
                yt_diag(d, GICSIM_E_PARSE, path, line, 1, "index", "expected run index %zu", r - 1);
        else if (!is_id(row[1]))
            st = yt_diag(d, GICSIM_E_PARSE, path, line, 1, "id",
                         "expected a run id of 12 hex digits");
        else if (!parse_u64(row[nc - 2], &rep) || rep != index % reps)
            st = yt_diag(d, GICSIM_E_PARSE, path, line, 1, "replication",
                         "expected replication %" PRIu64 " (index mod %u)", index % reps,
                         (unsigned)reps);
        else if (!parse_u64(row[nc - 1], &seed))
            st = yt_diag(d, GICSIM_E_PARSE, path, line, 1, "seed", "expected an unsigned integer");
        else if (sweep_plan_add(p, row[1], (const char *const *)row + 2, row[nc - 4], row[nc - 3],
                                (uint32_t)rep, seed) != GICSIM_OK)
            st = yt_nomem(d);
    }
    csv_free(t);
    if (st != GICSIM_OK) {
        gicsim_sweep_plan_free(p);
        return st;
    }
    *out = p;
    return GICSIM_OK;
}
