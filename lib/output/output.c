/* gicsim: the output writer table and the formatting helpers the writers
 * share (output_internal.h). */
#include "output_internal.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* ---- The writer table ---------------------------------------------------------------- */

#define OUT_TABLE_SIZE 32u

static const gicsim_output_ops *out_table[OUT_TABLE_SIZE] = {
    &gicsim_output_json_ops, &gicsim_output_csv_ops, &gicsim_output_perfetto_ops,
    &gicsim_output_vcd_ops,  &gicsim_output_cdf_ops,
};
static size_t out_table_len = 5;

gicsim_status gicsim_output_register(const gicsim_output_ops *ops)
{
    if (!ops || !ops->name || !ops->name[0] || !ops->begin || !ops->end)
        return GICSIM_E_INVAL;
    if (gicsim_output_find(ops->name))
        return GICSIM_E_EXISTS;
    if (out_table_len == OUT_TABLE_SIZE)
        return GICSIM_E_FULL;
    out_table[out_table_len++] = ops;
    return GICSIM_OK;
}

const gicsim_output_ops *gicsim_output_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < out_table_len; i++)
        if (strcmp(out_table[i]->name, name) == 0)
            return out_table[i];
    return NULL;
}

size_t gicsim_output_count(void)
{
    return out_table_len;
}

const gicsim_output_ops *gicsim_output_at(size_t i)
{
    return i < out_table_len ? out_table[i] : NULL;
}

/* ---- Buffers ---------------------------------------------------------------------------- */

void out_buf_free(out_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
    b->oom = false;
}

void out_buf_reset(out_buf *b)
{
    b->len = 0;
    if (b->p)
        b->p[0] = '\0';
}

static bool out_reserve(out_buf *b, size_t extra)
{
    if (b->oom)
        return false;
    if (b->len + extra + 1 <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1) {
        if (cap > SIZE_MAX / 2) {
            b->oom = true;
            return false;
        }
        cap *= 2;
    }
    char *p = realloc(b->p, cap);
    if (!p) {
        b->oom = true;
        return false;
    }
    b->p = p;
    b->cap = cap;
    return true;
}

void out_put(out_buf *b, const char *s, size_t n)
{
    if (!out_reserve(b, n))
        return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void out_puts(out_buf *b, const char *s)
{
    out_put(b, s, strlen(s));
}

void out_putc(out_buf *b, char c)
{
    out_put(b, &c, 1);
}

void out_u64(out_buf *b, uint64_t v)
{
    char tmp[24];
    int n = snprintf(tmp, sizeof tmp, "%" PRIu64, v);
    out_put(b, tmp, (size_t)n);
}

void out_i64(out_buf *b, int64_t v)
{
    char tmp[24];
    int n = snprintf(tmp, sizeof tmp, "%" PRId64, v);
    out_put(b, tmp, (size_t)n);
}

static uint64_t pow10u(unsigned d)
{
    uint64_t p = 1;
    while (d--)
        p *= 10;
    return p;
}

void out_ufixed(out_buf *b, uint64_t v, unsigned decimals)
{
    if (decimals == 0) {
        out_u64(b, v);
        return;
    }
    if (decimals > 18)
        decimals = 18;
    uint64_t p = pow10u(decimals);
    char tmp[48];
    int n = snprintf(tmp, sizeof tmp, "%" PRIu64 ".%0*" PRIu64, v / p, (int)decimals, v % p);
    out_put(b, tmp, (size_t)n);
}

void out_fixed(out_buf *b, int64_t v, unsigned decimals)
{
    if (v < 0) {
        out_putc(b, '-');
        out_ufixed(b, (uint64_t)0 - (uint64_t)v, decimals);
    } else {
        out_ufixed(b, (uint64_t)v, decimals);
    }
}

void out_double(out_buf *b, double x, unsigned decimals)
{
    if (decimals > 9)
        decimals = 9;
    double s = x * (double)pow10u(decimals);
    bool neg = s < 0;
    if (neg)
        s = -s;
    if (!(s < 9.0e18)) /* NaN, infinities, huge values */
        s = 0;
    uint64_t r = (uint64_t)(s + 0.5);
    if (neg && r != 0)
        out_putc(b, '-');
    out_ufixed(b, r, decimals);
}

void out_ps_ns(out_buf *b, uint64_t ps)
{
    out_ufixed(b, ps, 3);
}

void out_ps_us(out_buf *b, uint64_t ps)
{
    out_ufixed(b, ps, 6);
}

void out_json_str(out_buf *b, const char *s)
{
    if (!s) {
        out_puts(b, "null");
        return;
    }
    static const char hex[] = "0123456789abcdef";
    out_putc(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"':
            out_puts(b, "\\\"");
            break;
        case '\\':
            out_puts(b, "\\\\");
            break;
        case '\n':
            out_puts(b, "\\n");
            break;
        case '\r':
            out_puts(b, "\\r");
            break;
        case '\t':
            out_puts(b, "\\t");
            break;
        default:
            if (*p < 0x20 || *p == 0x7f) {
                char u[6] = {'\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15]};
                out_put(b, u, sizeof u);
            } else {
                out_putc(b, (char)*p);
            }
        }
    }
    out_putc(b, '"');
}

void out_xml(out_buf *b, const char *s)
{
    if (!s)
        return;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '<':
            out_puts(b, "&lt;");
            break;
        case '>':
            out_puts(b, "&gt;");
            break;
        case '&':
            out_puts(b, "&amp;");
            break;
        case '"':
            out_puts(b, "&quot;");
            break;
        case '\'':
            out_puts(b, "&apos;");
            break;
        default:
            /* XML 1.0 allows no control characters but tab, LF, CR. */
            if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
                out_putc(b, ' ');
            else
                out_putc(b, (char)*p);
        }
    }
}

