/* gicsim (internal): quantities in YAML scalars (see yaml_tree.h): times
 * ("200us", exact in ps, and their formatting back), rates of events
 * ("200k/s", "50Hz", as the period between events, and as exact hertz text)
 * and frequencies ("3GHz" or an integer of Hz). The tree, its other scalar
 * readers and the diagnostics are yaml_tree.c's. */
#include "yaml_tree.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    unsigned exp10;
} time_units[] = {{"ps", 0}, {"ns", 3}, {"us", 6}, {"\xc2\xb5s", 6}, {"ms", 9}, {"s", 12}};

static const uint64_t pow10_tab[] = {
    1ull,           10ull,           100ull,          1000ull,      10000ull,
    100000ull,      1000000ull,      10000000ull,     100000000ull, 1000000000ull,
    10000000000ull, 100000000000ull, 1000000000000ull};

/* "<digits>[.<digits>]<spaces><unit>": value * 10^exp10(unit) must be an
 * integer. Sets *unit to the unit text. */
static bool parse_decimal(const char *s, const char **unit, uint64_t *ip, const char **frac,
                          size_t *nfrac)
{
    while (*s == ' ')
        s++;
    if (!(*s >= '0' && *s <= '9'))
        return false;
    uint64_t v = 0;
    for (; *s >= '0' && *s <= '9'; s++) {
        if (v > (UINT64_MAX - 9) / 10)
            v = UINT64_MAX; /* saturate: reported as too large */
        else
            v = v * 10 + (uint64_t)(*s - '0');
    }
    *ip = v;
    *frac = s;
    *nfrac = 0;
    if (*s == '.') {
        s++;
        *frac = s;
        while (*s >= '0' && *s <= '9')
            s++;
        *nfrac = (size_t)(s - *frac);
    }
    while (*s == ' ')
        s++;
    *unit = s;
    return true;
}

/* ip.frac * 10^exp10 exactly, or false with *why. */
static bool scale_exact(uint64_t ip, const char *frac, size_t nfrac, unsigned exp10, uint64_t *out,
                        const char **why, const char *finer)
{
    while (nfrac && frac[nfrac - 1] == '0')
        nfrac--;
    if (nfrac > exp10) {
        *why = finer;
        return false;
    }
    uint64_t fv = 0;
    for (size_t i = 0; i < nfrac; i++)
        fv = fv * 10 + (uint64_t)(frac[i] - '0');
    fv *= pow10_tab[exp10 - nfrac];
    uint64_t mul = pow10_tab[exp10];
    if (ip == UINT64_MAX || ip > (UINT64_MAX - fv) / mul) {
        *why = "too large";
        return false;
    }
    *out = ip * mul + fv;
    return true;
}

/* A quantity "<spaces><digits>[.<digits>]<spaces><unit><spaces>": its digits
 * (parse_decimal) and its unit, *ulen without the trailing spaces. false
 * with *why (`what`: "a time", "a rate") when it is negative or not a
 * number. */
static bool parse_quantity(const char *s, const char *what, const char *expected, const char **unit,
                           size_t *ulen, uint64_t *ip, const char **frac, size_t *nfrac,
                           const char **why)
{
    while (*s == ' ')
        s++;
    if (*s == '-') {
        *why = what;
        return false;
    }
    if (!parse_decimal(s, unit, ip, frac, nfrac)) {
        *why = expected;
        return false;
    }
    *ulen = strlen(*unit);
    while (*ulen && (*unit)[*ulen - 1] == ' ')
        (*ulen)--;
    return true;
}

