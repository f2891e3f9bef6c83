/* gicsim: tests of event traces (gicsim/trace.h): reading the sample traces in
 * tests/trace/ (plain, gzip with and without the .gz suffix, comments and blank
 * lines, every class of malformed line with its line number, truncated gzip),
 * writing and reading back a million events (plain and gzip), writer argument
 * and I/O errors, and recording a system's arrivals then replaying them into
 * an identical system with a manual source, which must give identical records
 * and statistics.
 *
 * The sample directory comes from GICSIM_TRACE_DIR (a compile definition) or
 * argv[1]; scratch files go to GICSIM_TRACE_TMP (the build directory) or
 * argv[2]. Only the public API is used. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <gicsim/gicsim.h>

#include "support/fixtures.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef GICSIM_TRACE_DIR
#define GICSIM_TRACE_DIR "tests/trace"
#endif
#ifndef GICSIM_TRACE_TMP
#define GICSIM_TRACE_TMP "."
#endif

static const char *g_dir = GICSIM_TRACE_DIR;
static const char *g_tmp = GICSIM_TRACE_TMP;

/* ---- helpers ---------------------------------------------------------------- */

static const char *sample(const char *name)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/%s", g_dir, name);
    return path;
}

/* A scratch file path (several may be live at once: `slot` 0..3). */
static const char *scratch(unsigned slot, const char *name)
{
    static char path[4][4096];
    snprintf(path[slot], sizeof path[slot], "%s/test_trace_%s", g_tmp, name);
    return path[slot];
}

static gicsim_trace_reader *open_ok(const char *path)
{
    gicsim_trace_reader *r = NULL;
    assert_int_equal(gicsim_trace_open(path, &r), GICSIM_OK);
    assert_non_null(r);
    return r;
}

static void expect_event(gicsim_trace_reader *r, gicsim_time_t t, const char *src)
{
    gicsim_trace_event ev;
    memset(&ev, 0, sizeof ev);
    assert_int_equal(gicsim_trace_next(r, &ev), GICSIM_OK);
    assert_true(ev.time == t);
    assert_non_null(ev.source);
    assert_string_equal(ev.source, src);
    assert_int_equal(ev.kind, GICSIM_TRACE_FIRE);
}

static void expect_end(gicsim_trace_reader *r)
{
    gicsim_trace_event ev;
    assert_int_equal(gicsim_trace_next(r, &ev), GICSIM_E_NOTFOUND);
    assert_int_equal(gicsim_trace_next(r, &ev), GICSIM_E_NOTFOUND); /* stays at the end */
    assert_int_equal(gicsim_trace_error_line(r), 0);
    assert_string_equal(gicsim_trace_error_message(r), "");
}

/* The events of tests/trace/basic.trace. */
static void expect_basic(const char *path)
{
    gicsim_trace_reader *r = open_ok(path);
    expect_event(r, GICSIM_US(100), "nic");
    expect_event(r, GICSIM_US(150), "disk");
    expect_event(r, GICSIM_US(200), "nic");
    expect_event(r, GICSIM_US(200), "disk");
    expect_event(r, GICSIM_US(350), "nic");
    expect_end(r);
    assert_int_equal(gicsim_trace_line(r), 7);
    gicsim_trace_close(r);
}

static long file_size(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    fclose(f);
    return n;
}

static unsigned char *slurp(const char *path, size_t *len)
{
    long n = file_size(path);
    unsigned char *p = malloc((size_t)n + 1);
    assert_non_null(p);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return p;
}

