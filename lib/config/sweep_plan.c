/* gicsim: a sweep's plan (gicsim/sweep.h): the expanded runs, plan.csv, and
 * what the sweep's files share (sweep_internal.h): CSV reading and writing,
 * temporary files renamed into place, strings built with stdio, numbers
 * without the locale. */
#include "sweep_internal.h"

#include <errno.h>
#include <math.h>
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
        if (!(p->axes[i] = yt_strdup(axes[i]))) {
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
    bool ok = r->values && (r->platform = yt_strdup(platform)) && (r->policy = yt_strdup(policy));
    for (size_t k = 0; ok && k < p->n_axes; k++)
        ok = (r->values[k] = yt_strdup(values[k])) != NULL;
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

void csv_field(FILE *f, const char *s)
{
    size_t n = strlen(s);
    bool quote = n && (s[0] == ' ' || s[n - 1] == ' ');
    for (size_t i = 0; i < n && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
    if (!quote) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            fputc('"', f);
        fputc(s[i], f);
    }
    fputc('"', f);
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
    char *field;
    size_t len, cap;
    bool oom;
    size_t cap_rows;
} csv_parse;

static void field_putc(csv_parse *p, char c)
{
    if (p->len + 1 >= p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 64;
        char *f = realloc(p->field, cap);
        if (!f) {
            p->oom = true;
            return;
        }
        p->field = f;
        p->cap = cap;
    }
    p->field[p->len++] = c;
    p->field[p->len] = '\0';
}

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
    char *s = yt_strdup(p->len ? p->field : "");
    if (!s || p->oom) {
        free(s);
        return false;
    }
    p->row[p->n_row++] = s;
    p->len = 0;
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
        if (c == '"' && p.len == 0) { /* a quoted field */
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
                        field_putc(&p, '"');
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
                field_putc(&p, s[i++]);
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
            field_putc(&p, c);
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
    free(p.field);
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

FILE *sw_open_tmp(const char *path, char *tmp, size_t size)
{
    snprintf(tmp, size, "%s.tmp%ld", path, (long)getpid());
    return fopen(tmp, "wb");
}

gicsim_status sw_close_tmp(FILE *f, const char *tmp, const char *path, bool commit)
{
    gicsim_status st = ferror(f) ? GICSIM_E_IO : GICSIM_OK;
    if (fclose(f) != 0)
        st = GICSIM_E_IO;
    if (commit && st == GICSIM_OK && rename(tmp, path) != 0)
        st = GICSIM_E_IO;
    if (!commit || st != GICSIM_OK)
        remove(tmp);
    return st;
}

/* ---- Strings and numbers ---------------------------------------------------------------- */

bool sw_str_open(sw_str *s)
{
    s->p = NULL;
    s->len = 0;
    s->f = open_memstream(&s->p, &s->len);
    return s->f != NULL;
}

char *sw_str_close(sw_str *s)
{
    bool bad = ferror(s->f);
    if (fclose(s->f) != 0 || bad) {
        free(s->p);
        return NULL;
    }
    return s->p;
}

double sw_pow10(int e)
{
    double v = 1;
    for (int i = 0; i < e; i++)
        v *= 10;
    for (int i = 0; i > e; i--)
        v /= 10;
    return v;
}

bool sw_parse_decimal(const char *s, double *v, bool *point)
{
    bool neg = *s == '-', dot = false;
    s += neg;
    if (*s < '0' || *s > '9')
        return false;
    double x = 0, scale = 1;
    for (; *s >= '0' && *s <= '9'; s++)
        x = x * 10 + (*s - '0');
    if (*s == '.') {
        dot = true;
        if (s[1] < '0' || s[1] > '9')
            return false;
        for (s++; *s >= '0' && *s <= '9'; s++) {
            scale *= 10;
            x = x * 10 + (*s - '0');
        }
    }
    if (*s)
        return false;
    *v = (neg ? -x : x) / scale;
    if (point)
        *point = dot;
    return isfinite(*v);
}

void sw_fixed(FILE *f, double x, unsigned decimals)
{
    if (decimals > 9)
        decimals = 9;
    uint64_t p = (uint64_t)sw_pow10((int)decimals);
    double s = x * (double)p;
    bool neg = s < 0;
    if (neg)
        s = -s;
    if (!(s < 9.0e18)) /* NaN, infinities, huge values */
        s = 0;
    uint64_t r = (uint64_t)(s + 0.5);
    if (neg && r != 0)
        fputc('-', f);
    fprintf(f, "%" PRIu64, r / p);
    if (decimals)
        fprintf(f, ".%0*" PRIu64, (int)decimals, r % p);
}

/* ---- plan.csv ------------------------------------------------------------------------------ */

static const char *const plan_tail[] = {"platform", "policy", "replication", "seed"};

gicsim_status gicsim_sweep_plan_write(const gicsim_sweep_plan *p, const char *path)
{
    if (!p || !path)
        return GICSIM_E_INVAL;
    char tmp[4096];
    FILE *f = sw_open_tmp(path, tmp, sizeof tmp);
    if (!f)
        return GICSIM_E_IO;
    fputs("index,id", f);
    for (size_t k = 0; k < p->n_axes; k++) {
        fputc(',', f);
        csv_field(f, p->axes[k]);
    }
    for (size_t k = 0; k < 4; k++)
        fprintf(f, ",%s", plan_tail[k]);
    fputc('\n', f);
    for (size_t i = 0; i < p->n_runs; i++) {
        const sweep_plan_row *r = &p->rows[i];
        fprintf(f, "%zu,%s", i, r->id);
        for (size_t k = 0; k < p->n_axes; k++) {
            fputc(',', f);
            csv_field(f, r->values[k]);
        }
        fputc(',', f);
        csv_field(f, r->platform);
        fputc(',', f);
        csv_field(f, r->policy);
        fprintf(f, ",%" PRIu32 ",%" PRIu64 "\n", r->replication, r->seed);
    }
    return sw_close_tmp(f, tmp, path, true);
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

/* ---- The public CSV reader ----------------------------------------------------------------- */

gicsim_status gicsim_sweep_csv_read(const char *path, gicsim_sweep_csv **out, gicsim_diag *diag)
{
    if (diag)
        memset(diag, 0, sizeof *diag);
    if (!out)
        return GICSIM_E_INVAL;
    *out = NULL;
    if (!path)
        return yt_diag(diag, GICSIM_E_INVAL, "", 0, 0, "", "no path");
    return csv_read(path, out, diag);
}

void gicsim_sweep_csv_free(gicsim_sweep_csv *t)
{
    csv_free(t);
}

size_t gicsim_sweep_csv_rows(const gicsim_sweep_csv *t)
{
    return t && t->n_rows ? t->n_rows - 1 : 0;
}

size_t gicsim_sweep_csv_columns(const gicsim_sweep_csv *t)
{
    return t ? t->n_cols : 0;
}

const char *gicsim_sweep_csv_header(const gicsim_sweep_csv *t, size_t col)
{
    return t && t->n_rows && col < t->n_cols ? t->cell[0][col] : NULL;
}

const char *gicsim_sweep_csv_cell(const gicsim_sweep_csv *t, size_t row, size_t col)
{
    return t && row + 1 < t->n_rows && col < t->n_cols ? t->cell[row + 1][col] : NULL;
}

size_t gicsim_sweep_csv_find(const gicsim_sweep_csv *t, const char *name)
{
    return t && name ? csv_column(t, name) : SIZE_MAX;
}

bool gicsim_sweep_csv_number(const char *cell, double *v)
{
    return cell && v && sw_parse_decimal(cell, v, NULL);
}