gicsim_status yt_parse_time(const char *s, gicsim_time_t *out, const char **why)
{
    const char *unit, *frac;
    uint64_t ip;
    size_t nfrac, ulen;
    if (!parse_quantity(s, "a time cannot be negative",
                        "expected a number with a unit: ps, ns, us, ms or s (e.g. \"200us\")",
                        &unit, &ulen, &ip, &frac, &nfrac, why))
        return GICSIM_E_INVAL;
    if (ulen == 0) {
        bool zero = ip == 0;
        for (size_t i = 0; i < nfrac; i++)
            zero = zero && frac[i] == '0';
        if (zero) { /* a bare 0 needs no unit */
            *out = 0;
            return GICSIM_OK;
        }
        *why = "a time needs a unit: ps, ns, us, ms or s (e.g. \"200us\")";
        return GICSIM_E_INVAL;
    }
    for (size_t i = 0; i < sizeof time_units / sizeof time_units[0]; i++) {
        if (strlen(time_units[i].name) == ulen && !strncmp(unit, time_units[i].name, ulen)) {
            uint64_t v;
            if (!scale_exact(ip, frac, nfrac, time_units[i].exp10, &v, why,
                             "finer than the 1 ps resolution"))
                return GICSIM_E_INVAL;
            *out = v;
            return GICSIM_OK;
        }
    }
    *why = "unknown time unit (use ps, ns, us, ms or s)";
    return GICSIM_E_INVAL;
}

void yt_format_time(gicsim_time_t ps, char *buf, size_t size)
{
    static const struct {
        const char *name;
        unsigned exp10;
    } units[] = {{"s", 12}, {"ms", 9}, {"us", 6}, {"ns", 3}, {"ps", 0}};
    if (ps == 0) {
        snprintf(buf, size, "0s");
        return;
    }
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        uint64_t mul = pow10_tab[units[i].exp10];
        if (ps < mul)
            continue;
        uint64_t ip = ps / mul, fr = ps % mul;
        if (!fr) {
            snprintf(buf, size, "%llu%s", (unsigned long long)ip, units[i].name);
            return;
        }
        char digits[16];
        snprintf(digits, sizeof digits, "%0*llu", (int)units[i].exp10, (unsigned long long)fr);
        size_t nd = strlen(digits);
        while (nd && digits[nd - 1] == '0')
            digits[--nd] = '\0';
        snprintf(buf, size, "%llu.%s%s", (unsigned long long)ip, digits, units[i].name);
        return;
    }
}

gicsim_status yt_get_time(const yt_node *n, const char *key, gicsim_time_t *out, gicsim_diag *diag)
{
    char what[128];
    if (!n || n->kind != YT_SCALAR || yt_is_null(n)) {
        yt_describe(n, what, sizeof what);
        return yt_node_err(diag, n, key, "expected a time such as \"200us\", got %s", what);
    }
    const char *why = NULL;
    if (yt_parse_time(n->str, out, &why) != GICSIM_OK)
        return yt_node_err(diag, n, key, "invalid time \"%.80s\": %s", n->str, why);
    return GICSIM_OK;
}

/* ---- Rates --------------------------------------------------------------------------- */

/* The units of a rate: events per second with an SI prefix ("/s", "k/s",
 * "M/s", "G/s", case as written) or hertz (any case, as yt_get_hz). */
static const struct {
    const char *name;
    unsigned exp10;
    bool any_case;
} rate_units[] = {{"/s", 0, false},  {"k/s", 3, false}, {"K/s", 3, false},
                  {"M/s", 6, false}, {"G/s", 9, false}, {"hz", 0, true},
                  {"khz", 3, true},  {"mhz", 6, true},  {"ghz", 9, true}};

static int ci_cmp_n(const char *a, const char *b, size_t n);

/* The digits of a rate "<ip>.<frac> <unit>": *m = ip.frac without the point
 * (trailing zeros of frac dropped), *x = the power of ten that makes it hertz
 * (rate = m * 10^x). false with *why when it is not a rate. */
