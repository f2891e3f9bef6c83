/* gicsim fuzzing: the event-trace reader and replay (lib/config/trace.c), and
 * the calibration's measured-figure reader (lib/calibrate/measured.c).
 *
 * The input is a trace file (plain text or gzip). The reader API reads files,
 * so the input is written to an in-memory file (memfd_create, opened by its
 * /proc/self/fd path; nothing touches the disk). First the same text is read
 * as a calibration's measured file (gicsim_calib_measured_load: a
 * kvm-unit-tests log or YAML) and the loader's contract checked. Then two
 * passes:
 *
 *  1. read every event, checking the reader's contract (docs/traces.md):
 *     source names are [A-Za-z0-9_.-]+, times never go backwards, errors carry
 *     a line and a message and stick, the end is returned again;
 *  2. if it holds at least one event, replay it into a tiny system (one PE,
 *     one VM) whose sources are named nic (edge SPI), disk (level SPI) and
 *     tick (a virtual timer, which refuses triggers), running the engine up
 *     to FZ_RUN_LIMIT and at most FZ_MAX_EVENTS events. */
#define _GNU_SOURCE /* memfd_create */
#include "fuzz_common.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define FZ_MAX_INPUT (256u * 1024u)
#define FZ_MAX_READ 100000u /* events read in pass 1 (gzip can expand a lot) */
#define FZ_MAX_EVENTS 20000u
#define FZ_RUN_LIMIT GICSIM_MS(2)

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int memfd = -1;
static char memfd_path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    memfd = memfd_create("gicsim-fuzz-trace", 0);
    if (memfd < 0) {
        perror("memfd_create");
        abort();
    }
    snprintf(memfd_path, sizeof memfd_path, "/proc/self/fd/%d", memfd);
    return 0;
}

static bool load_input(const uint8_t *data, size_t size)
{
    if (ftruncate(memfd, 0) != 0)
        return false;
    size_t off = 0;
    while (off < size) {
        ssize_t n = pwrite(memfd, data + off, size - off, (off_t)off);
        if (n <= 0)
            return false;
        off += (size_t)n;
    }
    return true;
}

static bool valid_name(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++) {
        char c = *s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-'))
            return false;
    }
    return true;
}

/* The text as a measured file: an error with a message and nothing read, or
 * figures within the loader's contract (gicsim/calibrate.h). */
static void read_measured(void)
{
    gicsim_calib_measured *m = malloc(sizeof *m);
    FZ_CHECK(m);
    gicsim_diag d;
    gicsim_status st = gicsim_calib_measured_load(memfd_path, m, &d);
    FZ_CHECK(memchr(d.file, '\0', sizeof d.file) && memchr(d.key, '\0', sizeof d.key) &&
             memchr(d.message, '\0', sizeof d.message));
    if (st != GICSIM_OK) {
        FZ_CHECK(st == GICSIM_E_PARSE || st == GICSIM_E_INVAL || st == GICSIM_E_IO ||
                 st == GICSIM_E_NOMEM);
        FZ_CHECK(d.message[0] && m->n == 0);
        free(m);
        return;
    }
    FZ_CHECK(m->n >= 1 && m->n <= GICSIM_MB__COUNT);
    FZ_CHECK(memchr(m->reference, '\0', sizeof m->reference) &&
             memchr(m->description, '\0', sizeof m->description));
    for (size_t i = 0; i < m->n; i++) {
        FZ_CHECK((unsigned)m->test[i] < GICSIM_MB__COUNT);
        for (size_t k = 0; k < i; k++)
            FZ_CHECK(m->test[k] != m->test[i]);
        FZ_CHECK(m->ns[i] > 0 && m->ns[i] < INFINITY);
        FZ_CHECK(m->uncertainty[i] >= 0 && m->uncertainty[i] <= 1);
        FZ_CHECK(memchr(m->source[i], '\0', sizeof m->source[i]));
    }
    FZ_CHECK(m->default_uncertainty >= 0 && m->default_uncertainty <= 1);
    FZ_CHECK(m->n_facts <= GICSIM_COST__COUNT);
    for (size_t k = 0; k < m->n_facts; k++)
        FZ_CHECK((unsigned)m->fact[k] < GICSIM_COST__COUNT);
    free(m);
}

