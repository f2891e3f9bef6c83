/* gicsim validate FILE...: loads each scenario, platform preset or
 * conformance script and reports "FILE: valid KIND" or its diagnostic. */
#include "cli.h"

#include <string.h>

int cmd_validate(int argc, char **argv)
{
    if (argc == 0)
        return cli_usage_error("validate needs at least one FILE");
    int code = EX_OK;
    for (int i = 0; i < argc; i++) {
        gicsim_diag diag;
        memset(&diag, 0, sizeof diag);
        gicsim_status st;
        const char *kind = "scenario";
        gicsim_scenario *sc = NULL;
        gicsim_script *script = NULL;
        /* A top-level "script:" key makes a conformance script; a top-level
         * "costs:" or "clocks:" key (and no "vms:") a platform preset. */
        FILE *f = fopen(argv[i], "r");
        bool is_script = false, has_costs = false, has_vms = false;
        if (f) {
            char line[256];
            while (fgets(line, sizeof line, f)) {
                is_script |= !strncmp(line, "script:", 7);
                has_costs |= !strncmp(line, "costs:", 6) || !strncmp(line, "clocks:", 7);
                has_vms |= !strncmp(line, "vms:", 4);
            }
            fclose(f);
        }
        if (is_script) {
            kind = "script";
            st = gicsim_script_load(argv[i], &script, &diag);
            gicsim_script_free(script);
        } else if (has_costs && !has_vms) {
            kind = "platform";
            st = gicsim_platform_check(argv[i], &diag);
        } else {
            st = gicsim_scenario_load(argv[i], NULL, 0, &sc, &diag);
            gicsim_scenario_free(sc);
        }
        if (st != GICSIM_OK) {
            cli_report_diag(&diag, st);
            code = cli_config_exit(st);
        } else {
            printf("%s: valid %s\n", argv[i], kind);
        }
    }
    return code;
}
