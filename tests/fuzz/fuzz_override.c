/* gicsim fuzzing: scenario overrides (lib/config/scenario_overrides.c) and
 * the one-line positions of their values (yaml_tree.c's yt_parse_inline),
 * what `gicsim run -p KEY=VALUE` runs.
 *
 * The input is up to FZ_MAX_OVERRIDES overrides separated by NUL bytes (an
 * override may hold line breaks: a multi-line or "---" value), applied to a
 * fixed scenario (BASE) that has every section an override can reach. The
 * loaded scenario's accessors, resolved JSON and policy checks are read.
 * Oracles: the diagnostic's strings are terminated; an error in an override
 * is on its line (1..n) at a column within its text (1..length + 1); an
 * error in the base file can only be one an override caused, at a position
 * within the base. */
#include "fuzz_common.h"

#include <stdlib.h>
#include <string.h>

#define FZ_MAX_INPUT 4096u
#define FZ_MAX_OVERRIDES 8u

#ifndef GICSIM_FUZZ_PLATFORM_PATH
#error "GICSIM_FUZZ_PLATFORM_PATH (the preset directories) must be defined"
#endif

static const char BASE[] = "name: base\n"
                           "platform: generic\n"
                           "gic: {version: v4.1, pes: 4, spis: 96, lrs: 4}\n"
                           "vms:\n"
                           "  - {name: vm0, vcpus: 2, policy: eoi-split, wfi: trap}\n"
                           "sources:\n"
                           "  - name: nic\n"
                           "    kind: spi-edge\n"
                           "    vm: vm0\n"
                           "    intid: 48\n"
                           "    handler: 2us\n"
                           "    arrival: {kind: poisson, period: 20us}\n"
                           "run: {duration: 1ms, policies: [eoi-split, did]}\n";
#define BASE_LINES 13u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fz_text(data, size, FZ_MAX_INPUT);
    if (!text)
        return 0;
    const char *ovr[FZ_MAX_OVERRIDES];
    size_t n = 0;
    for (char *p = text; n < FZ_MAX_OVERRIDES && p <= text + size; p += strlen(p) + 1)
        ovr[n++] = p;

    gicsim_scenario *sc = NULL;
    gicsim_diag d;
    gicsim_status st = gicsim_scenario_load_string(BASE, "base.yaml", ovr, n, &sc, &d);
    fz_check_diag(&d);
    FZ_CHECK((st == GICSIM_OK) == (sc != NULL));
    if (st != GICSIM_OK) {
        FZ_CHECK(st < 0 && d.message[0]);
        if (!strcmp(d.file, "<override>")) {
            FZ_CHECK(d.line >= 1 && d.line <= n);
            FZ_CHECK(d.column >= 1 && d.column <= strlen(ovr[d.line - 1]) + 1);
        } else if (!strcmp(d.file, "base.yaml") && d.line) {
            FZ_CHECK(d.line <= BASE_LINES);
        }
        free(text);
        return 0;
    }
    FZ_CHECK(gicsim_scenario_name(sc) && gicsim_scenario_gic(sc) &&
             gicsim_scenario_gic_version(sc));
    char *json = NULL;
    FZ_CHECK(gicsim_scenario_resolved_json(sc, &json) == GICSIM_OK && json);
    free(json);
    for (size_t i = 0; i < gicsim_hyp_policy_count(); i++) {
        const char *p = gicsim_hyp_policy_at(i)->name;
        (void)gicsim_scenario_policy_unsupported(sc, p);
        gicsim_diag w[4];
        size_t nw = gicsim_scenario_policy_warnings(sc, p, w, 4);
        for (size_t k = 0; k < nw && k < 4; k++)
            FZ_CHECK(w[k].message[0] && w[k].line >= 1);
    }
    gicsim_scenario_free(sc);
    free(text);
    return 0;
}