/* Pass 1: read everything. Returns the number of events. */
static uint64_t read_all(void)
{
    gicsim_trace_reader *r = NULL;
    gicsim_status st = gicsim_trace_open(memfd_path, &r);
    if (st != GICSIM_OK) {
        FZ_CHECK(r == NULL);
        return 0;
    }
    uint64_t n = 0;
    gicsim_time_t last = 0;
    gicsim_trace_event ev;
    while (n < FZ_MAX_READ && (st = gicsim_trace_next(r, &ev)) == GICSIM_OK) {
        FZ_CHECK(ev.source && valid_name(ev.source));
        FZ_CHECK(ev.kind == GICSIM_TRACE_FIRE);
        FZ_CHECK(ev.time >= last);
        last = ev.time;
        n++;
        FZ_CHECK(gicsim_trace_error_line(r) == 0);
    }
    if (n < FZ_MAX_READ) {
        if (st == GICSIM_E_NOTFOUND) {
            FZ_CHECK(gicsim_trace_error_line(r) == 0);
            FZ_CHECK(gicsim_trace_error_message(r)[0] == '\0');
        } else {
            FZ_CHECK(st == GICSIM_E_PARSE || st == GICSIM_E_IO || st == GICSIM_E_NOMEM);
            FZ_CHECK(gicsim_trace_error_line(r) >= 1);
            FZ_CHECK(gicsim_trace_error_message(r)[0] != '\0');
        }
        /* The end, or the error, sticks. */
        FZ_CHECK(gicsim_trace_next(r, &ev) == st);
    }
    gicsim_trace_close(r);
    return n;
}

/* The tiny system of pass 2: names[i] is source i. */
static const char *const names[] = {"nic", "disk", "tick"};

static gicsim_system *make_system(void)
{
    gicsim_system_config c;
    gicsim_system_config_init(&c);
    c.gic.num_pes = 1;
    c.gic.num_spis = 32;
    c.gic.its = false;
    gicsim_system *s = NULL;
    if (gicsim_system_create(&c, &s) != GICSIM_OK)
        return NULL;
    gicsim_vm_config vc;
    gicsim_vm_config_init(&vc);
    if (gicsim_vm_add(s, &vc, NULL) != GICSIM_OK)
        goto fail;
    static const gicsim_source_kind kinds[] = {GICSIM_SRC_SPI_EDGE, GICSIM_SRC_SPI_LEVEL,
                                               GICSIM_SRC_VTIMER};
    for (uint32_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        gicsim_source_config sc;
        gicsim_source_config_init(&sc);
        sc.kind = kinds[i];
        sc.arrival = kinds[i] == GICSIM_SRC_VTIMER ? GICSIM_ARRIVE_PERIODIC : GICSIM_ARRIVE_MANUAL;
        sc.period = GICSIM_MS(1);
        if (kinds[i] == GICSIM_SRC_VTIMER) {
            sc.intid = GICSIM_PPI_VTIMER;
        } else {
            sc.intid = 40 + i;
            sc.hold = kinds[i] == GICSIM_SRC_SPI_LEVEL ? GICSIM_NS(500) : 0;
        }
        sc.handler = GICSIM_NS(300);
        if (gicsim_source_add(s, &sc, NULL) != GICSIM_OK)
            goto fail;
    }
    return s;
fail:
    gicsim_system_destroy(s);
    return NULL;
}

/* Pass 2: replay into the tiny system. */
static void replay(void)
{
    gicsim_trace_reader *r = NULL;
    if (gicsim_trace_open(memfd_path, &r) != GICSIM_OK)
        return;
    gicsim_system *sys = make_system();
    FZ_CHECK(sys);
    gicsim_trace_replay *rp = NULL;
    gicsim_status st =
        gicsim_trace_replay_attach(sys, r, names, sizeof names / sizeof names[0], &rp);
    FZ_CHECK(st == GICSIM_OK && rp);
    gicsim_engine *e = gicsim_system_engine(sys);
    fz_run_until(e, FZ_RUN_LIMIT, FZ_MAX_EVENTS);
    fz_check_gic_stats(gicsim_system_gic(sys));
    st = gicsim_trace_replay_status(rp);
    if (gicsim_trace_replay_done(rp))
        FZ_CHECK(st == GICSIM_OK);
    if (st != GICSIM_OK)
        FZ_CHECK(gicsim_trace_error_line(r) >= 1 && gicsim_trace_error_message(r)[0]);
    gicsim_system_stats ss;
    gicsim_system_get_stats(sys, &ss);
    FZ_CHECK(ss.asserted == ss.delivered + ss.merged + ss.pending);
    fz_check_system_invariants(sys);
    gicsim_trace_replay_free(rp);
    gicsim_system_destroy(sys);
    gicsim_trace_close(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FZ_MAX_INPUT || !load_input(data, size))
        return 0;
    read_measured();
    if (read_all() > 0)
        replay();
    return 0;
}