static bool rate_digits(const char *s, uint64_t *m, int *x, const char **why)
{
    const char *unit, *frac;
    uint64_t ip;
    size_t nfrac, ulen;
    if (!parse_quantity(s, "a rate cannot be negative",
                        "expected a number with a unit: /s, k/s, M/s, G/s, Hz, kHz, MHz or GHz "
                        "(e.g. \"200k/s\")",
                        &unit, &ulen, &ip, &frac, &nfrac, why))
        return false;
    if (ulen == 0) {
        *why = "a rate needs a unit: /s, k/s, M/s, G/s, Hz, kHz, MHz or GHz (e.g. \"200k/s\")";
        return false;
    }
    size_t u;
    for (u = 0; u < sizeof rate_units / sizeof rate_units[0]; u++) {
        const char *name = rate_units[u].name;
        if (strlen(name) == ulen &&
            (rate_units[u].any_case ? !ci_cmp_n(unit, name, ulen) : !strncmp(unit, name, ulen)))
            break;
    }
    if (u == sizeof rate_units / sizeof rate_units[0]) {
        bool exponent = (unit[0] == 'e' || unit[0] == 'E') && ulen > 1 &&
                        ((unit[1] >= '0' && unit[1] <= '9') || unit[1] == '-' || unit[1] == '+');
        *why = exponent ? "a rate is written without an exponent: digits and a unit prefix "
                          "(1e-9/s is not a rate; 250Hz, 1.5k/s, 2M/s are)"
                        : "unknown rate unit (use /s, k/s, M/s, G/s, Hz, kHz, MHz or GHz)";
        return false;
    }
    while (nfrac && frac[nfrac - 1] == '0')
        nfrac--;
    /* At most 18 significant digits: m <= 10^18 keeps the division exact. */
    const uint64_t max_m = 1000000000000000000ull;
    uint64_t v = ip;
    for (size_t i = 0; i < nfrac && v <= max_m; i++)
        v = v * 10 + (uint64_t)(frac[i] - '0');
    if (v > max_m) {
        *why = "too many digits (at most 18)";
        return false;
    }
    if (v == 0) {
        *why = "a rate must be greater than 0";
        return false;
    }
    *m = v;
    *x = (int)rate_units[u].exp10 - (int)nfrac;
    return true;
}

gicsim_status yt_parse_rate(const char *s, gicsim_time_t *period, const char **why)
{
    uint64_t m;
    int x;
    if (!rate_digits(s, &m, &x, why))
        return GICSIM_E_INVAL;
    /* period = 10^(12 - x) / m ps, by long division (exact: q + r/m is the
     * quotient so far), rounded half up. */
    int e = 12 - x;
    if (e < 0) {
        *why = "too high (the period would be shorter than 1 ps)";
        return GICSIM_E_INVAL;
    }
    uint64_t q = 1 / m, r = 1 % m;
    for (int i = 0; i < e; i++) {
        if (q > (UINT64_MAX - 9) / 10) {
            *why = "too low (the period would be too long)";
            return GICSIM_E_INVAL;
        }
        r *= 10; /* r < m <= 10^18: no overflow */
        q = q * 10 + r / m;
        r %= m;
    }
    if (r >= m - r) {
        if (q == UINT64_MAX) {
            *why = "too low (the period would be too long)";
            return GICSIM_E_INVAL;
        }
        q++;
    }
    if (q == 0) {
        *why = "too high (the period would be shorter than 1 ps)";
        return GICSIM_E_INVAL;
    }
    *period = q;
    return GICSIM_OK;
}

