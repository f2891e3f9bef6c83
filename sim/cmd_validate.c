/* gicsim validate FILE...: loads each scenario, platform preset,
 * conformance script or measured-figures file with the loader the other
 * commands use (gicsim_config_validate: the kind comes from the parsed
 * document's top-level keys) and reports "FILE: valid KIND" or its
 * diagnostic. */
#include "cli.h"

#include <string.h>

int cmd_validate(int argc, char **argv)
{
    if (argc == 0)
        return cli_usage_error("validate needs at least one FILE (gicsim validate --help)");
    for (int i = 0; i < argc; i++)
        if (argv[i][0] == '-') /* a file named so: ./-name */
            return cli_unknown_option("validate", argv[i], NULL, 0);
    int code = EX_OK;
    for (int i = 0; i < argc; i++) {
        gicsim_diag diag;
        gicsim_config_kind kind = GICSIM_CONFIG_SCENARIO;
        gicsim_status st = gicsim_config_validate(argv[i], &kind, &diag);
        if (st != GICSIM_OK) {
            cli_report_diag(&diag, st);
            code = cli_config_exit(st);
        } else {
            printf("%s: valid %s\n", argv[i], gicsim_config_kind_name(kind));
        }
    }
    return code;
}
