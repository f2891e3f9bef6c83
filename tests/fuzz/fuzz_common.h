/* gicsim fuzzing: helpers shared by the libFuzzer harnesses (tests/fuzz).
 *
 * - fz_in: the fuzz input consumed as a byte stream (reads past the end give
 *   zeros, so a harness never has to check lengths);
 * - fz_run_until / fz_drain: run an engine with a cap on the events fired, so
 *   an input that schedules millions of events (a 1 ps period, say) stays
 *   fast; an input that keeps firing events without simulated time advancing
 *   is a livelock (a hang in a real run) and aborts;
 * - FZ_CHECK: an oracle that aborts the run (libFuzzer saves the input);
 * - fz_text (the input as a string), fz_check_diag, and
 *   LLVMFuzzerInitialize for the harnesses that load platform presets
 *   (GICSIM_FUZZ_PLATFORM_PATH).
 *
 * See docs/fuzzing.md. */
#ifndef GICSIM_FUZZ_COMMON_H
#define GICSIM_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gicsim/gicsim.h>

/* The invariant checker (docs/invariants.md), when the library has it. */
#if defined(__has_include)
#if __has_include(<gicsim/invariants.h>)
#include <gicsim/invariants.h>
#define FZ_HAVE_INVARIANTS 1
#endif
#endif

/* An oracle: a violated property is a crash for libFuzzer. */
#define FZ_CHECK(cond)                                                                             \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);               \
            __builtin_trap();                                                                      \
        }                                                                                          \
    } while (0)

/* Events fired at one simulated time, in a row, before an input counts as a
 * livelock. A real run of a few dozen sources never comes close. */
#define FZ_LIVELOCK 20000u

typedef struct fz_in {
    const uint8_t *p;
    size_t n;
} fz_in;

static inline bool fz_more(const fz_in *in)
{
    return in->n > 0;
}

static inline uint8_t fz_u8(fz_in *in)
{
    if (!in->n)
        return 0;
    in->n--;
    return *in->p++;
}

static inline uint16_t fz_u16(fz_in *in)
{
    uint16_t v = fz_u8(in);
    return (uint16_t)(v | (uint16_t)fz_u8(in) << 8);
}

static inline uint32_t fz_u32(fz_in *in)
{
    uint32_t v = fz_u16(in);
    return v | (uint32_t)fz_u16(in) << 16;
}

static inline uint64_t fz_u64(fz_in *in)
{
    uint64_t v = fz_u32(in);
    return v | (uint64_t)fz_u32(in) << 32;
}

/* Fire the events due at or before `limit`, at most `max_events` of them;
 * then, if every due event fired, move time to `limit` (as run_until does).
 * Returns the number of events fired. Aborts on a livelock. */
static inline uint64_t fz_run_until(gicsim_engine *e, gicsim_time_t limit, uint64_t max_events)
{
    uint64_t fired = 0, same = 0;
    gicsim_time_t last = gicsim_engine_now(e);
    while (fired < max_events) {
        gicsim_time_t t = gicsim_engine_next_time(e);
        if (t == GICSIM_TIME_NEVER || t > limit) {
            if (limit != GICSIM_TIME_NEVER)
                gicsim_engine_run_until(e, limit); /* fires nothing: only moves time */
            return fired;
        }
        FZ_CHECK(t >= gicsim_engine_now(e)); /* time never goes backwards */
        FZ_CHECK(gicsim_engine_step(e));
        fired++;
        if (t == last) {
            FZ_CHECK(++same < FZ_LIVELOCK);
        } else {
            same = 0;
            last = t;
        }
    }
    return fired;
}

static inline uint64_t fz_run_for(gicsim_engine *e, gicsim_time_t d, uint64_t max_events)
{
    gicsim_time_t now = gicsim_engine_now(e);
    gicsim_time_t limit = d > GICSIM_TIME_NEVER - 1 - now ? GICSIM_TIME_NEVER - 1 : now + d;
    return fz_run_until(e, limit, max_events);
}