bool yt_rate_hz_text(const char *s, char *buf, size_t size)
{
    uint64_t m;
    int x;
    const char *why;
    if (!size || !rate_digits(s, &m, &x, &why))
        return false;
    char digits[24], out[64];
    int nd = snprintf(digits, sizeof digits, "%llu", (unsigned long long)m);
    size_t k = 0;
    if (x >= 0) { /* m followed by x zeros */
        for (int i = 0; i < nd; i++)
            out[k++] = digits[i];
        for (int i = 0; i < x; i++)
            out[k++] = '0';
    } else if (-x < nd) { /* a point inside the digits */
        for (int i = 0; i < nd; i++) {
            if (i == nd + x)
                out[k++] = '.';
            out[k++] = digits[i];
        }
    } else { /* 0.000ddd */
        out[k++] = '0';
        out[k++] = '.';
        for (int i = 0; i < -x - nd; i++)
            out[k++] = '0';
        for (int i = 0; i < nd; i++)
            out[k++] = digits[i];
    }
    out[k] = '\0';
    snprintf(buf, size, "%s", out);
    return true;
}

gicsim_status yt_get_rate(const yt_node *n, const char *key, gicsim_time_t *period,
                          gicsim_diag *diag)
{
    char what[128];
    if (!n || n->kind != YT_SCALAR || yt_is_null(n)) {
        yt_describe(n, what, sizeof what);
        return yt_node_err(diag, n, key, "expected a rate such as \"200k/s\", got %s", what);
    }
    const char *why = NULL;
    if (yt_parse_rate(n->str, period, &why) != GICSIM_OK)
        return yt_node_err(diag, n, key, "invalid rate \"%.80s\": %s", n->str, why);
    return GICSIM_OK;
}

/* Case-insensitive comparison of n bytes (ASCII): 0 when equal. */
static int ci_cmp_n(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int ca = (a[i] >= 'A' && a[i] <= 'Z') ? a[i] + 32 : a[i];
        int cb = (b[i] >= 'A' && b[i] <= 'Z') ? b[i] + 32 : b[i];
        if (ca != cb)
            return ca - cb;
    }
    return 0;
}

gicsim_status yt_get_hz(const yt_node *n, const char *key, uint64_t *out, gicsim_diag *diag)
{
    static const struct {
        const char *name;
        unsigned exp10;
    } units[] = {{"hz", 0}, {"khz", 3}, {"mhz", 6}, {"ghz", 9}};
    const uint64_t max_hz = 1000000000000ull;
    char what[128];
    if (!n || n->kind != YT_SCALAR || yt_is_null(n)) {
        yt_describe(n, what, sizeof what);
        return yt_node_err(diag, n, key, "expected a frequency such as \"3GHz\", got %s", what);
    }
    bool neg, ovf;
    uint64_t v;
    if (n->plain && yt_parse_int(n->str, &neg, &v, &ovf)) {
        if (neg || ovf || v == 0 || v > max_hz)
            return yt_node_err(diag, n, key, "frequency %s Hz is out of range (1 Hz..1 THz)",
                               n->str);
        *out = v;
        return GICSIM_OK;
    }
    const char *unit, *frac;
    uint64_t ip;
    size_t nfrac;
    if (!parse_decimal(n->str, &unit, &ip, &frac, &nfrac))
        return yt_node_err(diag, n, key,
                           "invalid frequency \"%.80s\": expected Hz as an integer or a number "
                           "with a unit: Hz, kHz, MHz, GHz",
                           n->str);
    size_t ulen = strlen(unit);
    while (ulen && unit[ulen - 1] == ' ')
        ulen--;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strlen(units[i].name) != ulen || ci_cmp_n(unit, units[i].name, ulen))
            continue;
        const char *why = NULL;
        if (!scale_exact(ip, frac, nfrac, units[i].exp10, &v, &why, "not a whole number of Hz"))
            return yt_node_err(diag, n, key, "invalid frequency \"%.80s\": %s", n->str, why);
        if (v == 0 || v > max_hz)
            return yt_node_err(diag, n, key, "frequency \"%.80s\" is out of range (1 Hz..1 THz)",
                               n->str);
        *out = v;
        return GICSIM_OK;
    }
    return yt_node_err(diag, n, key,
                       "invalid frequency \"%.80s\": unknown unit (use Hz, kHz, "
                       "MHz or GHz)",
                       n->str);
}
