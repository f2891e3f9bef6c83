/* gicsim sweep SPEC -o DIR: a parameter sweep (docs/sweeps.md), run by
 * worker processes; gicsim sweep merge DIR... -o OUT: shard directories
 * combined.
 *
 * Each run is a child process (fork) that calls cmd_run, exactly as
 * `gicsim run SCENARIO -q --json FILE -p ...` with the run's overrides,
 * stdout to /dev/null and stderr to a log: a run's result does not depend
 * on the other runs, the worker count or the shard. A run's JSON is
 * written under a temporary name and renamed to runs/<id>.json when it
 * succeeded; a failed run leaves runs/<id>.err (its exit code and stderr).
 * The tables (results.csv, summary.csv) and failures.csv are rebuilt at the
 * end from plan.csv and every runs/<id>.json the directory holds, in run
 * order, so a directory's tables depend only on the results in it. */
#define _XOPEN_SOURCE 700 /* realpath */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct sweep_opts {
    const char *spec, *out, *run_id, *emit;
    long jobs;      /* 0: the number of cores */
    long shard, of; /* of 0: no sharding */
    long shards;    /* --emit-slurm: the array's size (0: default) */
    bool resume, list, quiet;
} sweep_opts;

/* ---- Files ------------------------------------------------------------------------------ */

/* a/b, malloc'd (exits on ENOMEM: the CLI has no way on without it). */
static char *path_join(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *s = malloc(n);
    if (!s) {
        cli_errorf("out of memory");
        exit(EX_SOFTWARE);
    }
    snprintf(s, n, "%s/%s", a, b);
    return s;
}

static char *run_file(const char *dir, const char *id, const char *ext)
{
    char name[64];
    snprintf(name, sizeof name, "runs/%s%s", id, ext);
    return path_join(dir, name);
}

static bool exists(const char *path)
{
    struct stat s;
    return stat(path, &s) == 0;
}

/* mkdir -p. */
static int make_dirs(const char *path)
{
    char *p = strdup(path);
    if (!p)
        return EX_SOFTWARE;
    for (char *s = p + 1;; s++) {
        char c = *s;
        if (c != '/' && c != '\0')
            continue;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            cli_errorf("%s: %s", p, strerror(errno));
            free(p);
            return EX_CONFIG;
        }
        if (!c)
            break;
        *s = c;
    }
    free(p);
    return EX_OK;
}

/* The whole file, NUL-terminated, or NULL (errno set). */
static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *s = malloc(cap);
    while (s) {
        n += fread(s + n, 1, cap - n - 1, f);
        if (n + 1 < cap) /* end of file (or an error) */
            break;
        char *t = realloc(s, cap *= 2);
        if (!t)
            free(s);
        s = t;
    }
    bool err = ferror(f);
    fclose(f);
    if (!s || err) {
        free(s);
        return NULL;
    }
    s[n] = '\0';
    if (len)
        *len = n;
    return s;
}

/* Write `len` bytes to `path` through a temporary file renamed into place. */
static int write_atomic(const char *path, const char *data, size_t len)
{
    size_t n = strlen(path) + 32;
    char *tmp = malloc(n);
    if (!tmp)
        return EX_SOFTWARE;
    snprintf(tmp, n, "%s.tmp%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    int code = EX_OK;
    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0 || rename(tmp, path) != 0) {
        cli_errorf("%s: %s", path, strerror(errno));
        remove(tmp);
        code = EX_CONFIG;
    }
    free(tmp);
    return code;
}

/* A path as an absolute one (for commands that run elsewhere). */
static char *absolute(const char *path)
{
    char *r = realpath(path, NULL);
    if (r)
        return r;
    if (path[0] == '/')
        return strdup(path);
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd))
        return strdup(path);
    return path_join(cwd, path);
}

/* `s` quoted for a POSIX shell. */
static void put_quoted(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'')
            fputs("'\\''", f);
        else
            fputc(*s, f);
    }
    fputc('\'', f);
}

