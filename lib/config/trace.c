/* gicsim: event traces (see gicsim/trace.h and docs/traces.md).
 *
 * Reading. The reader keeps one text block of TRACE_BLOCK bytes: lines are
 * split in place with memchr, the current line is NUL-terminated where it ends
 * and parsed by hand (the event's source name is terminated in place too, so
 * it points into the block). When no complete line is left, the unread tail is
 * moved to the front and the rest of the block refilled: by fread on an
 * unbuffered stream for plain files, by inflate from a second block of
 * compressed input for gzip. Memory is constant whatever the trace's length;
 * a line may be at most TRACE_BLOCK - 1 bytes.
 *
 * Writing. Lines are formatted by hand into a TRACE_BLOCK buffer that is
 * written (or deflated, then written) when full.
 *
 * All file access is through stdio and zlib's inflate/deflate on a FILE, so the
 * same code reads standard input ("-") and detects gzip by its magic bytes. */
#include <gicsim/trace.h>
#include <gicsim/engine.h>

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#define TRACE_BLOCK (64u * 1024u) /* text and compressed blocks */
#define TRACE_MAX_NAME 1024u      /* longest source name the writer accepts */
#define TRACE_VERSION 1u
#define TRACE_HEADER "#gicsim-trace"

/* ---- Characters ----------------------------------------------------------------- */

static inline bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t';
}

static inline bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* Source-name characters [A-Za-z0-9_.-], by table: the name loop runs once
 * per byte of every event line. */
static const bool name_char[256] = {
    ['-'] = 1, ['.'] = 1, ['_'] = 1, ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1,
    ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1, ['A'] = 1, ['B'] = 1, ['C'] = 1,
    ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1,
    ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1,
    ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1, ['a'] = 1,
    ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1,
    ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1,
    ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1,
    ['z'] = 1};

static inline bool is_name(unsigned char c)
{
    return name_char[c];
}

/* A source name the writer may write: [A-Za-z0-9_.-]{1,TRACE_MAX_NAME}. */
static size_t valid_name_len(const char *name)
{
    if (!name)
        return 0;
    size_t n = 0;
    while (name[n]) {
        if (!is_name((unsigned char)name[n]) || n == TRACE_MAX_NAME)
            return 0;
        n++;
    }
    return n;
}

const char *gicsim_trace_kind_name(gicsim_trace_kind kind)
{
    switch (kind) {
    case GICSIM_TRACE_FIRE:
        return "fire";
    default:
        return NULL;
    }
}

/* ---- Reader --------------------------------------------------------------------- */

struct gicsim_trace_reader {
    FILE *f;
    bool own;          /* close f with the reader (not for standard input) */
    bool gz;           /* gzip input, inflated through zs */
    bool z_init;       /* zs holds inflate state */
    bool z_member_end; /* a gzip member just ended: another may follow */
    bool in_eof;       /* gzip: the compressed input is exhausted */
    bool src_eof;      /* no further text will arrive */
    bool at_end;       /* gicsim_trace_next returned the end */
    z_stream zs;
    unsigned char *in; /* gzip: compressed input block */
    char *buf;         /* text block (TRACE_BLOCK + 1 for a terminating NUL) */
    size_t pos, len;   /* unread text is buf[pos .. len) */
    unsigned long line;
    gicsim_time_t last;
    gicsim_status err;
    unsigned long err_line;
    char msg[200];
};

/* Record an error (sticky) and return it. */
static gicsim_status reader_fail(gicsim_trace_reader *r, gicsim_status st, unsigned long line,
                                 const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->msg, sizeof r->msg, fmt, ap);
    va_end(ap);
    r->err = st;
    r->err_line = line;
    return st;
}

