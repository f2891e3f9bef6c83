/* json_check: a small, strict JSON (RFC 8259) syntax checker, so tests can
 * validate gicsim's JSON outputs on machines without python or jq.
 *
 *   json_check FILE...     check each file ("-" reads standard input)
 *
 * Exit status: 0 when every file holds exactly one valid JSON value
 * (surrounded by optional whitespace), 1 when one does not (a message
 * "FILE:LINE:COLUMN: error" goes to standard error), 2 on usage or read
 * errors. Strict: no comments, no trailing commas, no leading zeros, no
 * NaN/Infinity, no control characters in strings, only the escapes the RFC
 * defines, valid UTF-8, no byte-order mark, nesting at most 512 deep.
 *
 * Built with -DJSON_CHECK_NO_MAIN, the file provides only json_check_buffer()
 * for a test to link. */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSON_CHECK_MAX_DEPTH 512

typedef struct jc {
    const unsigned char *p, *end, *start;
    const char *err;
} jc;

int json_check_buffer(const char *data, size_t len, size_t *err_offset, const char **err_msg);

static bool fail(jc *c, const char *msg)
{
    if (!c->err)
        c->err = msg;
    return false;
}

static void ws(jc *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

static bool lit(jc *c, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0)
        return fail(c, "invalid literal");
    c->p += n;
    return true;
}

static bool is_digit(unsigned char ch)
{
    return ch >= '0' && ch <= '9';
}

static bool number(jc *c)
{
    if (c->p < c->end && *c->p == '-')
        c->p++;
    if (c->p >= c->end || !is_digit(*c->p))
        return fail(c, "invalid number");
    if (*c->p == '0') {
        c->p++;
        if (c->p < c->end && is_digit(*c->p))
            return fail(c, "leading zero in number");
    } else {
        while (c->p < c->end && is_digit(*c->p))
            c->p++;
    }
    if (c->p < c->end && *c->p == '.') {
        c->p++;
        if (c->p >= c->end || !is_digit(*c->p))
            return fail(c, "digit expected after decimal point");
        while (c->p < c->end && is_digit(*c->p))
            c->p++;
    }
    if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
        c->p++;
        if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
            c->p++;
        if (c->p >= c->end || !is_digit(*c->p))
            return fail(c, "digit expected in exponent");
        while (c->p < c->end && is_digit(*c->p))
            c->p++;
    }
    return true;
}

static bool is_hex(unsigned char ch)
{
    return is_digit(ch) || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

/* One UTF-8 sequence starting at c->p (a byte >= 0x80). */
static bool utf8(jc *c)
{
    unsigned char b0 = *c->p;
    int n;
    unsigned lo = 0x80, hi = 0xBF; /* range of the second byte */
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        n = 1;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        n = 2;
        if (b0 == 0xE0)
            lo = 0xA0; /* no overlongs */
        if (b0 == 0xED)
            hi = 0x9F; /* no surrogates */
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        n = 3;
        if (b0 == 0xF0)
            lo = 0x90;
        if (b0 == 0xF4)
            hi = 0x8F; /* <= U+10FFFF */
    } else {
        return fail(c, "invalid UTF-8");
    }
    if (c->end - c->p <= n)
        return fail(c, "truncated UTF-8 sequence");
    for (int i = 1; i <= n; i++) {
        unsigned char b = c->p[i];
        unsigned l = i == 1 ? lo : 0x80, h = i == 1 ? hi : 0xBF;
        if (b < l || b > h)
            return fail(c, "invalid UTF-8");
    }
    c->p += n + 1;
    return true;
}

static bool string(jc *c)
{
    c->p++; /* opening quote */
    for (;;) {
        if (c->p >= c->end)
            return fail(c, "unterminated string");
        unsigned char ch = *c->p;
        if (ch == '"') {
            c->p++;
            return true;
        }
        if (ch < 0x20)
            return fail(c, "control character in string");
        if (ch == '\\') {
            c->p++;
            if (c->p >= c->end)
                return fail(c, "unterminated string");
            ch = *c->p;
            if (ch == 'u') {
                for (int i = 1; i <= 4; i++)
                    if (c->p + i >= c->end || !is_hex(c->p[i]))
                        return fail(c, "invalid \\u escape");
                c->p += 5;
            } else if (strchr("\"\\/bfnrt", ch) && ch) {
                c->p++;
            } else {
                return fail(c, "invalid escape");
            }
        } else if (ch >= 0x80) {
            if (!utf8(c))
                return false;
        } else {
            c->p++;
        }
    }
}