/* This program's path, for the commands of --list and --emit-slurm. */
static char *self_path(void)
{
    char buf[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n > 0) {
        buf[n] = '\0';
        return strdup(buf);
    }
    return strdup("gicsim");
}

/* ---- Options ----------------------------------------------------------------------------- */

static bool parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

/* "K/N" with 0 <= K < N. */
static bool parse_shard(const char *s, long *k, long *n)
{
    const char *slash = strchr(s, '/');
    if (!slash)
        return false;
    char kbuf[32];
    size_t len = (size_t)(slash - s);
    if (len == 0 || len >= sizeof kbuf)
        return false;
    memcpy(kbuf, s, len);
    kbuf[len] = '\0';
    return parse_long(kbuf, 0, LONG_MAX - 1, k) && parse_long(slash + 1, 1, LONG_MAX, n) && *k < *n;
}

static int parse_sweep_options(int argc, char **argv, sweep_opts *o)
{
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *v;
        if (!strcmp(a, "--resume")) {
            o->resume = true;
        } else if (!strcmp(a, "--list")) {
            o->list = true;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            o->quiet = true;
        } else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            if (!(o->out = cli_option_value(argc, argv, &i, "a directory")))
                return EX_USAGE;
        } else if (!strcmp(a, "--run")) {
            if (!(o->run_id = cli_option_value(argc, argv, &i, "a run id")))
                return EX_USAGE;
        } else if (!strcmp(a, "--emit-slurm")) {
            if (!(o->emit = cli_option_value(argc, argv, &i, "a file name")))
                return EX_USAGE;
        } else if (!strcmp(a, "-j") || !strcmp(a, "--jobs") || !strncmp(a, "-j", 2)) {
            if (a[2] && a[1] == 'j') /* -jN */
                v = a + 2;
            else if (!(v = cli_option_value(argc, argv, &i, "a number of workers")))
                return EX_USAGE;
            if (!parse_long(v, 1, 4096, &o->jobs))
                return cli_usage_error("%s needs a number of workers (1..4096), not '%s'", a, v);
        } else if (!strcmp(a, "--shards")) {
            if (!(v = cli_option_value(argc, argv, &i, "a number of shards")))
                return EX_USAGE;
            if (!parse_long(v, 1, 1000000, &o->shards))
                return cli_usage_error("--shards needs a number (1..1000000), not '%s'", v);
        } else if (!strcmp(a, "--shard")) {
            if (!(v = cli_option_value(argc, argv, &i, "K/N")))
                return EX_USAGE;
            if (!parse_shard(v, &o->shard, &o->of))
                return cli_usage_error("--shard needs K/N with 0 <= K < N, not '%s'", v);
        } else if (a[0] == '-' && a[1]) {
            return cli_usage_error("unknown option '%s'", a);
        } else if (!o->spec) {
            o->spec = a;
        } else {
            return cli_usage_error("unexpected argument '%s'", a);
        }
    }
    if (!o->spec)
        return cli_usage_error("sweep needs a SPEC file (or: sweep merge DIR... -o OUT)");
    if (!o->out)
        return cli_usage_error("sweep needs -o DIR");
    if (o->run_id && (o->list || o->emit))
        return cli_usage_error("--run is one run: not with --list or --emit-slurm");
    if (o->emit && o->list)
        return cli_usage_error("--emit-slurm and --list are two different outputs");
    if (o->shards && !o->emit)
        return cli_usage_error("--shards is for --emit-slurm");
    /* A Slurm array task picks its shard from the environment. */
    const char *tid = getenv("SLURM_ARRAY_TASK_ID"), *tcount = getenv("SLURM_ARRAY_TASK_COUNT");
    if (!o->of && !o->emit && tid && tcount && *tid && *tcount) {
        if (!parse_long(tid, 0, LONG_MAX - 1, &o->shard) ||
            !parse_long(tcount, 1, LONG_MAX, &o->of) || o->shard >= o->of)
            return cli_usage_error("SLURM_ARRAY_TASK_ID=%s and SLURM_ARRAY_TASK_COUNT=%s are "
                                   "not a shard K/N: pass --shard K/N",
                                   tid, tcount);
    }
    return EX_OK;
}