/* A printable rendering of at most 40 bytes of `s` (for messages). */
static const char *quote(char out[48], const char *s, size_t n)
{
    size_t o = 0;
    if (n > 40)
        n = 40;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        out[o++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    out[o] = '\0';
    return out;
}

/* Describe one character for a message: 'x' or byte 0xNN. */
static const char *describe_char(char out[16], unsigned char c)
{
    if (c >= 0x20 && c < 0x7f)
        snprintf(out, 16, "'%c'", c);
    else
        snprintf(out, 16, "byte 0x%02x", c);
    return out;
}

static gicsim_status read_block(gicsim_trace_reader *r, void *dst, size_t cap, size_t *got)
{
    size_t n = fread(dst, 1, cap, r->f);
    *got = n;
    if (n < cap && ferror(r->f))
        return reader_fail(r, GICSIM_E_IO, r->line + 1, "read error");
    return GICSIM_OK;
}

/* gzip: inflate into buf[len ..) until some text arrives or the input ends. */
static gicsim_status fill_gz(gicsim_trace_reader *r)
{
    z_stream *zs = &r->zs;
    for (;;) {
        if (zs->avail_in == 0 && !r->in_eof) {
            size_t n;
            gicsim_status st = read_block(r, r->in, TRACE_BLOCK, &n);
            if (st != GICSIM_OK)
                return st;
            zs->next_in = r->in;
            zs->avail_in = (uInt)n;
            if (n == 0)
                r->in_eof = true;
        }
        if (r->z_member_end) {
            if (zs->avail_in == 0) { /* in_eof: the last member ended cleanly */
                r->src_eof = true;
                return GICSIM_OK;
            }
            if (zs->next_in[0] != 0x1f)
                return reader_fail(r, GICSIM_E_PARSE, r->line + 1,
                                   "data after the end of the gzip stream");
            if (inflateReset(zs) != Z_OK)
                return reader_fail(r, GICSIM_E_PARSE, r->line + 1, "gzip: inflate reset failed");
            r->z_member_end = false;
        }
        size_t space = TRACE_BLOCK - r->len;
        zs->next_out = (Bytef *)r->buf + r->len;
        zs->avail_out = (uInt)space;
        int ret = inflate(zs, Z_NO_FLUSH);
        size_t produced = space - zs->avail_out;
        r->len += produced;
        switch (ret) {
        case Z_OK:
            break;
        case Z_STREAM_END:
            r->z_member_end = true;
            break;
        case Z_BUF_ERROR: /* no progress possible: only when the input is exhausted */
            if (zs->avail_in == 0 && r->in_eof)
                return reader_fail(r, GICSIM_E_PARSE, r->line + 1,
                                   "truncated gzip data (unexpected end of file)");
            return reader_fail(r, GICSIM_E_PARSE, r->line + 1, "gzip: inflate made no progress");
        case Z_MEM_ERROR:
            return reader_fail(r, GICSIM_E_NOMEM, r->line + 1, "out of memory inflating");
        default: /* Z_DATA_ERROR, Z_NEED_DICT, Z_STREAM_ERROR */
            return reader_fail(r, GICSIM_E_PARSE, r->line + 1, "corrupt gzip data (%s)",
                               zs->msg ? zs->msg : "inflate failed");
        }
        if (produced)
            return GICSIM_OK;
    }
}

/* Move the unread text to the front of the block and add more after it. */
static gicsim_status fill(gicsim_trace_reader *r)
{
    if (r->pos) {
        memmove(r->buf, r->buf + r->pos, r->len - r->pos);
        r->len -= r->pos;
        r->pos = 0;
    }
    if (r->len == TRACE_BLOCK)
        return reader_fail(r, GICSIM_E_PARSE, r->line + 1, "line longer than %u bytes",
                           TRACE_BLOCK - 1u);
    if (r->gz)
        return fill_gz(r);
    size_t n;
    gicsim_status st = read_block(r, r->buf + r->len, TRACE_BLOCK - r->len, &n);
    if (st != GICSIM_OK)
        return st;
    r->len += n;
    if (n == 0 || feof(r->f))
        r->src_eof = true;
    return GICSIM_OK;
}

gicsim_status gicsim_trace_open(const char *path, gicsim_trace_reader **out)
{
    if (!path || !out)
        return GICSIM_E_INVAL;
    *out = NULL;
    gicsim_trace_reader *r = calloc(1, sizeof *r);
    if (!r)
        return GICSIM_E_NOMEM;
    r->buf = malloc(TRACE_BLOCK + 1);
    if (!r->buf) {
        free(r);
        return GICSIM_E_NOMEM;
    }
    if (strcmp(path, "-") == 0) {
        r->f = stdin;
    } else {
        r->f = fopen(path, "rb");
        if (!r->f) {
            free(r->buf);
            free(r);
            return GICSIM_E_IO;
        }
        r->own = true;
        setvbuf(r->f, NULL, _IONBF, 0); /* we read whole blocks ourselves */
    }
    /* Read the first block; gzip is recognised by its magic bytes 1f 8b. */
    gicsim_status st = fill(r);
    if (st == GICSIM_OK && r->len >= 2 && (unsigned char)r->buf[0] == 0x1f &&
        (unsigned char)r->buf[1] == 0x8b) {
        r->in = malloc(TRACE_BLOCK);
        if (!r->in) {
            st = GICSIM_E_NOMEM;
        } else {
            memcpy(r->in, r->buf, r->len);
            r->zs.next_in = r->in;
            r->zs.avail_in = (uInt)r->len;
            r->in_eof = r->src_eof;
            r->src_eof = false;
            r->len = 0;
            r->gz = true;
            if (inflateInit2(&r->zs, 16 + MAX_WBITS) != Z_OK)
                st = GICSIM_E_NOMEM;
            else
                r->z_init = true;
        }
    }
    if (st == GICSIM_E_IO || st == GICSIM_E_NOMEM) {
        gicsim_trace_close(r);
        return st;
    }
    *out = r; /* other errors are reported by the first gicsim_trace_next */
    return GICSIM_OK;
}

void gicsim_trace_close(gicsim_trace_reader *r)
{
    if (!r)
        return;
    if (r->z_init)
        inflateEnd(&r->zs);
    if (r->own && r->f)
        fclose(r->f);
    free(r->in);
    free(r->buf);
    free(r);
}

unsigned long gicsim_trace_error_line(const gicsim_trace_reader *r)
{
    return r && r->err ? r->err_line : 0;
}

const char *gicsim_trace_error_message(const gicsim_trace_reader *r)
{
    return r && r->err ? r->msg : "";
}

unsigned long gicsim_trace_line(const gicsim_trace_reader *r)
{
    return r ? r->line : 0;
}

/* The optional version header on line 1: "#gicsim-trace <version>". `s` is
 * the line (NUL-terminated). */
static gicsim_status parse_header(gicsim_trace_reader *r, const unsigned char *s)
{
    size_t hl = sizeof TRACE_HEADER - 1;
    if (strncmp((const char *)s, TRACE_HEADER, hl) != 0 || (s[hl] && !is_space(s[hl])))
        return GICSIM_OK; /* an ordinary comment */
    s += hl;
    while (is_space(*s))
        s++;
    if (!is_digit(*s))
        return reader_fail(r, GICSIM_E_PARSE, r->line,
                           "malformed version header (expected \"" TRACE_HEADER " %u\")",
                           TRACE_VERSION);
    const unsigned char *digits = s;
    while (is_digit(*s))
        s++;
    size_t nd = (size_t)(s - digits);
    while (is_space(*s))
        s++;
    if (*s)
        return reader_fail(r, GICSIM_E_PARSE, r->line,
                           "malformed version header (expected \"" TRACE_HEADER " %u\")",
                           TRACE_VERSION);
    /* Compared as written (leading zeros aside), so any number of digits is
     * reported exactly. */
    while (nd > 1 && *digits == '0') {
        digits++;
        nd--;
    }
    if (nd != 1 || (unsigned)(*digits - '0') != TRACE_VERSION)
        return reader_fail(r, GICSIM_E_PARSE, r->line,
                           "unsupported trace version %.*s (this reader knows version %u)",
                           (int)(nd < 40 ? nd : 40), (const char *)digits, TRACE_VERSION);
    return GICSIM_OK;
}

/* Parse one line, NUL-terminated at `end`. Returns GICSIM_OK with *have set
 * when it holds an event, GICSIM_OK with *have clear for a blank or comment
 * line, or an error. */
static gicsim_status parse_line(gicsim_trace_reader *r, char *line, gicsim_trace_event *ev,
                                bool *have)
{
    unsigned char *s = (unsigned char *)line;
    char q[48], c16[16];
    *have = false;
    if (r->line == 1 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
        s += 3; /* UTF-8 byte order mark */
    while (is_space(*s))
        s++;
    if (!*s)
        return GICSIM_OK;
    if (*s == '#')
        return r->line == 1 ? parse_header(r, s) : GICSIM_OK;

    /* <time> */
    if (!is_digit(*s)) {
        size_t n = 0;
        while (s[n] && !is_space(s[n]))
            n++;
        return reader_fail(r, GICSIM_E_PARSE, r->line,
                           "expected a time (unsigned integer of picoseconds), found '%s'",
                           quote(q, (const char *)s, n));
    }
    /* 19 digits always fit in 64 bits: only longer numbers need the
     * overflow check. */
    uint64_t t = 0;
    unsigned nd = 0;
    do {
        t = t * 10 + (unsigned)(*s++ - '0');
    } while (is_digit(*s) && ++nd < 18);
    while (is_digit(*s)) {
        unsigned d = (unsigned)(*s - '0');
        if (t > (UINT64_MAX - d) / 10)
            return reader_fail(r, GICSIM_E_PARSE, r->line,
                               "time out of range (more than %" PRIu64 " ps)", UINT64_MAX);
        t = t * 10 + d;
        s++;
    }
    if (*s && !is_space(*s))
        return reader_fail(r, GICSIM_E_PARSE, r->line, "invalid character %s in time",
                           describe_char(c16, *s));
    while (is_space(*s))
        s++;
    if (!*s)
        return reader_fail(r, GICSIM_E_PARSE, r->line, "missing source name and event");

    /* <source> */
    unsigned char *name = s;
    while (is_name(*s))
        s++;
    if (*s && !is_space(*s))
        return reader_fail(r, GICSIM_E_PARSE, r->line,
                           "invalid character %s in source name (allowed: A-Z a-z 0-9 _ . -)",
                           describe_char(c16, *s));
    unsigned char *name_end = s;
    while (is_space(*s))
        s++;
    if (!*s)
        return reader_fail(r, GICSIM_E_PARSE, r->line, "missing event after source '%s'",
                           quote(q, (const char *)name, (size_t)(name_end - name)));
    *name_end = '\0'; /* was a separator */

    /* <event> [<arg>...] */
    unsigned char *word = s;
    if (word[0] == 'f' && word[1] == 'i' && word[2] == 'r' && word[3] == 'e' && !word[4]) {
        /* the common line: "fire" and nothing after it */
        s += 4;
    } else {
        while (*s && !is_space(*s))
            s++;
    }
    size_t wl = (size_t)(s - word);
    gicsim_trace_kind kind;
    if (wl == 4 && memcmp(word, "fire", 4) == 0) {
        kind = GICSIM_TRACE_FIRE; /* no arguments */
    } else {
        return reader_fail(r, GICSIM_E_PARSE, r->line, "unknown event '%s'",
                           quote(q, (const char *)word, wl));
    }
    while (is_space(*s))
        s++;
    if (*s) {
        size_t n = strlen((const char *)s);
        return reader_fail(r, GICSIM_E_PARSE, r->line, "unexpected '%s' after event '%s'",
                           quote(q, (const char *)s, n), gicsim_trace_kind_name(kind));
    }
    if (t < r->last)
        return reader_fail(r, GICSIM_E_PARSE, r->line,
                           "time goes backwards (%" PRIu64 " ps after %" PRIu64 " ps)", t, r->last);
    r->last = t;
    ev->time = t;
    ev->source = (const char *)name;
    ev->kind = kind;
    *have = true;
    return GICSIM_OK;
}

/* A trace is text: a NUL or another control character (anything below 0x20
 * but a tab, and DEL) anywhere in a line, comments included, is bad data at
 * that line and column. The NUL scan (memchr) is what a clean event line
 * costs; the other characters are checked where they can hide: an event
 * line's parser rejects them anyway. */
static gicsim_status check_bytes(gicsim_trace_reader *r, const char *p, size_t n)
{
    const char *end = p + n;
    const char *nul = memchr(p, '\0', n);
    const char *bad = nul;
    const char *q = p;
    while (q < end && is_space((unsigned char)*q))
        q++;
    if (!bad && q < end && *q == '#') {
        for (; q < end && !bad; q++) {
            unsigned char c = (unsigned char)*q;
            if ((c < 0x20 && c != '\t') || c == 0x7f)
                bad = q;
        }
    }
    if (!bad)
        return GICSIM_OK;
    char c16[16];
    return reader_fail(r, GICSIM_E_PARSE, r->line,
                       "control character %s at column %zu: a trace is text",
                       describe_char(c16, (unsigned char)*bad), (size_t)(bad - p) + 1);
}

gicsim_status gicsim_trace_next(gicsim_trace_reader *r, gicsim_trace_event *ev)
{
    if (!r || !ev)
        return GICSIM_E_INVAL;
    if (r->err)
        return r->err;
    if (r->at_end)
        return GICSIM_E_NOTFOUND;
    for (;;) {
        char *p = r->buf + r->pos;
        char *nl = memchr(p, '\n', r->len - r->pos);
        char *end;
        if (nl) {
            end = nl;
            r->pos = (size_t)(nl + 1 - r->buf);
        } else if (r->src_eof) {
            if (r->pos == r->len) {
                r->at_end = true;
                return GICSIM_E_NOTFOUND;
            }
            end = r->buf + r->len; /* a last line without a newline */
            r->pos = r->len;
        } else {
            gicsim_status st = fill(r);
            if (st != GICSIM_OK)
                return st;
            continue;
        }
        r->line++;
        if (end > p && end[-1] == '\r')
            end--;
        gicsim_status bad = check_bytes(r, p, end > p ? (size_t)(end - p) : 0);
        if (bad != GICSIM_OK)
            return bad;
        *end = '\0';
        bool have;
        gicsim_status st = parse_line(r, p, ev, &have);
        if (st != GICSIM_OK || have)
            return st;
    }
}

/* ---- Writer --------------------------------------------------------------------- */

struct gicsim_trace_writer {
    FILE *f;
    bool own;
    bool gz;
    bool z_init;
    bool has_last;
    z_stream zs;
    char *buf; /* text */
    size_t len;
    unsigned char *zbuf; /* gzip: compressed output */
    gicsim_status err;   /* first write error (sticky) */
    gicsim_time_t last;
};

static gicsim_status writer_out(gicsim_trace_writer *w, const void *p, size_t n)
{
    if (n && fwrite(p, 1, n, w->f) != n)
        return GICSIM_E_IO;
    return GICSIM_OK;
}

/* Write out the text buffer; `finish` ends the gzip stream. */
static gicsim_status writer_flush(gicsim_trace_writer *w, bool finish)
{
    if (w->err)
        return w->err;
    gicsim_status st = GICSIM_OK;
    if (!w->gz) {
        st = writer_out(w, w->buf, w->len);
    } else {
        z_stream *zs = &w->zs;
        zs->next_in = (Bytef *)w->buf;
        zs->avail_in = (uInt)w->len;
        int mode = finish ? Z_FINISH : Z_NO_FLUSH;
        int ret;
        do {
            zs->next_out = w->zbuf;
            zs->avail_out = TRACE_BLOCK;
            ret = deflate(zs, mode);
            if (ret == Z_STREAM_ERROR) {
                st = GICSIM_E_IO;
                break;
            }
            st = writer_out(w, w->zbuf, TRACE_BLOCK - zs->avail_out);
        } while (st == GICSIM_OK && (zs->avail_out == 0 || (finish && ret != Z_STREAM_END)));
    }
    w->len = 0;
    if (st != GICSIM_OK)
        w->err = st;
    return st;
}

static bool ends_with_gz(const char *path)
{
    size_t n = strlen(path);
    return n >= 3 && strcmp(path + n - 3, ".gz") == 0;
}

gicsim_status gicsim_trace_create(const char *path, gicsim_trace_writer **out)
{
    if (!path || !out)
        return GICSIM_E_INVAL;
    *out = NULL;
    gicsim_trace_writer *w = calloc(1, sizeof *w);
    if (!w)
        return GICSIM_E_NOMEM;
    w->buf = malloc(TRACE_BLOCK);
    if (!w->buf) {
        free(w);
        return GICSIM_E_NOMEM;
    }
    if (strcmp(path, "-") != 0 && ends_with_gz(path)) {
        w->zbuf = malloc(TRACE_BLOCK);
        if (!w->zbuf || deflateInit2(&w->zs, Z_BEST_SPEED, Z_DEFLATED, 16 + MAX_WBITS, 8,
                                     Z_DEFAULT_STRATEGY) != Z_OK) {
            free(w->zbuf);
            free(w->buf);
            free(w);
            return GICSIM_E_NOMEM;
        }
        w->gz = w->z_init = true;
    }
    if (strcmp(path, "-") == 0) {
        w->f = stdout;
    } else {
        w->f = fopen(path, "wb");
        if (!w->f) {
            if (w->z_init)
                deflateEnd(&w->zs);
            free(w->zbuf);
            free(w->buf);
            free(w);
            return GICSIM_E_IO;
        }
        w->own = true;
        setvbuf(w->f, NULL, _IONBF, 0); /* we write whole blocks ourselves */
    }
    static const char header[] = TRACE_HEADER " 1\n";
    memcpy(w->buf, header, sizeof header - 1);
    w->len = sizeof header - 1;
    *out = w;
    return GICSIM_OK;
}

gicsim_status gicsim_trace_write(gicsim_trace_writer *w, gicsim_time_t time, const char *source,
                                 gicsim_trace_kind kind)
{
    if (!w)
        return GICSIM_E_INVAL;
    if (w->err)
        return w->err;
    size_t nl = valid_name_len(source);
    const char *kn = gicsim_trace_kind_name(kind);
    if (!nl || !kn || (w->has_last && time < w->last))
        return GICSIM_E_INVAL;
    size_t kl = strlen(kn);
    size_t need = 20 + 1 + nl + 1 + kl + 1;
    if (TRACE_BLOCK - w->len < need) {
        gicsim_status st = writer_flush(w, false);
        if (st != GICSIM_OK)
            return st;
    }
    char digits[20];
    size_t nd = 0;
    gicsim_time_t t = time;
    do {
        digits[nd++] = (char)('0' + t % 10);
        t /= 10;
    } while (t);
    char *o = w->buf + w->len;
    while (nd)
        *o++ = digits[--nd];
    *o++ = ' ';
    memcpy(o, source, nl);
    o += nl;
    *o++ = ' ';
    memcpy(o, kn, kl);
    o += kl;
    *o++ = '\n';
    w->len = (size_t)(o - w->buf);
    w->last = time;
    w->has_last = true;
    return GICSIM_OK;
}

gicsim_status gicsim_trace_finish(gicsim_trace_writer *w)
{
    if (!w)
        return GICSIM_OK;
    gicsim_status st = writer_flush(w, true);
    if (w->own) {
        if (fclose(w->f) != 0 && st == GICSIM_OK)
            st = GICSIM_E_IO;
    } else if (fflush(w->f) != 0 && st == GICSIM_OK) {
        st = GICSIM_E_IO;
    }
    if (w->z_init)
        deflateEnd(&w->zs);
    free(w->zbuf);
    free(w->buf);
    free(w);
    return st;
}

/* ---- Source names ----------------------------------------------------------------- */

/* names[i] is the name of source i (NULL: none); a hash table finds the index
 * of a name. */
typedef struct name_table {
    size_t n;
    char **name;    /* n entries, copies */
    size_t *len;    /* n entries */
    uint32_t *slot; /* mask + 1 entries: 0 empty, else source index + 1 */
    size_t mask;
} name_table;

static uint64_t name_hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
    while (*s) {
        h ^= (unsigned char)*s++;
        h *= 0x100000001b3ull;
    }
    return h;
}

static void nt_free(name_table *nt)
{
    if (nt->name)
        for (size_t i = 0; i < nt->n; i++)
            free(nt->name[i]);
    free(nt->name);
    free(nt->len);
    free(nt->slot);
    memset(nt, 0, sizeof *nt);
}

static gicsim_status nt_init(name_table *nt, const char *const *names, size_t n)
{
    memset(nt, 0, sizeof *nt);
    if (n && !names)
        return GICSIM_E_INVAL;
    for (size_t i = 0; i < n; i++)
        if (names[i] && !valid_name_len(names[i]))
            return GICSIM_E_INVAL;
    size_t slots = 8;
    while (slots < 2 * n)
        slots *= 2;
    nt->name = calloc(n ? n : 1, sizeof *nt->name);
    nt->len = calloc(n ? n : 1, sizeof *nt->len);
    nt->slot = calloc(slots, sizeof *nt->slot);
    if (!nt->name || !nt->len || !nt->slot) {
        nt_free(nt);
        return GICSIM_E_NOMEM;
    }
    nt->n = n;
    nt->mask = slots - 1;
    for (size_t i = 0; i < n; i++) {
        if (!names[i])
            continue;
        size_t len = strlen(names[i]);
        nt->name[i] = malloc(len + 1);
        if (!nt->name[i]) {
            nt_free(nt);
            return GICSIM_E_NOMEM;
        }
        memcpy(nt->name[i], names[i], len + 1);
        nt->len[i] = len;
        size_t h = (size_t)name_hash(names[i]) & nt->mask;
        while (nt->slot[h]) {
            if (strcmp(nt->name[nt->slot[h] - 1], names[i]) == 0) {
                nt_free(nt);
                return GICSIM_E_EXISTS;
            }
            h = (h + 1) & nt->mask;
        }
        nt->slot[h] = (uint32_t)i + 1;
    }
    return GICSIM_OK;
}

/* The index of `name`, or UINT32_MAX. */
static uint32_t nt_find(const name_table *nt, const char *name)
{
    size_t h = (size_t)name_hash(name) & nt->mask;
    while (nt->slot[h]) {
        uint32_t i = nt->slot[h] - 1;
        if (strcmp(nt->name[i], name) == 0)
            return i;
        h = (h + 1) & nt->mask;
    }
    return UINT32_MAX;
}

static gicsim_status check_names(const gicsim_system *sys, size_t n)
{
    return n <= gicsim_system_num_sources(sys) ? GICSIM_OK : GICSIM_E_INVAL;
}

/* ---- Replay ------------------------------------------------------------------------ */

struct gicsim_trace_replay {
    gicsim_system *sys;
    gicsim_engine *e;
    gicsim_trace_reader *r;
    name_table nt;
    gicsim_time_t next_time; /* the held event */
    uint32_t next_src;
    unsigned long next_line;
    gicsim_status st;
    bool done;
    uint64_t count;
};

/* Read the next event into the held slot. False at the end or on an error
 * (recorded in rp->st). */
static bool replay_read(gicsim_trace_replay *rp)
{
    gicsim_trace_event ev;
    gicsim_status st = gicsim_trace_next(rp->r, &ev);
    if (st == GICSIM_E_NOTFOUND) {
        rp->done = true;
        return false;
    }
    if (st != GICSIM_OK) {
        rp->st = st;
        return false;
    }
    uint32_t i = nt_find(&rp->nt, ev.source);
    if (i == UINT32_MAX) {
        char q[48];
        rp->st = reader_fail(rp->r, GICSIM_E_NOTFOUND, rp->r->line, "unknown source '%s'",
                             quote(q, ev.source, strlen(ev.source)));
        return false;
    }
    rp->next_time = ev.time;
    rp->next_src = i;
    rp->next_line = rp->r->line;
    return true;
}

static void replay_schedule(gicsim_trace_replay *rp);

/* The held event's time has come: fire it and every following event of the
 * same time (in file order, without letting other events in between, as when
 * the trace was recorded), then schedule the next one. */
static void replay_fire(gicsim_engine *e, void *ctx, uint64_t arg)
{
    gicsim_trace_replay *rp = ctx;
    (void)arg;
    gicsim_time_t now = gicsim_engine_now(e);
    do {
        gicsim_status st = gicsim_source_trigger(rp->sys, rp->next_src);
        if (st != GICSIM_OK) {
            rp->st = reader_fail(rp->r, st, rp->next_line, "source '%s' cannot be triggered (%s)",
                                 rp->nt.name[rp->next_src], gicsim_strerror(st));
            return;
        }
        rp->count++;
        if (!replay_read(rp))
            return;
    } while (rp->next_time == now);
    replay_schedule(rp);
}

static void replay_schedule(gicsim_trace_replay *rp)
{
    gicsim_status st = gicsim_engine_schedule_at(rp->e, rp->next_time, replay_fire, rp, 0, NULL);
    if (st != GICSIM_OK)
        rp->st = reader_fail(rp->r, st, rp->next_line, "cannot schedule the event (%s)",
                             gicsim_strerror(st));
}

gicsim_status gicsim_trace_replay_attach(gicsim_system *sys, gicsim_trace_reader *r,
                                         const char *const *names, size_t n,
                                         gicsim_trace_replay **out)
{
    if (!out)
        return GICSIM_E_INVAL;
    *out = NULL;
    if (!sys || !r || check_names(sys, n) != GICSIM_OK)
        return GICSIM_E_INVAL;
    gicsim_trace_replay *rp = calloc(1, sizeof *rp);
    if (!rp)
        return GICSIM_E_NOMEM;
    gicsim_status st = nt_init(&rp->nt, names, n);
    if (st != GICSIM_OK) {
        free(rp);
        return st;
    }
    rp->sys = sys;
    rp->e = gicsim_system_engine(sys);
    rp->r = r;
    if (replay_read(rp)) {
        gicsim_time_t now = gicsim_engine_now(rp->e);
        if (rp->next_time < now)
            rp->st = reader_fail(r, GICSIM_E_RANGE, rp->next_line,
                                 "event at %" PRIu64 " ps is before the simulation's time "
                                 "(%" PRIu64 " ps) when the replay started",
                                 rp->next_time, now);
        else
            replay_schedule(rp);
    }
    *out = rp;
    return GICSIM_OK;
}

gicsim_status gicsim_trace_replay_status(const gicsim_trace_replay *rp)
{
    return rp ? rp->st : GICSIM_E_INVAL;
}

bool gicsim_trace_replay_done(const gicsim_trace_replay *rp)
{
    return rp && rp->done && rp->st == GICSIM_OK;
}

uint64_t gicsim_trace_replay_count(const gicsim_trace_replay *rp)
{
    return rp ? rp->count : 0;
}

void gicsim_trace_replay_free(gicsim_trace_replay *rp)
{
    if (!rp)
        return;
    nt_free(&rp->nt);
    free(rp);
}

/* ---- Recorder ---------------------------------------------------------------------- */

struct gicsim_trace_recorder {
    gicsim_trace_writer *w;
    name_table nt;
    gicsim_status st;
    uint64_t count;
};

static void recorder_observe(void *ctx, const gicsim_sys_event *ev)
{
    gicsim_trace_recorder *rc = ctx;
    if (ev->kind != GICSIM_SEV_ARRIVAL || rc->st != GICSIM_OK || ev->source >= rc->nt.n ||
        !rc->nt.name[ev->source])
        return;
    gicsim_status st =
        gicsim_trace_write(rc->w, ev->time, rc->nt.name[ev->source], GICSIM_TRACE_FIRE);
    if (st != GICSIM_OK)
        rc->st = st;
    else
        rc->count++;
}

gicsim_status gicsim_trace_record(gicsim_system *sys, gicsim_trace_writer *w,
                                  const char *const *names, size_t n, gicsim_trace_recorder **out)
{
    if (!out)
        return GICSIM_E_INVAL;
    *out = NULL;
    if (!sys || !w || check_names(sys, n) != GICSIM_OK)
        return GICSIM_E_INVAL;
    gicsim_trace_recorder *rc = calloc(1, sizeof *rc);
    if (!rc)
        return GICSIM_E_NOMEM;
    rc->w = w;
    gicsim_status st = nt_init(&rc->nt, names, n);
    if (st == GICSIM_OK)
        st = gicsim_system_add_observer(sys, recorder_observe, rc);
    if (st != GICSIM_OK) {
        nt_free(&rc->nt);
        free(rc);
        return st;
    }
    *out = rc;
    return GICSIM_OK;
}

gicsim_status gicsim_trace_recorder_status(const gicsim_trace_recorder *rc)
{
    return rc ? rc->st : GICSIM_E_INVAL;
}

uint64_t gicsim_trace_recorder_count(const gicsim_trace_recorder *rc)
{
    return rc ? rc->count : 0;
}

void gicsim_trace_recorder_free(gicsim_trace_recorder *rc)
{
    if (!rc)
        return;
    nt_free(&rc->nt);
    free(rc);
}