/* Fire events until none is left (or `max_events`), without moving time
 * past the last one. */
static inline uint64_t fz_drain(gicsim_engine *e, uint64_t max_events)
{
    return fz_run_until(e, GICSIM_TIME_NEVER, max_events);
}

/* The accounting invariant of gicsim_gic_stats (gic.h): every raised
 * instance is acknowledged, withdrawn or still pending. */
static inline void fz_check_gic_stats(const gicsim_gic *g)
{
    gicsim_gic_stats s;
    gicsim_gic_get_stats(g, &s);
    FZ_CHECK(s.raised == s.acknowledged + s.withdrawn + s.pending_now);
}

/* The library's invariant checker: `full` runs every whole-model check now
 * (gicsim_gic_check_invariants); otherwise only the violations its hooks
 * found so far are looked at (cheap). Both cover the GIC's engine too. */
static inline void fz_check_invariants(gicsim_gic *g, bool full)
{
#ifdef FZ_HAVE_INVARIANTS
    char msg[512];
    if (full) {
        if (gicsim_gic_check_invariants(g, msg, sizeof msg) != GICSIM_OK) {
            fprintf(stderr, "invariant violated: %s\n", msg);
            __builtin_trap();
        }
    } else {
        gicsim_invariant_report r;
        gicsim_gic_invariants(g, &r);
        if (r.violations) {
            fprintf(stderr, "invariant violated at %llu ps in %s: %s\n", (unsigned long long)r.time,
                    r.where, r.what);
            __builtin_trap();
        }
    }
    gicsim_invariant_report er;
    gicsim_engine_invariants(gicsim_gic_engine(g), &er);
    if (er.violations) {
        fprintf(stderr, "engine invariant violated at %llu ps in %s: %s\n",
                (unsigned long long)er.time, er.where, er.what);
        __builtin_trap();
    }
#else
    (void)g;
    (void)full;
#endif
}

static inline void fz_check_system_invariants(gicsim_system *sys)
{
#ifdef FZ_HAVE_INVARIANTS
    char msg[512];
    if (gicsim_system_check_invariants(sys, msg, sizeof msg) != GICSIM_OK) {
        fprintf(stderr, "invariant violated: %s\n", msg);
        __builtin_trap();
    }
#else
    (void)sys;
#endif
}

/* The input as a NUL-terminated text (malloc'd; free() it), or NULL when it
 * is longer than `max` bytes (not worth parsing) or memory runs out. */
static inline char *fz_text(const uint8_t *data, size_t size, size_t max)
{
    char *text = size > max ? NULL : malloc(size + 1);
    if (text) {
        memcpy(text, data, size);
        text[size] = '\0';
    }
    return text;
}

/* A loader's diagnostic: its strings are NUL-terminated within their arrays. */
static inline void fz_check_diag(const gicsim_diag *d)
{
    FZ_CHECK(memchr(d->file, '\0', sizeof d->file));
    FZ_CHECK(memchr(d->key, '\0', sizeof d->key));
    FZ_CHECK(memchr(d->message, '\0', sizeof d->message));
}

/* Harnesses whose inputs name platform presets (fuzz_scenario,
 * fuzz_validate, fuzz_override, fuzz_script) are compiled with
 * GICSIM_FUZZ_PLATFORM_PATH, the shipped and the test preset directories,
 * and point $GICSIM_PLATFORM_PATH there before the first input: this
 * LLVMFuzzerInitialize, or their own (FZ_OWN_INITIALIZE defined before
 * including this header) calling fz_init_platform_path. */
#ifdef GICSIM_FUZZ_PLATFORM_PATH
static inline void fz_init_platform_path(void)
{
    setenv("GICSIM_PLATFORM_PATH", GICSIM_FUZZ_PLATFORM_PATH, 1);
}

#ifndef FZ_OWN_INITIALIZE
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_init_platform_path();
    return 0;
}
#endif
#endif

#endif