/* ---- Tables -------------------------------------------------------------------------------- */

/* The first line of a run's .err file after its "exit N" line. */
static void first_error_line(const char *err, char *buf, size_t size)
{
    const char *nl = strchr(err, '\n');
    const char *m = nl ? nl + 1 : "";
    size_t n = strcspn(m, "\n");
    snprintf(buf, size, "%.*s", (int)(n < size ? n : size - 1), m);
}

/* results.csv, summary.csv and failures.csv of `dir` from its plan and the
 * runs/ files of the plan's runs. *missing: runs without a result. */
static int write_tables(const gicsim_sweep_plan *plan, const char *dir, size_t *missing)
{
    char *results = path_join(dir, "results.csv"), *summary = path_join(dir, "summary.csv");
    char *failures = path_join(dir, "failures.csv");
    gicsim_sweep_tables *t = NULL;
    int code = EX_OK;
    gicsim_status st = gicsim_sweep_tables_open(plan, results, summary, &t);
    if (st != GICSIM_OK) {
        cli_errorf("%s: cannot write the tables: %s", dir, gicsim_strerror(st));
        code = st == GICSIM_E_IO ? EX_CONFIG : EX_SOFTWARE;
    }
    FILE *fail = NULL;
    *missing = 0;
    size_t n = gicsim_sweep_plan_run_count(plan);
    for (size_t i = 0; code == EX_OK && i < n; i++) {
        gicsim_sweep_run r;
        gicsim_sweep_plan_run(plan, i, &r);
        char *json = run_file(dir, r.id, ".json");
        char *text = read_all(json, NULL);
        if (text) {
            gicsim_diag d;
            st = gicsim_sweep_tables_add(t, i, text, &d);
            if (st != GICSIM_OK) {
                cli_errorf("%s: %s (remove it and run again with --resume)", json,
                           d.message[0] ? d.message : gicsim_strerror(st));
                code = st == GICSIM_E_NOMEM ? EX_SOFTWARE : EX_DATAERR;
            }
            free(text);
            free(json);
            continue;
        }
        free(json);
        (*missing)++;
        char *errp = run_file(dir, r.id, ".err");
        char *err = read_all(errp, NULL);
        free(errp);
        if (!err)
            continue;
        if (!fail && !(fail = fopen(failures, "wb"))) {
            cli_errorf("%s: %s", failures, strerror(errno));
            code = EX_CONFIG;
        } else if (ftell(fail) == 0) {
            fputs("index,id,exit,message\n", fail);
        }
        if (fail) {
            char msg[512];
            first_error_line(err, msg, sizeof msg);
            for (char *c = msg; *c; c++)
                if (*c == '"')
                    *c = '\'';
            long ex = strtol(err + (strncmp(err, "exit ", 5) ? 0 : 5), NULL, 10);
            fprintf(fail, "%zu,%s,%ld,\"%s\"\n", i, r.id, ex, msg);
        }
        free(err);
    }
    if (t) {
        st = gicsim_sweep_tables_close(t, code == EX_OK);
        if (st != GICSIM_OK && code == EX_OK) {
            cli_errorf("%s: cannot write the tables: %s", dir, gicsim_strerror(st));
            code = EX_CONFIG;
        }
    }
    if (fail && fclose(fail) != 0 && code == EX_OK) {
        cli_errorf("%s: %s", failures, strerror(errno));
        code = EX_CONFIG;
    }
    if (!fail)
        remove(failures); /* none now: an old list would be stale */
    free(results);
    free(summary);
    free(failures);
    return code;
}

/* ---- Running -------------------------------------------------------------------------------- */

