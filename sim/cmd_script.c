/* gicsim script [--all] FILE...: runs each register-level conformance
 * script; a failed expectation exits 1 (EX_FAIL), a file that does not load
 * exits as bad configuration. By default a script stops at its first failed
 * expectation; with --all every step runs and every failure is printed
 * (gicsim_script_run_all). */
#include "cli.h"

#include <string.h>

/* One failed step of a --all run, on stderr. */
static void print_failure(void *ctx, const gicsim_script_result *f)
{
    fprintf(stderr, "%s: %s\n", (const char *)ctx, f->message);
}

int cmd_script(int argc, char **argv)
{
    bool all = argc > 0 && !strcmp(argv[0], "--all");
    if (all) {
        argc--;
        argv++;
    }
    if (argc == 0)
        return cli_usage_error("script needs at least one FILE");
    for (int i = 0; i < argc; i++)
        if (argv[i][0] == '-') /* a file named so: ./-name */
            return cli_unknown_option("script", argv[i], NULL, 0);
    int code = EX_OK;
    for (int i = 0; i < argc; i++) {
        gicsim_diag diag;
        memset(&diag, 0, sizeof diag);
        gicsim_script *s = NULL;
        gicsim_status st = gicsim_script_load(argv[i], &s, &diag);
        if (st != GICSIM_OK) {
            cli_report_diag(&diag, st);
            code = cli_config_exit(st);
            continue;
        }
        gicsim_script_result r;
        memset(&r, 0, sizeof r);
        st = all ? gicsim_script_run_all(s, print_failure, argv[i], &r, NULL)
                 : gicsim_script_run(s, &r);
        if (st == GICSIM_OK) {
            printf("%s: %zu steps passed\n", argv[i], r.steps_run);
        } else {
            fprintf(stderr, "%s: %s\n", argv[i], r.message);
            if (code == EX_OK)
                code = EX_FAIL;
        }
        gicsim_script_free(s);
    }
    return code;
}