bool out_write(out_buf *b, FILE *f)
{
    if (b->oom)
        return false;
    return b->len == 0 || fwrite(b->p, 1, b->len, f) == b->len;
}

/* ---- Names -------------------------------------------------------------------------------- */

const char *out_source_name(const gicsim_output_info *info, uint32_t i, char *tmp)
{
    if (info && info->source_names && i < info->n_sources && info->source_names[i])
        return info->source_names[i];
    snprintf(tmp, 32, "src%" PRIu32, i);
    return tmp;
}

const char *out_vm_name(const gicsim_output_info *info, uint32_t i, char *tmp)
{
    if (info && info->vm_names && i < info->n_vms && info->vm_names[i])
        return info->vm_names[i];
    snprintf(tmp, 32, "vm%" PRIu32, i);
    return tmp;
}

char *out_unique_source_name(const gicsim_output_info *info, uint32_t n, uint32_t i)
{
    char tmp[32], tmp2[32];
    const char *name = out_source_name(info, i, tmp);
    bool dup = false;
    for (uint32_t j = 0; j < i && j < n && !dup; j++)
        dup = strcmp(out_source_name(info, j, tmp2), name) == 0;
    out_buf b = {0};
    out_puts(&b, name);
    if (dup) {
        out_putc(&b, '#');
        out_u64(&b, i);
    }
    if (b.oom) {
        out_buf_free(&b);
        return NULL;
    }
    if (!b.p) /* empty name */
        return out_strdup("");
    return b.p;
}

char *out_strdup(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

bool out_path_ends_with(const char *path, const char *suffix)
{
    size_t n = strlen(path), m = strlen(suffix);
    return n >= m && strcmp(path + n - m, suffix) == 0;
}

static void names_free(const char *const *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free((char *)v[i]);
    free((void *)v);
}

/* A copy of n names (NULL entries stay NULL); false when out of memory. */
static bool names_copy(const char *const *src, size_t n, const char *const **dst)
{
    *dst = NULL;
    if (!src || !n)
        return true;
    char **v = calloc(n, sizeof *v);
    if (!v)
        return false;
    for (size_t i = 0; i < n; i++)
        if (src[i] && !(v[i] = out_strdup(src[i]))) {
            names_free((const char *const *)v, n);
            return false;
        }
    *dst = (const char *const *)v;
    return true;
}

gicsim_output_info *out_info_copy(const gicsim_output_info *info)
{
    if (!info)
        return NULL;
    gicsim_output_info *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->n_sources = info->source_names ? info->n_sources : 0;
    c->n_vms = info->vm_names ? info->n_vms : 0;
    bool ok = (!info->scenario || (c->scenario = out_strdup(info->scenario))) &&
              (!info->policy || (c->policy = out_strdup(info->policy))) &&
              names_copy(info->source_names, c->n_sources, &c->source_names) &&
              names_copy(info->vm_names, c->n_vms, &c->vm_names);
    if (!ok) {
        out_info_free(c);
        return NULL;
    }
    return c;
}

void out_info_free(gicsim_output_info *info)
{
    if (!info)
        return;
    free((char *)info->scenario);
    free((char *)info->policy);
    names_free(info->source_names, info->n_sources);
    names_free(info->vm_names, info->n_vms);
    free(info);
}
