/* SPDX-License-Identifier: Apache-2.0 */
/* Shared pieces of the `tocsin` command: exit codes, global options, helpers
 * every subcommand uses. */
#pragma once
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "route/constituency.h"
#include "store/store.h"

/* Exit codes (documented in `tocsin --help` and docs/cli.md). */
enum {
    TS_EXIT_OK = 0,       /* success */
    TS_EXIT_FAIL = 1,     /* runtime failure: I/O, database, input unreadable */
    TS_EXIT_USAGE = 2,    /* bad command line */
    TS_EXIT_NOTFOUND = 3, /* the thing asked for does not exist (site, route with no owner) */
    TS_EXIT_CONFLICT = 4, /* refused: conflicting claim, duplicate, constraint */
    TS_EXIT_DATA = 5,     /* --strict ingest: some records were quarantined */
};

typedef struct ts_cli {
    const char *db_path;
} ts_cli_t;

typedef int (*ts_cmd_fn)(ts_cli_t *cli, int argc, char **argv);

/* Opens the store named by --db / TOCSIN_DB, creating it when missing; the
 * store logs why it cannot (one line). */
int ts_cli_open(ts_cli_t *cli, ts_store_t **st);
/* The same for commands that only read: a missing store is not created but
 * refused (TS_ENOENT), with a hint. */
int ts_cli_open_existing(ts_cli_t *cli, ts_store_t **st);
/* Opens the store (existing only, or created) and loads the constituency. */
int ts_cli_open_routing(ts_cli_t *cli, ts_store_t **st, ts_constituency_t **c);
int ts_cli_open_routing_existing(ts_cli_t *cli, ts_store_t **st, ts_constituency_t **c);
/* Exit code for a ts_err. */
int ts_cli_exit_code(int err);
/* Parses a time given on the command line: RFC 3339 / ISO 8601, or a relative
 * "30m", "24h", "7d" (before now). Returns 0 or TS_EINVAL. */
int ts_cli_parse_time(const char *s, int64_t *us);
/* "30s", "30m", "12h", "7d", "2w" (at most 100000 units): seconds, or -1. */
int64_t ts_cli_parse_duration(const char *s);
/* Installs the handlers of a long-running command: SIGINT and SIGTERM set
 * *stop (finish the current batch, commit, exit), SIGHUP sets *reload
 * (reload the constituency). Gives the flags to watch. */
void ts_cli_daemon_signals(volatile sig_atomic_t **stop, volatile sig_atomic_t **reload);
/* Parses a --limit value: a positive integer. Prints why on failure.
 * \retval 0 ok. \retval TS_EINVAL otherwise. */
int ts_cli_parse_limit(const char *s, size_t *limit);
/* A usage error: prints "tocsin: MESSAGE" (unless fmt is NULL: getopt has
 * already said what is wrong) and a one-line hint to `tocsin CMD --help`,
 * not the whole help. cmd is "" for the global options. */
void ts_cli_usage_error(const char *cmd, const char *fmt, ...) TS_PRINTF(2, 3);
/* True when stdout/stderr is a terminal. */
bool ts_cli_tty(int fd);
/* Writes "cli:USER" (or "cli:uidN"), who made a change from the command line,
 * as audit trails record it, into buf (truncated to size). */
void ts_cli_who(char *buf, size_t size);

/* A verb of a command with subcommands ("cert issue", "site add"). */
typedef struct ts_cli_verb {
    const char *name;
    ts_cmd_fn fn;
} ts_cli_verb_t;

/* Runs the verb argv[1] of the command `group` with argv + 1 (getopt reset).
 * "--help", "-h" and "help" print usage to stdout (TS_EXIT_OK); no verb,
 * or an unknown one (said so), prints it to stderr (TS_EXIT_USAGE). */
int ts_cli_dispatch(ts_cli_t *cli, int argc, char **argv, const char *group,
                    const ts_cli_verb_t *verbs, size_t n_verbs, void (*usage)(FILE *out));

/* Subcommands. argv[0] is the subcommand name. */
int ts_cmd_site(ts_cli_t *cli, int argc, char **argv);
int ts_cmd_constituency(ts_cli_t *cli, int argc, char **argv);
int ts_cmd_ingest(ts_cli_t *cli, int argc, char **argv);
int ts_cmd_events(ts_cli_t *cli, int argc, char **argv);
int ts_cmd_route(ts_cli_t *cli, int argc, char **argv);
int ts_cmd_quarantine(ts_cli_t *cli, int argc, char **argv);
int ts_cmd_inputs(ts_cli_t *cli, int argc, char **argv);
int ts_cmd_collect(ts_cli_t *cli, int argc, char **argv);
int ts_cmd_flows(ts_cli_t *cli, int argc, char **argv);
int ts_cmd_ca(ts_cli_t *cli, int argc, char **argv);         /* cmd_cert.c */
int ts_cmd_cert(ts_cli_t *cli, int argc, char **argv);       /* cmd_cert.c */
int ts_cmd_serve(ts_cli_t *cli, int argc, char **argv);      /* cmd_serve.c */
int ts_cmd_advisories(ts_cli_t *cli, int argc, char **argv); /* cmd_advisories.c */
int ts_cmd_platform(ts_cli_t *cli, int argc, char **argv);   /* cmd_advisories.c */
int ts_cmd_scan(ts_cli_t *cli, int argc, char **argv);       /* cmd_scan.c */
int ts_cmd_feeds(ts_cli_t *cli, int argc, char **argv);      /* cmd_feeds.c */
int ts_cmd_contact(ts_cli_t *cli, int argc, char **argv);    /* cmd_contact.c */
int ts_cmd_notify(ts_cli_t *cli, int argc, char **argv);     /* cmd_notify.c */
int ts_cmd_outbox(ts_cli_t *cli, int argc, char **argv);     /* cmd_notify.c */
int ts_cmd_incidents(ts_cli_t *cli, int argc, char **argv);  /* cmd_incidents.c */
int ts_cmd_incident(ts_cli_t *cli, int argc, char **argv);   /* cmd_incidents.c */
int ts_cmd_suppress(ts_cli_t *cli, int argc, char **argv);   /* cmd_incidents.c */
int ts_cmd_critical(ts_cli_t *cli, int argc, char **argv);   /* cmd_incidents.c */
int ts_cmd_prune(ts_cli_t *cli, int argc, char **argv);      /* cmd_incidents.c */
int ts_cmd_team(ts_cli_t *cli, int argc, char **argv);       /* cmd_team.c */
int ts_cmd_rdap(ts_cli_t *cli, int argc, char **argv);       /* cmd_rdap.c */
int ts_cmd_domain(ts_cli_t *cli, int argc, char **argv);     /* cmd_domain.c */