static void spill(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

/* Read to the end or the first error; returns the status that ended it. */
static gicsim_status drain(gicsim_trace_reader *r, uint64_t *events)
{
    gicsim_trace_event ev;
    gicsim_status st;
    uint64_t n = 0;
    while ((st = gicsim_trace_next(r, &ev)) == GICSIM_OK)
        n++;
    if (events)
        *events = n;
    return st;
}

/* ---- reading the samples ---------------------------------------------------- */

static void test_read_plain(void **state)
{
    (void)state;
    expect_basic(sample("basic.trace"));
}

static void test_read_gzip(void **state)
{
    (void)state;
    expect_basic(sample("basic.trace.gz"));
}

/* gzip is recognised by its magic bytes, not by the name. */
static void test_gzip_detected_by_magic(void **state)
{
    (void)state;
    expect_basic(sample("gzip-no-suffix.trace"));
}

/* Blank lines, whitespace-only lines, comments (also indented), tabs and runs
 * of blanks between fields, trailing blanks, CRLF, equal times, the largest
 * time, every name character, and a last line without a newline. */
static void test_comments_and_blank_lines(void **state)
{
    (void)state;
    gicsim_trace_reader *r = open_ok(sample("comments.trace"));
    expect_event(r, 100, "nic");
    expect_event(r, 150, "disk");
    expect_event(r, 150, "nic");
    expect_event(r, UINT64_MAX, "a.b_c-9");
    expect_end(r);
    assert_int_equal(gicsim_trace_line(r), 10);
    gicsim_trace_close(r);
}

static void test_empty_file(void **state)
{
    (void)state;
    gicsim_trace_reader *r = open_ok(sample("empty.trace"));
    expect_end(r);
    gicsim_trace_close(r);
    r = open_ok(sample("header-only.trace"));
    expect_end(r);
    gicsim_trace_close(r);
}

typedef struct bad_case {
    const char *file;
    unsigned long line;  /* where the error is reported */
    unsigned events;     /* good events before it */
    const char *message; /* a part of the message */
} bad_case;

static void test_malformed(void **state)
{
    (void)state;
    static const bad_case cases[] = {
        {"bad-missing-event.trace", 4, 1, "missing event"},
        {"bad-missing-source.trace", 2, 1, "missing source"},
        {"bad-time-nonnumeric.trace", 3, 1, "expected a time"},
        {"bad-time-suffix.trace", 2, 1, "in time"},
        {"bad-time-negative.trace", 1, 0, "expected a time"},
        {"bad-time-overflow.trace", 3, 1, "out of range"},
        {"bad-time-backwards.trace", 5, 2, "backwards"},
        {"bad-unknown-event.trace", 3, 1, "unknown event 'level'"},
        {"bad-event-case.trace", 2, 1, "unknown event 'FIRE'"},
        {"bad-source-chars.trace", 2, 0, "source name"},
        {"bad-source-utf8.trace", 2, 1, "source name"},
        {"bad-trailing.trace", 3, 1, "unexpected 'extra'"},
        {"bad-trailing-comment.trace", 1, 0, "unexpected '#"},
        {"bad-version.trace", 1, 0, "unsupported trace version 2"},
        {"bad-version-header.trace", 1, 0, "version header"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const bad_case *c = &cases[i];
        gicsim_trace_reader *r = open_ok(sample(c->file));
        uint64_t n = 0;
        gicsim_status st = drain(r, &n);
        if (st != GICSIM_E_PARSE || gicsim_trace_error_line(r) != c->line || n != c->events ||
            !strstr(gicsim_trace_error_message(r), c->message))
            fail_msg("%s: status %d, line %lu, %u events, message \"%s\"", c->file, (int)st,
                     gicsim_trace_error_line(r), (unsigned)n, gicsim_trace_error_message(r));
        /* The error sticks. */
        gicsim_trace_event ev;
        assert_int_equal(gicsim_trace_next(r, &ev), GICSIM_E_PARSE);
        assert_int_equal(gicsim_trace_error_line(r), c->line);
        gicsim_trace_close(r);
    }
}

static void test_open_errors(void **state)
{
    (void)state;
    gicsim_trace_reader *r = (gicsim_trace_reader *)&r;
    assert_int_equal(gicsim_trace_open(sample("no-such-file.trace"), &r), GICSIM_E_IO);
    assert_null(r);
    assert_int_equal(gicsim_trace_open(NULL, &r), GICSIM_E_INVAL);
    assert_int_equal(gicsim_trace_open(sample("basic.trace"), NULL), GICSIM_E_INVAL);
    gicsim_trace_event ev;
    assert_int_equal(gicsim_trace_next(NULL, &ev), GICSIM_E_INVAL);
    assert_int_equal(gicsim_trace_error_line(NULL), 0);
    assert_string_equal(gicsim_trace_error_message(NULL), "");
    gicsim_trace_close(NULL);
    assert_string_equal(gicsim_trace_kind_name(GICSIM_TRACE_FIRE), "fire");
    assert_null(gicsim_trace_kind_name((gicsim_trace_kind)99));
}

/* A line longer than the reader's block is an error, not a crash. */
static void test_line_too_long(void **state)
{
    (void)state;
    const char *path = scratch(0, "long.trace");
    size_t n = 100000;
    char *text = malloc(n + 64);
    assert_non_null(text);
    size_t o = (size_t)sprintf(text, "1 a fire\n2 ");
    memset(text + o, 'x', n);
    o += n;
    o += (size_t)sprintf(text + o, " fire\n");
    spill(path, text, o);
    free(text);
    gicsim_trace_reader *r = open_ok(path);
    uint64_t events = 0;
    assert_int_equal(drain(r, &events), GICSIM_E_PARSE);
    assert_int_equal(events, 1);
    assert_int_equal(gicsim_trace_error_line(r), 2);
    assert_non_null(strstr(gicsim_trace_error_message(r), "longer than"));
    gicsim_trace_close(r);
    remove(path);
}

/* ---- truncated and corrupt gzip --------------------------------------------- */

static void test_truncated_gzip(void **state)
{
    (void)state;
    /* The sample: the first 100 bytes of basic.trace.gz. */
    gicsim_trace_reader *r = open_ok(sample("truncated.trace.gz"));
    assert_int_equal(drain(r, NULL), GICSIM_E_PARSE);
    assert_true(gicsim_trace_error_line(r) > 0);
    gicsim_trace_close(r);

    /* A larger stream cut at many points, and a byte flipped: every read
     * ends in an error, none reaches a clean end. */
    const char *whole = scratch(0, "whole.trace.gz");
    const char *cut = scratch(1, "cut.trace.gz");
    gicsim_trace_writer *w = NULL;
    assert_int_equal(gicsim_trace_create(whole, &w), GICSIM_OK);
    for (uint64_t i = 0; i < 200000; i++)
        assert_int_equal(gicsim_trace_write(w, i * 7919, i % 3 ? "nic" : "disk", GICSIM_TRACE_FIRE),
                         GICSIM_OK);
    assert_int_equal(gicsim_trace_finish(w), GICSIM_OK);
    size_t len;
    unsigned char *gz = slurp(whole, &len);
    assert_true(len > 1000);

    r = open_ok(whole);
    uint64_t events = 0;
    assert_int_equal(drain(r, &events), GICSIM_E_NOTFOUND);
    assert_int_equal(events, 200000);
    gicsim_trace_close(r);

    static const double at[] = {0.0001, 0.01, 0.3, 0.5, 0.77, 0.999};
    for (size_t k = 0; k < sizeof at / sizeof at[0]; k++) {
        size_t n = (size_t)((double)len * at[k]);
        if (n < 3)
            n = 3;
        spill(cut, gz, n);
        r = open_ok(cut);
        assert_int_equal(drain(r, &events), GICSIM_E_PARSE);
        assert_true(events < 200000);
        gicsim_trace_close(r);
    }
    spill(cut, gz, len - 1); /* only the trailer's last byte missing */
    r = open_ok(cut);
    assert_int_equal(drain(r, &events), GICSIM_E_PARSE);
    assert_non_null(strstr(gicsim_trace_error_message(r), "gzip"));
    gicsim_trace_close(r);

    gz[len / 2] ^= 0x55; /* corrupt: bad deflate data, a bad line, or a CRC mismatch */
    spill(cut, gz, len);
    r = open_ok(cut);
    assert_int_equal(drain(r, NULL), GICSIM_E_PARSE);
    gicsim_trace_close(r);
    gz[len / 2] ^= 0x55;

    /* Garbage after the stream. */
    unsigned char *more = malloc(len + 4);
    assert_non_null(more);
    memcpy(more, gz, len);
    memcpy(more + len, "junk", 4);
    spill(cut, more, len + 4);
    r = open_ok(cut);
    assert_int_equal(drain(r, &events), GICSIM_E_PARSE);
    assert_int_equal(events, 200000);
    gicsim_trace_close(r);

    /* Two gzip members one after the other (cat a.gz b.gz) read as one file. */
    memcpy(more, gz, len);
    free(more);
    more = malloc(2 * len);
    assert_non_null(more);
    memcpy(more, gz, len);
    memcpy(more + len, gz, len);
    spill(cut, more, 2 * len);
    r = open_ok(cut);
    assert_int_equal(drain(r, &events), GICSIM_E_PARSE); /* time goes backwards at the join */
    assert_int_equal(events, 200000);
    assert_int_equal(gicsim_trace_error_line(r), 200000 + 3); /* 2nd header + 1st event */
    assert_non_null(strstr(gicsim_trace_error_message(r), "backwards"));
    gicsim_trace_close(r);

    free(more);
    free(gz);
    remove(whole);
    remove(cut);
}

/* ---- writing ---------------------------------------------------------------- */

#define BIG_N 1000000u

static const char *const big_names[] = {"nic", "disk", "timer.0", "ssd-1_a"};

/* Times with repeats (equal times are allowed) and big jumps. */
static gicsim_time_t big_time(uint64_t i)
{
    return (i / 2) * 1234567u + (i > BIG_N / 2 ? (gicsim_time_t)1 << 62 : 0);
}

static void round_trip(const char *path)
{
    gicsim_trace_writer *w = NULL;
    assert_int_equal(gicsim_trace_create(path, &w), GICSIM_OK);
    for (uint64_t i = 0; i < BIG_N; i++) {
        gicsim_status st = gicsim_trace_write(w, big_time(i), big_names[i % 4], GICSIM_TRACE_FIRE);
        if (st != GICSIM_OK)
            fail_msg("write %u: %d", (unsigned)i, (int)st);
    }
    assert_int_equal(gicsim_trace_finish(w), GICSIM_OK);

    /* The reader holds one line at a time: check every event as it comes. */
    gicsim_trace_reader *r = open_ok(path);
    gicsim_trace_event ev;
    for (uint64_t i = 0; i < BIG_N; i++) {
        gicsim_status st = gicsim_trace_next(r, &ev);
        if (st != GICSIM_OK || ev.time != big_time(i) || strcmp(ev.source, big_names[i % 4]) ||
            ev.kind != GICSIM_TRACE_FIRE)
            fail_msg("event %u: status %d (%s at line %lu)", (unsigned)i, (int)st,
                     gicsim_trace_error_message(r), gicsim_trace_error_line(r));
    }
    expect_end(r);
    assert_int_equal(gicsim_trace_line(r), BIG_N + 1); /* + the version header */
    gicsim_trace_close(r);
}

static void test_round_trip_plain(void **state)
{
    (void)state;
    const char *path = scratch(0, "big.trace");
    round_trip(path);
    /* Plain text, with the version header first. */
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char head[64] = {0};
    assert_non_null(fgets(head, sizeof head, f));
    assert_string_equal(head, "#gicsim-trace 1\n");
    assert_non_null(fgets(head, sizeof head, f));
    assert_string_equal(head, "0 nic fire\n");
    fclose(f);
    remove(path);
}

static void test_round_trip_gzip(void **state)
{
    (void)state;
    const char *path = scratch(0, "big.trace.gz");
    round_trip(path);
    size_t len;
    unsigned char *p = slurp(path, &len);
    bool magic = len > 2 && p[0] == 0x1f && p[1] == 0x8b;
    free(p);
    assert_true(magic);           /* gzip by name */
    assert_true(len < BIG_N * 8); /* and compressed (the text is over 16 bytes a line) */
    remove(path);
}

static void test_writer_errors(void **state)
{
    (void)state;
    const char *path = scratch(0, "w.trace");
    gicsim_trace_writer *w = (gicsim_trace_writer *)&w;
    assert_int_equal(gicsim_trace_create(NULL, &w), GICSIM_E_INVAL);
    assert_int_equal(gicsim_trace_create(path, NULL), GICSIM_E_INVAL);
    assert_int_equal(gicsim_trace_create(sample("no-such-dir/x.trace"), &w), GICSIM_E_IO);
    assert_null(w);
    assert_int_equal(gicsim_trace_create(sample("no-such-dir/x.trace.gz"), &w), GICSIM_E_IO);

    assert_int_equal(gicsim_trace_create(path, &w), GICSIM_OK);
    assert_int_equal(gicsim_trace_write(w, 10, "ok", GICSIM_TRACE_FIRE), GICSIM_OK);
    assert_int_equal(gicsim_trace_write(w, 9, "ok", GICSIM_TRACE_FIRE), GICSIM_E_INVAL);
    assert_int_equal(gicsim_trace_write(w, 10, "ok", GICSIM_TRACE_FIRE), GICSIM_OK);
    assert_int_equal(gicsim_trace_write(w, 11, "", GICSIM_TRACE_FIRE), GICSIM_E_INVAL);
    assert_int_equal(gicsim_trace_write(w, 11, NULL, GICSIM_TRACE_FIRE), GICSIM_E_INVAL);
    assert_int_equal(gicsim_trace_write(w, 11, "a b", GICSIM_TRACE_FIRE), GICSIM_E_INVAL);
    assert_int_equal(gicsim_trace_write(w, 11, "a#", GICSIM_TRACE_FIRE), GICSIM_E_INVAL);
    assert_int_equal(gicsim_trace_write(w, 11, "ok", (gicsim_trace_kind)7), GICSIM_E_INVAL);
    char name[1100];
    memset(name, 'n', sizeof name);
    name[1024] = '\0';
    assert_int_equal(gicsim_trace_write(w, 11, name, GICSIM_TRACE_FIRE), GICSIM_OK);
    name[1024] = 'n';
    name[1025] = '\0';
    assert_int_equal(gicsim_trace_write(w, 12, name, GICSIM_TRACE_FIRE), GICSIM_E_INVAL);
    assert_int_equal(gicsim_trace_write(NULL, 12, "ok", GICSIM_TRACE_FIRE), GICSIM_E_INVAL);
    assert_int_equal(gicsim_trace_finish(w), GICSIM_OK);
    assert_int_equal(gicsim_trace_finish(NULL), GICSIM_OK);

    gicsim_trace_reader *r = open_ok(path);
    expect_event(r, 10, "ok");
    expect_event(r, 10, "ok");
    name[1024] = '\0';
    expect_event(r, 11, name);
    expect_end(r);
    gicsim_trace_close(r);
    remove(path);

    /* A device that is always full: the error surfaces (on a later write
     * once the buffer is flushed, or at the latest from finish). */
    FILE *probe = fopen("/dev/full", "wb");
    if (probe) {
        fclose(probe);
        assert_int_equal(gicsim_trace_create("/dev/full", &w), GICSIM_OK);
        gicsim_status st = GICSIM_OK;
        for (uint64_t i = 0; i < 100000 && st == GICSIM_OK; i++)
            st = gicsim_trace_write(w, i, "nic", GICSIM_TRACE_FIRE);
        assert_int_equal(st, GICSIM_E_IO);
        assert_int_equal(gicsim_trace_write(w, 1u << 30, "nic", GICSIM_TRACE_FIRE), GICSIM_E_IO);
        assert_int_equal(gicsim_trace_finish(w), GICSIM_E_IO);
        assert_int_equal(gicsim_trace_create("/dev/full", &w), GICSIM_OK);
        assert_int_equal(gicsim_trace_write(w, 1, "nic", GICSIM_TRACE_FIRE), GICSIM_OK);
        assert_int_equal(gicsim_trace_finish(w), GICSIM_E_IO);
    }
}

/* ---- record and replay ------------------------------------------------------- */

#define SPI 40u
#define RUN GICSIM_MS(5)

/* 1 PE, one busy VM, one edge SPI source with `arrival`; `seed` for Poisson. */
static gicsim_system *small_system(gicsim_arrival_kind arrival, uint32_t *src_out)
{
    gicsim_system *s = tf_system(GICSIM_GICV3, 1);
    uint32_t vm = tf_vm(s, "eoi-split", 1, true, true);

    gicsim_source_config sc = tf_source_config(GICSIM_SRC_SPI_EDGE, vm, 0, SPI);
    sc.handler = GICSIM_US(3);
    sc.arrival = arrival;
    sc.period = GICSIM_US(20); /* Poisson mean: ~250 arrivals in 5 ms, some merged */
    sc.seed = 12345;
    assert_int_equal(gicsim_source_add(s, &sc, src_out), GICSIM_OK);
    return s;
}

static void record_replay(const char *path)
{
    static const char *const names[] = {"dev"};

    /* Record. */
    uint32_t src = UINT32_MAX;
    gicsim_system *a = small_system(GICSIM_ARRIVE_POISSON, &src);
    assert_int_equal(src, 0);
    gicsim_trace_writer *w = NULL;
    assert_int_equal(gicsim_trace_create(path, &w), GICSIM_OK);
    gicsim_trace_recorder *rc = NULL;
    assert_int_equal(gicsim_trace_record(a, w, names, 1, &rc), GICSIM_OK);
    gicsim_system_run_for(a, RUN);
    assert_int_equal(gicsim_trace_recorder_status(rc), GICSIM_OK);
    uint64_t recorded = gicsim_trace_recorder_count(rc);
    gicsim_system_stats sa = tf_system_stats(a);
    assert_true(recorded > 100);
    assert_int_equal(recorded, sa.asserted);
    assert_true(sa.merged > 0 || sa.delivered > 0);
    assert_int_equal(gicsim_trace_finish(w), GICSIM_OK);

    /* Replay into the same system with a manual source. */
    gicsim_system *b = small_system(GICSIM_ARRIVE_MANUAL, &src);
    gicsim_trace_reader *r = open_ok(path);
    gicsim_trace_replay *rp = NULL;
    assert_int_equal(gicsim_trace_replay_attach(b, r, names, 1, &rp), GICSIM_OK);
    assert_int_equal(gicsim_trace_replay_status(rp), GICSIM_OK);
    gicsim_system_run_for(b, RUN);
    assert_int_equal(gicsim_trace_replay_status(rp), GICSIM_OK);
    assert_true(gicsim_trace_replay_done(rp));
    assert_int_equal(gicsim_trace_replay_count(rp), recorded);

    gicsim_system_stats sb = tf_system_stats(b);
    assert_memory_equal(&sa, &sb, sizeof sa);
    assert_int_equal(gicsim_system_record_count(a), gicsim_system_record_count(b));
    for (size_t i = 0; i < gicsim_system_record_count(a); i++)
        assert_memory_equal(gicsim_system_record(a, i), gicsim_system_record(b, i),
                            sizeof(gicsim_irq_record));

    gicsim_trace_replay_free(rp);
    gicsim_trace_close(r);
    gicsim_system_destroy(a);
    gicsim_system_destroy(b);
    gicsim_trace_recorder_free(rc);
    remove(path);
}

static void test_record_replay_plain(void **state)
{
    (void)state;
    record_replay(scratch(0, "rr.trace"));
}

static void test_record_replay_gzip(void **state)
{
    (void)state;
    record_replay(scratch(0, "rr.trace.gz"));
}

/* Only named sources are recorded. */
static void test_record_named_only(void **state)
{
    (void)state;
    gicsim_system_config c;
    gicsim_system_config_init(&c);
    c.gic.num_pes = 1;
    gicsim_system *s = NULL;
    assert_int_equal(gicsim_system_create(&c, &s), GICSIM_OK);
    assert_int_equal(gicsim_system_keep_records(s), GICSIM_OK);
    gicsim_vm_config vc;
    gicsim_vm_config_init(&vc);
    assert_int_equal(gicsim_vm_add(s, &vc, NULL), GICSIM_OK);
    for (uint32_t i = 0; i < 2; i++) {
        gicsim_source_config sc;
        gicsim_source_config_init(&sc);
        sc.kind = GICSIM_SRC_SPI_EDGE;
        sc.intid = SPI + i;
        sc.period = GICSIM_US(100 + 50 * i);
        sc.limit = 4;
        assert_int_equal(gicsim_source_add(s, &sc, NULL), GICSIM_OK);
    }
    const char *path = scratch(0, "named.trace");
    gicsim_trace_writer *w = NULL;
    assert_int_equal(gicsim_trace_create(path, &w), GICSIM_OK);
    const char *const names[] = {NULL, "second"};
    gicsim_trace_recorder *rc = NULL;
    assert_int_equal(gicsim_trace_record(s, w, names, 2, &rc), GICSIM_OK);
    gicsim_system_run_for(s, GICSIM_MS(1));
    assert_int_equal(gicsim_trace_recorder_count(rc), 4);
    assert_int_equal(gicsim_trace_finish(w), GICSIM_OK);
    gicsim_system_destroy(s);
    gicsim_trace_recorder_free(rc);

    gicsim_trace_reader *r = open_ok(path);
    for (uint64_t k = 1; k <= 4; k++)
        expect_event(r, GICSIM_US(150) * k, "second");
    expect_end(r);
    gicsim_trace_close(r);
    remove(path);
}

static gicsim_system *manual_system(uint32_t nsrc)
{
    gicsim_system_config c;
    gicsim_system_config_init(&c);
    c.gic.num_pes = 1;
    gicsim_system *s = NULL;
    assert_int_equal(gicsim_system_create(&c, &s), GICSIM_OK);
    assert_int_equal(gicsim_system_keep_records(s), GICSIM_OK);
    gicsim_vm_config vc;
    gicsim_vm_config_init(&vc);
    assert_int_equal(gicsim_vm_add(s, &vc, NULL), GICSIM_OK);
    for (uint32_t i = 0; i < nsrc; i++) {
        gicsim_source_config sc;
        gicsim_source_config_init(&sc);
        sc.kind = GICSIM_SRC_SPI_EDGE;
        sc.intid = SPI + i;
        sc.arrival = GICSIM_ARRIVE_MANUAL;
        assert_int_equal(gicsim_source_add(s, &sc, NULL), GICSIM_OK);
    }
    return s;
}

/* tests/trace/names.trace: nic at 100 ps, disk at 200 ps, nic at 300 ps. */
static void test_replay_unknown_source(void **state)
{
    (void)state;
    gicsim_system *s = manual_system(1);
    static const char *const names[] = {"nic"};
    gicsim_trace_reader *r = open_ok(sample("names.trace"));
    gicsim_trace_replay *rp = NULL;
    assert_int_equal(gicsim_trace_replay_attach(s, r, names, 1, &rp), GICSIM_OK);
    assert_int_equal(gicsim_trace_replay_status(rp), GICSIM_OK);
    gicsim_system_run_for(s, GICSIM_US(10));
    assert_int_equal(gicsim_trace_replay_status(rp), GICSIM_E_NOTFOUND);
    assert_false(gicsim_trace_replay_done(rp));
    assert_int_equal(gicsim_trace_replay_count(rp), 1); /* stopped at the bad line */
    assert_int_equal(gicsim_trace_error_line(r), 2);
    assert_non_null(strstr(gicsim_trace_error_message(r), "unknown source 'disk'"));
    gicsim_system_stats st = tf_system_stats(s);
    assert_int_equal(st.asserted, 1);
    gicsim_trace_replay_free(rp);
    gicsim_trace_close(r);
    gicsim_system_destroy(s);

    /* A malformed trace: the reader's error, at its line. */
    s = manual_system(1);
    r = open_ok(sample("bad-unknown-event.trace"));
    assert_int_equal(gicsim_trace_replay_attach(s, r, names, 1, &rp), GICSIM_OK);
    gicsim_system_run_for(s, GICSIM_US(10));
    assert_int_equal(gicsim_trace_replay_status(rp), GICSIM_E_PARSE);
    assert_int_equal(gicsim_trace_replay_count(rp), 1);
    assert_int_equal(gicsim_trace_error_line(r), 3);
    gicsim_trace_replay_free(rp);
    gicsim_trace_close(r);
    gicsim_system_destroy(s);
}

/* An event earlier than the engine's time when the replay is attached. */
static void test_replay_in_the_past(void **state)
{
    (void)state;
    gicsim_system *s = manual_system(2);
    static const char *const names[] = {"nic", "disk"};
    gicsim_system_run_for(s, GICSIM_NS(1)); /* now = 1000 ps > 100 ps */
    gicsim_trace_reader *r = open_ok(sample("names.trace"));
    gicsim_trace_replay *rp = NULL;
    assert_int_equal(gicsim_trace_replay_attach(s, r, names, 2, &rp), GICSIM_OK);
    assert_int_equal(gicsim_trace_replay_status(rp), GICSIM_E_RANGE);
    assert_int_equal(gicsim_trace_error_line(r), 1);
    gicsim_system_run_for(s, GICSIM_US(10));
    assert_int_equal(gicsim_trace_replay_count(rp), 0);
    gicsim_trace_replay_free(rp);
    gicsim_trace_close(r);
    gicsim_system_destroy(s);

    /* Attached at time 0: both sources, all three events. */
    s = manual_system(2);
    r = open_ok(sample("names.trace"));
    assert_int_equal(gicsim_trace_replay_attach(s, r, names, 2, &rp), GICSIM_OK);
    gicsim_system_run_for(s, GICSIM_US(10));
    assert_int_equal(gicsim_trace_replay_status(rp), GICSIM_OK);
    assert_true(gicsim_trace_replay_done(rp));
    assert_int_equal(gicsim_trace_replay_count(rp), 3);
    assert_int_equal(gicsim_system_record_count(s), 3);
    assert_int_equal(gicsim_system_record(s, 1)->source, 1);
    assert_true(gicsim_system_record(s, 1)->t_assert == 200);
    gicsim_trace_replay_free(rp);
    gicsim_trace_close(r);
    gicsim_system_destroy(s);
}

static void test_replay_record_args(void **state)
{
    (void)state;
    gicsim_system *s = manual_system(2);
    gicsim_trace_reader *r = open_ok(sample("names.trace"));
    gicsim_trace_replay *rp = (gicsim_trace_replay *)&rp;
    const char *const two[] = {"nic", "disk"};
    const char *const dup[] = {"nic", "nic"};
    const char *const bad[] = {"nic", "di sk"};
    const char *const three[] = {"a", "b", "c"};
    assert_int_equal(gicsim_trace_replay_attach(s, r, three, 3, &rp), GICSIM_E_INVAL);
    assert_null(rp);
    assert_int_equal(gicsim_trace_replay_attach(s, r, dup, 2, &rp), GICSIM_E_EXISTS);
    assert_int_equal(gicsim_trace_replay_attach(s, r, bad, 2, &rp), GICSIM_E_INVAL);
    assert_int_equal(gicsim_trace_replay_attach(NULL, r, two, 2, &rp), GICSIM_E_INVAL);
    assert_int_equal(gicsim_trace_replay_attach(s, NULL, two, 2, &rp), GICSIM_E_INVAL);
    assert_int_equal(gicsim_trace_replay_attach(s, r, NULL, 2, &rp), GICSIM_E_INVAL);
    assert_int_equal(gicsim_trace_replay_attach(s, r, two, 2, NULL), GICSIM_E_INVAL);
    assert_int_equal(gicsim_trace_replay_status(NULL), GICSIM_E_INVAL);
    assert_int_equal(gicsim_trace_replay_count(NULL), 0);
    gicsim_trace_replay_free(NULL);

    const char *path = scratch(0, "args.trace");
    gicsim_trace_writer *w = NULL;
    assert_int_equal(gicsim_trace_create(path, &w), GICSIM_OK);
    gicsim_trace_recorder *rc = (gicsim_trace_recorder *)&rc;
    assert_int_equal(gicsim_trace_record(s, w, three, 3, &rc), GICSIM_E_INVAL);
    assert_null(rc);
    assert_int_equal(gicsim_trace_record(s, w, dup, 2, &rc), GICSIM_E_EXISTS);
    assert_int_equal(gicsim_trace_record(s, w, bad, 2, &rc), GICSIM_E_INVAL);
    assert_int_equal(gicsim_trace_record(s, NULL, two, 2, &rc), GICSIM_E_INVAL);
    assert_int_equal(gicsim_trace_recorder_status(NULL), GICSIM_E_INVAL);
    gicsim_trace_recorder_free(NULL);
    /* The system has 8 observer slots. */
    gicsim_trace_recorder *all[8];
    for (int i = 0; i < 8; i++)
        assert_int_equal(gicsim_trace_record(s, w, two, 2, &all[i]), GICSIM_OK);
    assert_int_equal(gicsim_trace_record(s, w, two, 2, &rc), GICSIM_E_FULL);
    assert_int_equal(gicsim_trace_finish(w), GICSIM_OK);
    gicsim_system_destroy(s);
    for (int i = 0; i < 8; i++)
        gicsim_trace_recorder_free(all[i]);
    gicsim_trace_close(r);
    remove(path);
}

/* A long trace is streamed: one event of the replay is pending at a time. */
static void test_replay_streams(void **state)
{
    (void)state;
    const char *path = scratch(0, "stream.trace.gz");
    const uint64_t n = 50000;
    gicsim_trace_writer *w = NULL;
    assert_int_equal(gicsim_trace_create(path, &w), GICSIM_OK);
    for (uint64_t i = 1; i <= n; i++)
        assert_int_equal(gicsim_trace_write(w, i * GICSIM_US(10), "dev", GICSIM_TRACE_FIRE),
                         GICSIM_OK);
    assert_int_equal(gicsim_trace_finish(w), GICSIM_OK);

    gicsim_system *s = manual_system(1);
    gicsim_engine *e = gicsim_system_engine(s);
    uint64_t base = gicsim_engine_pending(e);
    static const char *const names[] = {"dev"};
    gicsim_trace_reader *r = open_ok(path);
    gicsim_trace_replay *rp = NULL;
    assert_int_equal(gicsim_trace_replay_attach(s, r, names, 1, &rp), GICSIM_OK);
    assert_int_equal(gicsim_engine_pending(e), base + 1);
    uint64_t max_pending = 0;
    for (int k = 0; k < 100; k++) {
        gicsim_system_run_for(s, n * GICSIM_US(10) / 100);
        uint64_t p = gicsim_engine_pending(e);
        if (p > max_pending)
            max_pending = p;
    }
    gicsim_system_run_for(s, GICSIM_MS(1));
    assert_true(max_pending < base + 16);
    assert_int_equal(gicsim_trace_replay_status(rp), GICSIM_OK);
    assert_true(gicsim_trace_replay_done(rp));
    assert_int_equal(gicsim_trace_replay_count(rp), n);
    assert_int_equal(tf_system_stats(s).asserted, n);
    gicsim_trace_replay_free(rp);
    gicsim_trace_close(r);
    gicsim_system_destroy(s);
    remove(path);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        g_dir = argv[1];
    if (argc > 2)
        g_tmp = argv[2];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_plain),
        cmocka_unit_test(test_read_gzip),
        cmocka_unit_test(test_gzip_detected_by_magic),
        cmocka_unit_test(test_comments_and_blank_lines),
        cmocka_unit_test(test_empty_file),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_line_too_long),
        cmocka_unit_test(test_truncated_gzip),
        cmocka_unit_test(test_round_trip_plain),
        cmocka_unit_test(test_round_trip_gzip),
        cmocka_unit_test(test_writer_errors),
        cmocka_unit_test(test_record_replay_plain),
        cmocka_unit_test(test_record_replay_gzip),
        cmocka_unit_test(test_record_named_only),
        cmocka_unit_test(test_replay_unknown_source),
        cmocka_unit_test(test_replay_in_the_past),
        cmocka_unit_test(test_replay_record_args),
        cmocka_unit_test(test_replay_streams),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