/* SIGINT or SIGTERM (Ctrl-C, scancel): no new runs; the running ones are
 * stopped and leave nothing behind, so --resume goes on from there. */
static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
    stop_signal = sig;
}

static void set_stop_handlers(void (*handler)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

typedef struct worker {
    pid_t pid;
    size_t run;
} worker;

typedef struct runner {
    const gicsim_sweep *sw;
    const gicsim_sweep_plan *plan;
    const char *dir;
    size_t total, done, failed;
    struct timespec t0;
    bool progress;
} runner;

static double seconds_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void hms(char *buf, size_t size, double s)
{
    long v = (long)(s + 0.5);
    if (v >= 3600)
        snprintf(buf, size, "%ld:%02ld:%02ld", v / 3600, v / 60 % 60, v % 60);
    else
        snprintf(buf, size, "%ld:%02ld", v / 60, v % 60);
}

static void show_progress(const runner *r, bool last)
{
    if (!r->progress)
        return;
    double el = seconds_since(&r->t0);
    char e[32], eta[32] = "-";
    hms(e, sizeof e, el);
    if (r->done && r->done < r->total)
        hms(eta, sizeof eta, el / (double)r->done * (double)(r->total - r->done));
    fprintf(stderr, "\r%s: sweep %s: %zu/%zu runs", cli_prog, gicsim_sweep_name(r->sw), r->done,
            r->total);
    if (r->failed)
        fprintf(stderr, ", %zu failed", r->failed);
    fprintf(stderr, ", %s elapsed, ETA %s   ", e, last ? "0:00" : eta);
    if (last)
        fputc('\n', stderr);
    fflush(stderr);
}

/* The child: cmd_run with the run's overrides. Never returns. */
static void child(const runner *r, size_t run, const char *id)
{
    set_stop_handlers(SIG_DFL);
    char **ovr = NULL;
    size_t n = 0;
    char json[PATH_MAX], log[PATH_MAX];
    snprintf(json, sizeof json, "%s/runs/%s.json.tmp%ld", r->dir, id, (long)getpid());
    snprintf(log, sizeof log, "%s/runs/%s.log", r->dir, id);
    int out = open("/dev/null", O_WRONLY);
    int err = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (out < 0 || err < 0 || dup2(out, STDOUT_FILENO) < 0 || dup2(err, STDERR_FILENO) < 0)
        _exit(EX_SOFTWARE);
    close(out);
    close(err);
    if (gicsim_sweep_run_overrides(r->sw, run, &ovr, &n) != GICSIM_OK) {
        cli_errorf("out of memory");
        _exit(EX_SOFTWARE);
    }
    char **argv = calloc(2 * n + 5, sizeof *argv);
    if (!argv)
        _exit(EX_SOFTWARE);
    int argc = 0;
    argv[argc++] = (char *)gicsim_sweep_scenario(r->sw);
    argv[argc++] = "-q";
    argv[argc++] = "--json";
    argv[argc++] = json;
    for (size_t i = 0; i < n; i++) {
        argv[argc++] = "-p";
        argv[argc++] = ovr[i];
    }
    int code = cmd_run(argc, argv);
    fflush(NULL);
    _exit(code);
}

/* A child ended: keep its result, or record its failure. */
static void reap(runner *r, pid_t pid, int status, size_t run)
{
    gicsim_sweep_run sr;
    gicsim_sweep_plan_run(r->plan, run, &sr);
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s/runs/%s.json.tmp%ld", r->dir, sr.id, (long)pid);
    char *json = run_file(r->dir, sr.id, ".json"), *log = run_file(r->dir, sr.id, ".log");
    char *errp = run_file(r->dir, sr.id, ".err");
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (code == 0 && rename(tmp, json) == 0) {
        remove(errp);
    } else if (stop_signal) { /* stopped, not failed: no trace of it */
        remove(tmp);
        r->done--;
    } else {
        if (code == 0)
            code = EX_SOFTWARE; /* no JSON to keep */
        remove(tmp);
        size_t len = 0;
        char *text = read_all(log, &len);
        FILE *f = fopen(errp, "wb");
        if (f) {
            fprintf(f, "exit %d\n", code);
            if (!WIFEXITED(status))
                fprintf(f, "%s: killed by signal %d\n", cli_prog, WTERMSIG(status));
            if (text)
                fwrite(text, 1, len, f);
            fclose(f);
        }
        if (r->progress)
            fputc('\n', stderr);
        const char *first = text && *text ? text : "";
        cli_errorf("run %zu (%s) failed (exit %d)%s%.*s", run, sr.id, code, *first ? ": " : "",
                   (int)strcspn(first, "\n"), first);
        free(text);
        r->failed++;
    }
    remove(log);
    free(json);
    free(log);
    free(errp);
    r->done++;
    show_progress(r, false);
}

/* Run `runs` (indices) with `jobs` workers. */
static void run_all(runner *r, const size_t *runs, size_t n, long jobs)
{
    worker *w = calloc((size_t)jobs, sizeof *w);
    if (!w) {
        cli_errorf("out of memory");
        r->failed = n;
        return;
    }
    size_t next = 0, active = 0;
    bool stopping = false;
    clock_gettime(CLOCK_MONOTONIC, &r->t0);
    show_progress(r, false);
    set_stop_handlers(on_stop);
    while (next < n || active) {
        if (stop_signal && !stopping) {
            stopping = true;
            next = n;
            for (long k = 0; k < jobs; k++)
                if (w[k].pid)
                    kill(w[k].pid, SIGTERM);
        }
        while (next < n && active < (size_t)jobs) {
            gicsim_sweep_run sr;
            gicsim_sweep_plan_run(r->plan, runs[next], &sr);
            fflush(NULL); /* nothing buffered is written twice */
            pid_t pid = fork();
            if (pid == 0)
                child(r, runs[next], sr.id);
            if (pid < 0) {
                cli_errorf("fork: %s", strerror(errno));
                r->failed += n - next;
                next = n;
                break;
            }
            for (long k = 0; k < jobs; k++)
                if (!w[k].pid) {
                    w[k] = (worker){pid, runs[next]};
                    break;
                }
            next++;
            active++;
        }
        if (!active)
            break;
        int status;
        pid_t pid = waitpid(-1, &status, 0);
        if (pid < 0) {
            if (errno == EINTR)
                continue;
            cli_errorf("waitpid: %s", strerror(errno));
            break;
        }
        for (long k = 0; k < jobs; k++)
            if (w[k].pid == pid) {
                w[k].pid = 0;
                active--;
                reap(r, pid, status, w[k].run);
                break;
            }
    }
    show_progress(r, true);
    set_stop_handlers(SIG_DFL);
    free(w);
}

/* ---- --list and --emit-slurm --------------------------------------------------------------- */

static void list_commands(const sweep_opts *o, const gicsim_sweep_plan *plan, const size_t *runs,
                          size_t n)
{
    char *self = self_path(), *spec = absolute(o->spec), *out = absolute(o->out);
    for (size_t i = 0; i < n; i++) {
        gicsim_sweep_run r;
        gicsim_sweep_plan_run(plan, runs[i], &r);
        put_quoted(stdout, self);
        fputs(" sweep ", stdout);
        put_quoted(stdout, spec);
        fputs(" -o ", stdout);
        put_quoted(stdout, out);
        printf(" --run %s -q\n", r.id);
    }
    free(self);
    free(spec);
    free(out);
}

static int emit_slurm(const sweep_opts *o, const gicsim_sweep *sw)
{
    size_t runs = gicsim_sweep_plan_run_count(gicsim_sweep_plan_of(sw));
    long shards = o->shards ? o->shards : (long)(runs < 100 ? runs : 100);
    if (shards < 1)
        shards = 1;
    long cpus = o->jobs ? o->jobs : 1;
    char *self = self_path(), *spec = absolute(o->spec), *out = absolute(o->out);
    char *logs = path_join(out, "slurm");
    int code = make_dirs(logs); /* Slurm does not create the --output directory */
    cli_out co = {0};
    if (!code)
        code = cli_out_create(&co, o->emit);
    FILE *f = code ? NULL : cli_out_open(&co);
    if (!code && !f)
        code = EX_CANTCREAT;
    if (f) {
        fprintf(f,
                "#!/bin/sh\n"
                "# gicsim sweep %s as a Slurm job array: %zu runs in %ld shards, each a task\n"
                "# that runs its runs with %ld worker%s (written by gicsim sweep --emit-slurm).\n"
                "#\n"
                "#   sbatch %s       submit every shard (each skips the runs it already has)\n"
                "#   sh %s [SBATCH-OPTION...]\n"
                "#                   submit only the shards that still miss runs, e.g. after\n"
                "#                   a failure or a time limit (nothing left: says so)\n"
                "#   sh %s --merge   combine the shards' results into the output directory\n"
                "#\n",
                gicsim_sweep_name(sw), runs, shards, cpus, cpus == 1 ? "" : "s",
                cli_base_name(o->emit), cli_base_name(o->emit), cli_base_name(o->emit));
        fprintf(f, "#SBATCH --job-name=gicsim-%s\n", gicsim_sweep_name(sw));
        fprintf(f, "#SBATCH --array=0-%ld\n", shards - 1);
        fprintf(f, "#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=%ld\n", cpus);
        fprintf(f, "#SBATCH --output=%s/%%A_%%a.log\n", logs);
        fputs("set -u\nGICSIM=", f);
        put_quoted(f, self);
        fputs("\nSPEC=", f);
        put_quoted(f, spec);
        fputs("\nOUT=", f);
        put_quoted(f, out);
        fprintf(f, "\nN=%ld\n", shards);
        fputs("if [ -n \"${SLURM_ARRAY_TASK_ID:-}\" ]; then\n"
              "    exec \"$GICSIM\" sweep \"$SPEC\" -o \"$OUT/shards/$SLURM_ARRAY_TASK_ID\" \\\n"
              "        --shard \"$SLURM_ARRAY_TASK_ID/$N\" --resume -j "
              "\"${SLURM_CPUS_PER_TASK:-1}\" -q\n"
              "fi\n"
              "if [ \"${1:-}\" = --merge ]; then\n"
              "    set --\n"
              "    k=0\n"
              "    while [ $k -lt $N ]; do set -- \"$@\" \"$OUT/shards/$k\"; k=$((k + 1)); done\n"
              "    exec \"$GICSIM\" sweep merge \"$@\" -o \"$OUT\"\n"
              "fi\n"
              "missing=\n"
              "k=0\n"
              "while [ $k -lt $N ]; do\n"
              "    if [ -n \"$(\"$GICSIM\" sweep \"$SPEC\" -o \"$OUT/shards/$k\" --shard \"$k/$N\" "
              "--resume --list)\" ]; then\n"
              "        missing=\"$missing${missing:+,}$k\"\n"
              "    fi\n"
              "    k=$((k + 1))\n"
              "done\n"
              "if [ -z \"$missing\" ]; then\n"
              "    echo \"every shard is complete: merge them with: sh $0 --merge\"\n"
              "    exit 0\n"
              "fi\n"
              "echo \"submitting shards $missing of $N\"\n"
              "exec sbatch --array=\"$missing\" \"$@\" \"$0\"\n",
              f);
        code = ferror(f) ? cli_out_write_error(&co, errno) : cli_out_commit(&co);
        if (!code && strcmp(o->emit, "-") && chmod(o->emit, 0755) != 0) {
            cli_errorf("%s: %s", o->emit, strerror(errno));
            code = EX_CONFIG;
        }
    }
    cli_out_discard(&co);
    free(self);
    free(spec);
    free(out);
    free(logs);
    return code;
}

/* ---- The commands -------------------------------------------------------------------------- */

static int sweep_merge(int argc, char **argv);

int cmd_sweep(int argc, char **argv)
{
    if (argc > 0 && !strcmp(argv[0], "merge"))
        return sweep_merge(argc - 1, argv + 1);
    sweep_opts o;
    memset(&o, 0, sizeof o);
    int code = parse_sweep_options(argc, argv, &o);
    if (code)
        return code;
    gicsim_diag d;
    gicsim_sweep *sw = NULL;
    gicsim_status st = gicsim_sweep_load(o.spec, &sw, &d);
    if (st != GICSIM_OK) {
        cli_report_diag(&d, st);
        return cli_config_exit(st);
    }
    if (o.emit) {
        code = emit_slurm(&o, sw);
        gicsim_sweep_free(sw);
        return code;
    }
    const gicsim_sweep_plan *plan = gicsim_sweep_plan_of(sw);
    size_t total = gicsim_sweep_plan_run_count(plan);
    size_t *runs = calloc(total ? total : 1, sizeof *runs);
    if (!runs) {
        gicsim_sweep_free(sw);
        return EX_SOFTWARE;
    }
    size_t n = 0;
    if (o.run_id) {
        size_t i = gicsim_sweep_plan_find(plan, o.run_id);
        if (i == SIZE_MAX) {
            cli_errorf("%s: no run has the id '%s' (see --list or plan.csv)", o.spec, o.run_id);
            free(runs);
            gicsim_sweep_free(sw);
            return EX_USAGE;
        }
        runs[n++] = i;
    } else {
        for (size_t i = 0; i < total; i++)
            if (!o.of || (long)(i % (size_t)o.of) == o.shard)
                runs[n++] = i;
    }
    size_t selected = n;
    if (o.resume) { /* keep the runs without a result */
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            gicsim_sweep_run r;
            gicsim_sweep_plan_run(plan, runs[i], &r);
            char *json = run_file(o.out, r.id, ".json");
            if (!exists(json))
                runs[k++] = runs[i];
            free(json);
        }
        n = k;
    }
    if (o.list) {
        list_commands(&o, plan, runs, n);
        free(runs);
        gicsim_sweep_free(sw);
        return EX_OK;
    }
    char *rdir = path_join(o.out, "runs"), *planp = path_join(o.out, "plan.csv");
    code = make_dirs(rdir);
    if (!code && (st = gicsim_sweep_plan_write(plan, planp)) != GICSIM_OK) {
        cli_errorf("%s: %s", planp, gicsim_strerror(st));
        code = EX_CONFIG;
    }
    runner r = {.sw = sw,
                .plan = plan,
                .dir = o.out,
                .total = n,
                .progress = !o.quiet && isatty(STDERR_FILENO)};
    if (!code) {
        long jobs = o.jobs ? o.jobs : sysconf(_SC_NPROCESSORS_ONLN);
        if (jobs < 1)
            jobs = 1;
        run_all(&r, runs, n, jobs);
    }
    if (!code && stop_signal) {
        cli_errorf("stopped by signal %d after %zu of %zu runs; --resume goes on from there",
                   (int)stop_signal, r.done, n);
        code = 128 + stop_signal;
    }
    size_t missing = 0;
    if (!code && !o.run_id)
        code = write_tables(plan, o.out, &missing);
    if (!code && !o.quiet) {
        if (o.run_id)
            fprintf(stderr, "%s: run %s %s\n", cli_prog, o.run_id, r.failed ? "failed" : "done");
        else
            fprintf(stderr,
                    "%s: sweep %s: %zu of %zu runs in %s (%zu run now, %zu failed); "
                    "%zu of the sweep's %zu without a result\n",
                    cli_prog, gicsim_sweep_name(sw), selected, total, o.out, n, r.failed, missing,
                    total);
    }
    if (!code && r.failed)
        code = EX_FAIL;
    free(rdir);
    free(planp);
    free(runs);
    gicsim_sweep_free(sw);
    return code;
}

