/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pwd.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/event.h"
#include "route/loader.h"

/* The store says why it cannot open a database (one line); only a missing
 * one, which it does not report, is explained here. */
int ts_cli_open(ts_cli_t *cli, ts_store_t **st)
{
    return ts_store_open(cli->db_path, st);
}

int ts_cli_open_existing(ts_cli_t *cli, ts_store_t **st)
{
    int rc = ts_store_open_existing(cli->db_path, st);
    if (rc == TS_ENOENT) {
        char loc[512];
        fprintf(stderr,
                "tocsin: no database at %s (give --db or set TOCSIN_DB; `tocsin constituency "
                "import` or `tocsin site add` creates one)\n",
                ts_store_location_safe(cli->db_path, loc, sizeof loc));
    }
    return rc;
}

static int load_routing(ts_cli_t *cli, int rc, ts_store_t **st, ts_constituency_t **c)
{
    if (rc < 0)
        return rc;
    rc = ts_constituency_load(*st, c);
    if (rc < 0) {
        char loc[512];
        fprintf(stderr, "tocsin: cannot load the constituency from %s: %s\n",
                ts_store_location_safe(cli->db_path, loc, sizeof loc), ts_strerror(rc));
        ts_store_close(*st);
        *st = NULL;
    }
    return rc;
}

int ts_cli_open_routing(ts_cli_t *cli, ts_store_t **st, ts_constituency_t **c)
{
    return load_routing(cli, ts_cli_open(cli, st), st, c);
}

int ts_cli_open_routing_existing(ts_cli_t *cli, ts_store_t **st, ts_constituency_t **c)
{
    return load_routing(cli, ts_cli_open_existing(cli, st), st, c);
}

int ts_cli_exit_code(int err)
{
    switch (err) {
    case TS_OK:
        return TS_EXIT_OK;
    case TS_ENOENT:
        return TS_EXIT_NOTFOUND;
    case TS_EEXIST:
    case TS_ECONFLICT:
    case TS_ECYCLE:
    case TS_EBUSY:
        return TS_EXIT_CONFLICT;
    case TS_EINVAL:
    case TS_EADDR:
        return TS_EXIT_USAGE;
    default:
        return TS_EXIT_FAIL;
    }
}

int64_t ts_cli_parse_duration(const char *s)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (end == s || v <= 0 || v > 100000 || end[0] == '\0' || end[1] != '\0')
        return -1;
    switch (end[0]) {
    case 's':
        return v;
    case 'm':
        return v * 60;
    case 'h':
        return v * 3600;
    case 'd':
        return v * 86400;
    case 'w':
        return v * 7 * 86400;
    default:
        return -1;
    }
}

int ts_cli_parse_time(const char *s, int64_t *us)
{
    return ts_time_parse_when(s, strlen(s), ts_time_now(), us);
}

void ts_cli_usage_error(const char *cmd, const char *fmt, ...)
{
    if (fmt) {
        char msg[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        fprintf(stderr, "tocsin: %s\n", msg);
    }
    fprintf(stderr, "tocsin: see 'tocsin %s%s--help'\n", cmd, *cmd ? " " : "");
}

bool ts_cli_tty(int fd)
{
    return isatty(fd) == 1;
}

static volatile sig_atomic_t stop_flag;
static volatile sig_atomic_t reload_flag;

static void on_stop(int sig)
{
    (void)sig;
    __atomic_store_n(&stop_flag, 1, __ATOMIC_RELEASE);
}

static void on_hup(int sig)
{
    (void)sig;
    __atomic_store_n(&reload_flag, 1, __ATOMIC_RELEASE);
}

void ts_cli_daemon_signals(volatile sig_atomic_t **stop, volatile sig_atomic_t **reload)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_stop;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_handler = on_hup;
    sigaction(SIGHUP, &sa, NULL);
    *stop = &stop_flag;
    *reload = &reload_flag;
}

int ts_cli_parse_limit(const char *s, size_t *limit)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < 1) {
        fprintf(stderr, "tocsin: --limit takes a positive number\n");
        return TS_EINVAL;
    }
    *limit = (size_t)v;
    return 0;
}

int ts_cli_dispatch(ts_cli_t *cli, int argc, char **argv, const char *group,
                    const ts_cli_verb_t *verbs, size_t n_verbs, void (*usage)(FILE *out))
{
    if (argc < 2) {
        ts_cli_usage_error(group, "%s needs a command", group);
        return TS_EXIT_USAGE;
    }
    const char *verb = argv[1];
    if (strcmp(verb, "--help") == 0 || strcmp(verb, "-h") == 0 || strcmp(verb, "help") == 0) {
        usage(stdout);
        return TS_EXIT_OK;
    }
    for (size_t i = 0; i < n_verbs; i++) {
        if (strcmp(verb, verbs[i].name) == 0) {
            optind = 0; /* glibc: full reset for the verb's getopt */
            return verbs[i].fn(cli, argc - 1, argv + 1);
        }
    }
    ts_cli_usage_error(group, "%s: unknown command '%s'", group, verb);
    return TS_EXIT_USAGE;
}

void ts_cli_who(char *buf, size_t size)
{
    const struct passwd *pw = getpwuid(getuid());
    const char *user = pw && pw->pw_name ? pw->pw_name : NULL;
    if (user == NULL || *user == '\0')
        snprintf(buf, size, "cli:uid%u", (unsigned)getuid());
    else
        snprintf(buf, size, "cli:%.100s", user);
}
