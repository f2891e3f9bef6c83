/* gicsim list policies|platforms|scenarios|costs|tests|settings: one line per name,
 * the name first, then what it is. Nothing else is printed to standard
 * output (no header), so a script can take the first word of each line. */
#include "cli.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

/* One line: the name padded to `width`, then the text. */
static void item(int width, const char *name, const char *text)
{
    printf("%-*s %s\n", width, name, text ? text : "");
}

static int list_policies(void)
{
    for (size_t i = 0; i < gicsim_hyp_policy_count(); i++) {
        const gicsim_hyp_policy *p = gicsim_hyp_policy_at(i);
        const char *needs = p->direct_sgi ? " [needs GICv4.1]"
                            : p->direct_msi || p->direct_timer
                                ? " [needs GICv4.0 or later with an ITS]"
                                : "";
        char text[512];
        snprintf(text, sizeof text, "%s%s", p->description ? p->description : "", needs);
        item(20, p->name, text);
    }
    return EX_OK;
}

static int list_platforms(void)
{
    char **names = NULL;
    size_t n = 0;
    if (gicsim_platform_names(&names, &n) != GICSIM_OK) {
        cli_errorf("out of memory");
        return EX_SOFTWARE;
    }
    int code = EX_OK;
    for (size_t i = 0; i < n; i++) {
        gicsim_platform *p = NULL;
        gicsim_diag d;
        gicsim_status st = gicsim_platform_load(names[i], &p, &d);
        if (st != GICSIM_OK) {
            cli_report_diag(&d, st);
            code = cli_config_exit(st);
            continue;
        }
        char text[1024];
        size_t m = gicsim_platform_measured_count(p);
        snprintf(text, sizeof text, "%s (%s)%s",
                 gicsim_platform_description(p) ? gicsim_platform_description(p) : "no description",
                 gicsim_platform_file(p), m ? " [calibrated]" : "");
        item(24, names[i], text);
        gicsim_platform_free(p);
    }
    gicsim_platform_names_free(names, n);
    return code;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The shipped scenarios: ./configs/scenarios when it exists (a source tree
 * or a copy), else the installed ones, else the source tree's. */
static int list_scenarios(void)
{
    static const char *const dirs[] = {
        "configs/scenarios",
#ifdef GICSIM_SCENARIO_DIR
        GICSIM_SCENARIO_DIR,
#endif
#ifdef GICSIM_SOURCE_SCENARIO_DIR
        GICSIM_SOURCE_SCENARIO_DIR,
#endif
    };
    DIR *dp = NULL;
    const char *dir = NULL;
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0] && !dp; i++)
        if ((dp = opendir(dirs[i])))
            dir = dirs[i];
    if (!dp) {
        cli_errorf("no scenario directory (looked for configs/scenarios and the installed ones)");
        return EX_CONFIG;
    }
    char *files[256];
    size_t n = 0;
    for (struct dirent *e; n < 256 && (e = readdir(dp));) {
        size_t l = strlen(e->d_name);
        if (l > 5 && !strcmp(e->d_name + l - 5, ".yaml") && e->d_name[0] != '.')
            if ((files[n] = strdup(e->d_name)))
                n++;
    }
    closedir(dp);
    qsort(files, n, sizeof *files, cmp_str);
    int code = EX_OK;
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        gicsim_scenario *sc = NULL;
        gicsim_diag d;
        gicsim_status st = gicsim_scenario_load(path, NULL, 0, &sc, &d);
        if (st != GICSIM_OK) {
            cli_report_diag(&d, st);
            code = cli_config_exit(st);
        } else {
            char name[256], text[8192];
            snprintf(name, sizeof name, "%.*s", (int)(strlen(files[i]) - 5), files[i]);
            const char *desc = gicsim_scenario_description(sc);
            snprintf(text, sizeof text, "%s (%s)", desc ? desc : "no description", path);
            item(20, name, text);
        }
        gicsim_scenario_free(sc);
        free(files[i]);
    }
    return code;
}

static int list_costs(void)
{
    for (int c = 0; c < GICSIM_COST__COUNT; c++) {
        gicsim_cost_id id = (gicsim_cost_id)c;
        char text[512];
        snprintf(text, sizeof text, "%5llu %s cycles: %s",
                 (unsigned long long)gicsim_cost_default_cycles(id),
                 gicsim_clock_name(gicsim_cost_domain(id)), gicsim_cost_description(id));
        item(20, gicsim_cost_name(id), text);
    }
    return EX_OK;
}

static int list_tests(void)
{
    for (int t = 0; t < GICSIM_MB__COUNT; t++)
        item(16, gicsim_mb_test_name((gicsim_mb_test)t),
             gicsim_mb_test_description((gicsim_mb_test)t));
    return EX_OK;
}

/* The variation settings of a preset (GICSIM_VARIATION_LIST): the path,
 * then its default, its unit or range and what it is. */
static int list_settings(void)
{
    for (int i = 0; i < GICSIM_SETTING__COUNT; i++) {
        gicsim_setting_id id = (gicsim_setting_id)i;
        char text[1024];
        snprintf(text, sizeof text, "default %s; %s: %s", gicsim_setting_default(id),
                 gicsim_setting_unit(id), gicsim_setting_description(id));
        char path[64];
        snprintf(path, sizeof path, "variation.%s", gicsim_setting_path(id));
        item(36, path, text);
    }
    return EX_OK;
}

int cmd_list(int argc, char **argv)
{
    static const char *const topics[] = {"policies", "platforms", "scenarios",
                                         "costs",    "tests",     "settings"};
    static int (*const fns[])(void) = {list_policies, list_platforms, list_scenarios,
                                       list_costs,    list_tests,     list_settings};
    if (argc != 1)
        return cli_usage_error(
            "list needs one of: policies, platforms, scenarios, costs, tests, settings");
    for (size_t i = 0; i < sizeof topics / sizeof topics[0]; i++)
        if (!strcmp(argv[0], topics[i]))
            return fns[i]();
    return cli_unknown_name("list topic", argv[0], topics, sizeof topics / sizeof topics[0]);
}