static bool value(jc *c, int depth);

static bool object(jc *c, int depth)
{
    c->p++;
    ws(c);
    if (c->p < c->end && *c->p == '}') {
        c->p++;
        return true;
    }
    for (;;) {
        ws(c);
        if (c->p >= c->end || *c->p != '"')
            return fail(c, "object key (string) expected");
        if (!string(c))
            return false;
        ws(c);
        if (c->p >= c->end || *c->p != ':')
            return fail(c, "':' expected");
        c->p++;
        if (!value(c, depth + 1))
            return false;
        ws(c);
        if (c->p < c->end && *c->p == ',') {
            c->p++;
            continue;
        }
        if (c->p < c->end && *c->p == '}') {
            c->p++;
            return true;
        }
        return fail(c, "',' or '}' expected");
    }
}

static bool array(jc *c, int depth)
{
    c->p++;
    ws(c);
    if (c->p < c->end && *c->p == ']') {
        c->p++;
        return true;
    }
    for (;;) {
        if (!value(c, depth + 1))
            return false;
        ws(c);
        if (c->p < c->end && *c->p == ',') {
            c->p++;
            continue;
        }
        if (c->p < c->end && *c->p == ']') {
            c->p++;
            return true;
        }
        return fail(c, "',' or ']' expected");
    }
}

static bool value(jc *c, int depth)
{
    if (depth > JSON_CHECK_MAX_DEPTH)
        return fail(c, "nesting too deep");
    ws(c);
    if (c->p >= c->end)
        return fail(c, "value expected");
    switch (*c->p) {
    case '{':
        return object(c, depth);
    case '[':
        return array(c, depth);
    case '"':
        return string(c);
    case 't':
        return lit(c, "true");
    case 'f':
        return lit(c, "false");
    case 'n':
        return lit(c, "null");
    default:
        if (*c->p == '-' || is_digit(*c->p))
            return number(c);
        return fail(c, "value expected");
    }
}

/* 0 when `data` holds exactly one JSON value; otherwise -1 with the byte
 * offset of the error and a static message. */
int json_check_buffer(const char *data, size_t len, size_t *err_offset, const char **err_msg)
{
    jc c = {(const unsigned char *)data, (const unsigned char *)data + len,
            (const unsigned char *)data, NULL};
    bool ok = value(&c, 1);
    if (ok) {
        ws(&c);
        if (c.p != c.end)
            ok = fail(&c, "trailing data after the value");
    }
    if (err_offset)
        *err_offset = ok ? 0 : (size_t)(c.p - c.start);
    if (err_msg)
        *err_msg = ok ? NULL : c.err;
    return ok ? 0 : -1;
}

#ifndef JSON_CHECK_NO_MAIN

static char *read_all(FILE *f, size_t *len)
{
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    if (!buf)
        return NULL;
    for (;;) {
        if (n == cap) {
            char *nb = cap > ((size_t)-1) / 2 ? NULL : realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                return NULL;
            }
            buf = nb;
            cap *= 2;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
    }
    if (ferror(f)) {
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE...  (\"-\" for standard input)\n", argv[0]);
        return 2;
    }
    int rc = 0;
    for (int i = 1; i < argc; i++) {
        bool is_stdin = strcmp(argv[i], "-") == 0;
        FILE *f = is_stdin ? stdin : fopen(argv[i], "rb");
        if (!f) {
            fprintf(stderr, "%s: cannot open\n", argv[i]);
            return 2;
        }
        size_t len = 0;
        char *data = read_all(f, &len);
        if (!is_stdin)
            fclose(f);
        if (!data) {
            fprintf(stderr, "%s: read error\n", argv[i]);
            return 2;
        }
        size_t off;
        const char *msg;
        if (json_check_buffer(data, len, &off, &msg) != 0) {
            size_t line = 1, col = 1;
            for (size_t k = 0; k < off && k < len; k++) {
                if (data[k] == '\n') {
                    line++;
                    col = 1;
                } else {
                    col++;
                }
            }
            fprintf(stderr, "%s:%zu:%zu: %s\n", argv[i], line, col, msg ? msg : "invalid JSON");
            rc = 1;
        }
        free(data);
    }
    return rc;
}

#endif