/* gicsim sweep merge DIR... -o OUT */
static int sweep_merge(int argc, char **argv)
{
    const char *out = NULL;
    const char **dirs = calloc((size_t)argc + 1, sizeof *dirs);
    size_t nd = 0;
    if (!dirs)
        return EX_SOFTWARE;
    int code = EX_OK;
    for (int i = 0; i < argc && !code; i++) {
        if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) {
            if (!(out = cli_option_value(argc, argv, &i, "a directory")))
                code = EX_USAGE;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            code = cli_usage_error("unknown option '%s'", argv[i]);
        } else {
            dirs[nd++] = argv[i];
        }
    }
    if (!code && (!nd || !out))
        code = cli_usage_error("sweep merge needs DIR... -o OUT");
    gicsim_sweep_plan **plans = calloc(nd ? nd : 1, sizeof *plans);
    if (!plans)
        code = EX_SOFTWARE;
    for (size_t k = 0; !code && k < nd; k++) {
        char *pp = path_join(dirs[k], "plan.csv");
        gicsim_diag d;
        gicsim_status st = gicsim_sweep_plan_read(pp, &plans[k], &d);
        if (st != GICSIM_OK) {
            cli_report_diag(&d, st);
            code = st == GICSIM_E_IO ? EX_CONFIG : EX_DATAERR;
        } else if (k && !gicsim_sweep_plan_equal(plans[0], plans[k])) {
            cli_errorf("%s and %s are not parts of one sweep (their plan.csv differ)", dirs[0],
                       dirs[k]);
            code = EX_DATAERR;
        }
        free(pp);
    }
    char *rdir = out ? path_join(out, "runs") : NULL;
    if (!code)
        code = make_dirs(rdir);
    size_t found = 0, total = !code ? gicsim_sweep_plan_run_count(plans[0]) : 0;
    for (size_t i = 0; !code && i < total; i++) {
        gicsim_sweep_run r;
        gicsim_sweep_plan_run(plans[0], i, &r);
        char *dst = run_file(out, r.id, ".json"), *dst_err = run_file(out, r.id, ".err");
        /* The first directory with the run's result; else the first with its error. */
        for (int pass = 0; pass < 2 && !code; pass++) {
            const char *ext = pass ? ".err" : ".json";
            size_t k;
            char *text = NULL;
            size_t len = 0;
            for (k = 0; k < nd && !text; k++) {
                char *src = run_file(dirs[k], r.id, ext);
                text = read_all(src, &len);
                free(src);
            }
            if (!text)
                continue;
            code = write_atomic(pass ? dst_err : dst, text, len);
            free(text);
            if (!pass) {
                remove(dst_err);
                found++;
                break;
            }
        }
        free(dst);
        free(dst_err);
    }
    size_t missing = 0;
    if (!code) {
        char *pp = path_join(out, "plan.csv");
        gicsim_status st = gicsim_sweep_plan_write(plans[0], pp);
        if (st != GICSIM_OK) {
            cli_errorf("%s: %s", pp, gicsim_strerror(st));
            code = EX_CONFIG;
        }
        free(pp);
    }
    if (!code)
        code = write_tables(plans[0], out, &missing);
    if (!code) {
        fprintf(stderr, "%s: merged %zu of %zu runs from %zu director%s into %s", cli_prog, found,
                total, nd, nd == 1 ? "y" : "ies", out);
        if (missing)
            fprintf(stderr, "; %zu without a result (failures.csv lists the failed ones)", missing);
        fputc('\n', stderr);
        if (missing)
            code = EX_FAIL;
    }
    for (size_t k = 0; plans && k < nd; k++)
        gicsim_sweep_plan_free(plans[k]);
    free(plans);
    free(rdir);
    free(dirs);
    return code;
}
