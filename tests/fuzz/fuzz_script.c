/* gicsim fuzzing: register-level conformance scripts (lib/config/script*.c)
 * and the GIC they drive.
 *
 * The input is a script file's text. It is loaded with
 * gicsim_script_load_string; a failed load must leave a diagnostic whose
 * strings are terminated and no script. A loaded script (unless its GIC is
 * too big to stay fast: more than FZ_MAX_PES PEs or FZ_MAX_SPIS SPIs) runs
 * twice on a fresh GIC each time: with gicsim_script_run, which stops at the
 * first failed step, and with gicsim_script_run_all, which runs them all and
 * reports each failure in order. Oracles: every message is terminated; the
 * failures come in step order, each with its own index and line; the count
 * matches; both runs agree on the first failure (each starts from reset, so
 * a run is a function of the script alone); the summary is consistent. Every
 * step kind is reachable: the ITS steps, the memory steps, expectations with
 * one_of and masks, and the output lines. A bare GIC schedules only the
 * events its accesses start, so long `advance` and `its_wait` times cost
 * nothing. `timing:` presets are found through $GICSIM_PLATFORM_PATH, set to
 * the source tree's configs/platforms and tests/scenario/platforms. The
 * script's GIC size is read through the internal header (no public
 * accessor). */
#include "fuzz_common.h"

#include "config/script_internal.h"

#include <stdlib.h>
#include <string.h>

#define FZ_MAX_INPUT 16384u
#define FZ_MAX_PES 16u
#define FZ_MAX_SPIS 128u

#ifndef GICSIM_FUZZ_PLATFORM_PATH
#error "GICSIM_FUZZ_PLATFORM_PATH (the preset directories) must be defined"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool terminated(const char *s, size_t size)
{
    return memchr(s, '\0', size) != NULL;
}

typedef struct seen {
    size_t n;
    size_t last_step;
    size_t first_step;
    unsigned first_line;
    size_t n_steps;
} seen;

static void on_failure(void *ctx, const gicsim_script_result *f)
{
    seen *s = ctx;
    FZ_CHECK(terminated(f->message, sizeof f->message));
    FZ_CHECK(f->failed_step < s->n_steps);
    FZ_CHECK(f->steps_run == f->failed_step + 1);
    FZ_CHECK(f->line > 0);
    FZ_CHECK(s->n == 0 || f->failed_step > s->last_step);
    if (s->n == 0) {
        s->first_step = f->failed_step;
        s->first_line = f->line;
    }
    s->last_step = f->failed_step;
    s->n++;
}

static void run_script(gicsim_script *sc)
{
    size_t n = gicsim_script_step_count(sc);
    FZ_CHECK(n >= 1 && n == sc->n_steps);
    FZ_CHECK(gicsim_script_name(sc) != NULL);
    if (sc->gic.num_pes > FZ_MAX_PES || sc->gic.num_spis > FZ_MAX_SPIS)
        return;

    gicsim_script_result first;
    gicsim_status st = gicsim_script_run(sc, &first);
    FZ_CHECK(terminated(first.message, sizeof first.message));
    FZ_CHECK(st == GICSIM_OK || st == GICSIM_E_STATE);
    FZ_CHECK(first.steps_run >= 1 && first.steps_run <= n);
    if (st == GICSIM_OK)
        FZ_CHECK(first.failed_step == SIZE_MAX && first.line == 0 && first.steps_run == n);
    else
        FZ_CHECK(first.failed_step == first.steps_run - 1 && first.line > 0);

    seen s = {.n_steps = n};
    size_t n_failed = SIZE_MAX;
    gicsim_script_result all;
    gicsim_status st2 = gicsim_script_run_all(sc, on_failure, &s, &all, &n_failed);
    FZ_CHECK(terminated(all.message, sizeof all.message));
    FZ_CHECK(n_failed == s.n);
    FZ_CHECK(all.steps_run == n);
    FZ_CHECK((st2 == GICSIM_OK) == (s.n == 0));
    FZ_CHECK((st == GICSIM_OK) == (st2 == GICSIM_OK));
    if (s.n) {
        FZ_CHECK(all.failed_step == first.failed_step && all.line == first.line);
        FZ_CHECK(s.first_step == first.failed_step && s.first_line == first.line);
    } else {
        FZ_CHECK(all.failed_step == SIZE_MAX);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fz_text(data, size, FZ_MAX_INPUT);
    if (!text)
        return 0;
    gicsim_script *sc = (gicsim_script *)(uintptr_t)1;
    gicsim_diag d;
    gicsim_status st = gicsim_script_load_string(text, "fuzz.yaml", &sc, &d);
    if (st != GICSIM_OK) {
        FZ_CHECK(sc == NULL);
        FZ_CHECK(st == GICSIM_E_INVAL || st == GICSIM_E_PARSE || st == GICSIM_E_NOMEM ||
                 st == GICSIM_E_IO);
        fz_check_diag(&d);
        FZ_CHECK(d.message[0] != '\0');
    } else {
        run_script(sc);
        gicsim_script_free(sc);
    }
    free(text);
    return 0;
}
