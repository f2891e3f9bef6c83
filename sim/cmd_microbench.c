/* gicsim microbench [--platform NAME|FILE] [--tests a,b,...] [--iterations N]
 * [--json FILE] [--check]: simulates the kvm-unit-tests arm/micro-bench tests
 * and seed 004's timer test on a platform preset (default generic) and
 * prints them next to the preset's measured figures (cli_microbench_report). */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int lookup_test(const char *name)
{
    gicsim_mb_test t;
    if (gicsim_mb_test_lookup(name, &t) == GICSIM_OK)
        return (int)t;
    const char *names[GICSIM_MB__COUNT];
    for (int k = 0; k < GICSIM_MB__COUNT; k++)
        names[k] = gicsim_mb_test_name((gicsim_mb_test)k);
    cli_unknown_name("test", name, names, GICSIM_MB__COUNT);
    return -1;
}

int cmd_microbench(int argc, char **argv)
{
    const char *platform = "generic", *json = NULL;
    char *tests_arg = NULL;
    uint32_t iterations = 0;
    bool check = false;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--check")) {
            check = true;
            continue;
        }
        static const char *const opts[] = {"--platform", "--tests", "--iterations", "--json",
                                           "--check"};
        if (strcmp(a, "--platform") && strcmp(a, "--tests") && strcmp(a, "--iterations") &&
            strcmp(a, "--json")) {
            if (a[0] == '-')
                return cli_unknown_option("microbench", a, opts, sizeof opts / sizeof opts[0]);
            return cli_usage_error("unexpected argument '%s'", a);
        }
        char *v = cli_option_value(argc, argv, &i, "a value");
        if (!v)
            return EX_USAGE;
        if (!strcmp(a, "--platform")) {
            platform = v;
        } else if (!strcmp(a, "--tests")) {
            tests_arg = v;
        } else if (!strcmp(a, "--json")) {
            json = v;
        } else {
            char *end;
            errno = 0;
            unsigned long n = strtoul(v, &end, 10);
            if (*v < '0' || *v > '9' || *end || errno || n == 0 || n > 10000000ul)
                return cli_usage_error("--iterations needs a count from 1 to 10000000, got '%s'",
                                       v);
            iterations = (uint32_t)n;
        }
    }
    gicsim_mb_test tests[GICSIM_MB__COUNT];
    size_t n = 0;
    if (tests_arg) {
        int ids[GICSIM_MB__COUNT];
        int rc = cli_parse_name_list(tests_arg, "test", "--tests", lookup_test, ids, &n);
        if (rc)
            return rc;
        for (size_t k = 0; k < n; k++)
            tests[k] = (gicsim_mb_test)ids[k];
    } else {
        for (int t = 0; t < GICSIM_MB__COUNT; t++)
            tests[n++] = (gicsim_mb_test)t;
    }
    gicsim_platform *p = NULL;
    int code = cli_load_platform(platform, &p);
    if (code)
        return code;
    gicsim_mb_config cfg;
    gicsim_platform_mb_config(p, &cfg);
    cfg.iterations = iterations;
    code = cli_microbench_report_ex(&cfg, p, tests, n, json, check, true);
    gicsim_platform_free(p);
    return code;
}
