/* SPDX-License-Identifier: Apache-2.0 */
/* tocsin serve --listen ADDRESS:PORT [--ca DIR] [--web DIR] [--threads N]
 *              [--input FORMAT:PATH]... [--port-file FILE]
 *              [--role all|ingest|writer|portal] [--bus nats://...] */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bus/bus.h"
#include "cli/cli.h"
#include "core/buf.h"
#include "core/event.h"
#include "core/log.h"
#include "core/mem.h"
#include "domain/expire.h"
#include "domain/notice.h"
#include "incident/config.h"
#include "ingest/feedpull.h"
#include "ingest/ingest.h"
#include "notify/notifier.h"
#include "portal/pki.h"
#include "portal/api.h"
#include "portal/scrape.h"
#include "portal/server.h"
#include "route/loader.h"
#include "store/incstore.h"
#include "ts_version.h"

#define INPUTS_MAX 16

static void serve_usage(FILE *out)
{
    fprintf(out,
            "Usage: tocsin [--db FILE|URI] serve --listen ADDRESS:PORT [OPTIONS]\n"
            "       tocsin [--db FILE|URI] serve --role ingest|writer --bus URL [OPTIONS]\n"
            "\n"
            "Runs the portal: an HTTPS server that admits only clients presenting a site\n"
            "certificate of tocsin's CA (mutual TLS), serving the REST API (/api/v1/...) and\n"
            "the web interface. It can also run ingest inputs in follow mode, so that one\n"
            "process takes events in and serves them.\n"
            "\n"
            "Options:\n"
            "  -l, --listen ADDR:PORT  address to listen on: 127.0.0.1:8443, [::1]:8443;\n"
            "                          port 0 picks a free port (see --port-file)\n"
            "      --ca DIR            CA directory with ca.pem, crl.pem, server.pem and\n"
            "                          server.key (default: the database path + \".ca\")\n"
            "      --web DIR           static files of the web interface (default: the\n"
            "                          installed copy, else the build tree's)\n"
            "      --threads N         server threads, 1 to 16 (default 2)\n"
            "  -i, --input FORMAT:PATH follow PATH as `tocsin ingest --follow --format FORMAT`\n"
            "                          would (repeatable, up to %d)\n"
            "      --feeds             also pull the feeds of `tocsin feeds add` as they fall\n"
            "                          due, into the database (role all only)\n"
            "      --feeds-spool DIR   where pulled bodies wait (default: the database path +\n"
            "                          \".feeds\")\n"
            "      --feeds-cacert FILE trust the CAs in FILE (PEM) for feeds, not the system's\n"
            "      --feeds-poll S      seconds between looks for due feeds (default 60)\n"
            "      --port-file FILE    write the port listened on to FILE once serving\n"
            "      --no-crl-renew      do not renew the CRL (by default the daemon re-signs it\n"
            "                          while half of its validity is left, if it can read the\n"
            "                          CA key; else it warns two days before it runs out)\n"
            "      --no-cache          answer every API request from the database (by default\n"
            "                          an answer is reused while the database is unchanged,\n"
            "                          for at most 5 s)\n"
            "      --contact TEXT      whom a browser without a valid certificate should ask,\n"
            "                          shown on the page it gets (e.g. \"cert@example.org\";\n"
            "                          default: $TOCSIN_CONTACT)\n"
            "      --metrics-listen ADDR:PORT\n"
            "                          also serve GET /metrics (Prometheus text format) over\n"
            "                          plain HTTP on this loopback address; the portal serves\n"
            "                          /metrics to CSIRT certificates in any case\n"
            "      --no-access-log     no log line per request (by default: method, path,\n"
            "                          status, milliseconds, certificate fingerprint, site)\n"
            "      --notify-smtp URL   also send the sites' notifications through this relay,\n"
            "                          as `tocsin notify run` (docs/notify.md), with\n"
            "      --notify-from ADDR  the CSIRT's address (required with --notify-smtp),\n"
            "      --notify-sign-key FINGERPRINT, --notify-portal URL,\n"
            "      --notify-resolve-cmd CMD  as notify run's --sign-key, --portal and\n"
            "                          --resolve-cmd (STARTTLS when the relay offers it;\n"
            "                          the key from $GNUPGHOME)\n"
            "      --notify-smime-sign-key FINGERPRINT|&KEYGRIP\n"
            "                          as notify run's --smime-sign-key (the certificate\n"
            "                          from the gpgsm home of $GNUPGHOME)\n"
            "      --notify-verify-contacts\n"
            "                          as notify run's --verify-contacts\n"
            "\n"
            "Past one machine (docs/scale-out.md):\n"
            "      --role ROLE         all (default): everything in this process; ingest:\n"
            "                          follow the --input files and publish their batches to\n"
            "                          the bus; writer: commit the bus's batches to the\n"
            "                          database; portal: serve the database\n"
            "      --bus URL           nats://HOST:PORT[,nats://HOST:PORT...]: a NATS\n"
            "                          JetStream bus between inputs and writer (default: none,\n"
            "                          inputs commit to the database themselves)\n"
            "      --replicas N        copies of the bus's stream when this process creates\n"
            "                          it (default 3; 1 for a single NATS server)\n"
            "      --prune-every DURATION\n"
            "                          remove what the retention settings say has gone\n"
            "                          (tocsin prune) every DURATION, in small transactions\n"
            "                          beside ingest (default 1h; 0s: never). Not with\n"
            "                          --role ingest or portal: the writing process prunes\n"
            "      --domain-expire-every DURATION\n"
            "                          reactivate the domains whose deactivation has ended\n"
            "                          (tocsin domain expire) every DURATION (default 5m; 0s:\n"
            "                          never); with --domain-rpz FILE the RPZ file is\n"
            "                          rewritten, with --domain-hook CMD the hook runs for each,\n"
            "                          with --domain-policy FILE the notices are queued\n"
            "      --node NAME         this process's name in logs and health (default: the\n"
            "                          host name and process id)\n"
            "\n"
            "Signals: SIGTERM/SIGINT stop serving, commit the inputs and exit 0; SIGHUP\n"
            "reloads the CA certificate, the CRL and the constituency. crl.pem and ca.pem\n"
            "are also reloaded when they change on disk.\n",
            INPUTS_MAX);
}

typedef struct input {
    char *spec;
    ts_ingest_opts_t o;
    volatile sig_atomic_t reload;
    const char *db_path;
    pthread_t thread;
    bool running;
    atomic_bool done;
    int rc;
} input_t;

static atomic_bool input_failed;

static void *input_main(void *arg)
{
    input_t *in = arg;
    ts_store_t *st = NULL;
    ts_constituency_t *c = NULL;
    int rc = ts_store_open(in->db_path, &st);
    if (rc == 0) {
        rc = ts_constituency_load(st, &c);
        if (rc < 0)
            ts_log_error("input %s: cannot load the constituency: %s", in->spec, ts_strerror(rc));
    } else {
        ts_log_error("input %s: cannot open the store: %s", in->spec, ts_strerror(rc));
    }
    if (rc == 0) {
        ts_ingest_stats_t stats;
        rc = ts_ingest_run(st, &c, &in->o, &stats);
        if (rc < 0)
            ts_log_error("input %s stopped: %s", in->spec, ts_strerror(rc));
        else
            ts_log_info("input %s: %llu records, %llu events %s, %llu quarantined", in->spec,
                        (unsigned long long)stats.lines, (unsigned long long)stats.events,
                        in->o.bus ? "published" : "stored", (unsigned long long)stats.quarantined);
    }
    ts_constituency_free(c);
    ts_store_close(st);
    in->rc = rc;
    if (rc < 0)
        atomic_store(&input_failed, true);
    atomic_store(&in->done, true);
    return NULL;
}

static int parse_input(const char *spec, input_t *in)
{
    const char *colon = strchr(spec, ':');
    if (colon == NULL || colon == spec || colon[1] == '\0') {
        fprintf(stderr, "tocsin: --input takes FORMAT:PATH, not '%s'\n", spec);
        return TS_EINVAL;
    }
    char fmt[32];
    size_t n = (size_t)(colon - spec);
    if (n >= sizeof fmt) {
        fprintf(stderr, "tocsin: unknown input format in '%s'\n", spec);
        return TS_EINVAL;
    }
    memcpy(fmt, spec, n);
    fmt[n] = '\0';
    ts_ingest_opts_init(&in->o);
    in->o.parser = ts_parser_find(fmt);
    if (in->o.parser == NULL) {
        fprintf(stderr, "tocsin: unknown input format '%s' (see tocsin ingest --help)\n", fmt);
        return TS_EINVAL;
    }
    if (strcmp(colon + 1, "-") == 0) {
        fprintf(stderr, "tocsin: serve cannot follow stdin; give a file\n");
        return TS_EINVAL;
    }
    in->spec = ts_xstrdup(spec);
    in->o.path = in->spec + n + 1;
    in->o.follow = true;
    in->reload = 0;
    in->o.reload = &in->reload;
    return 0;
}

static bool is_dir(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* The installed web UI relative to the running binary ("../share/tocsin/web"
 * from bin/): true with its path in buf when it is there. */
static bool web_beside_binary(char *buf, size_t size)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return false;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash == NULL)
        return false;
    *slash = '\0';
    int w = snprintf(buf, size, "%s/%s", exe, TS_WEB_DIR_FROM_BIN);
    return w > 0 && (size_t)w < size && is_dir(buf);
}

static int write_port_file(const char *path, unsigned port)
{
    size_t n = strlen(path) + 8;
    char *tmp = ts_xmalloc(n);
    snprintf(tmp, n, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    int rc = 0;
    if (f == NULL || fprintf(f, "%u\n", port) < 0 || fclose(f) != 0 || rename(tmp, path) != 0) {
        fprintf(stderr, "tocsin: cannot write %s: %s\n", path, strerror(errno));
        rc = TS_EIO;
    }
    free(tmp);
    return rc;
}

#define CRL_CHECK_US (INT64_C(600) * 1000000) /* how often the CRL's end is looked at */

/* An out-of-date CRL locks every client out (fail closed), so the daemon
 * renews it itself while half of its validity is left, when it can read the
 * CA key (the CA lives on this host, as `tocsin ca init` makes it). Without
 * the key it warns, two days ahead, that someone must run `tocsin ca crl`. */
static void renew_crl(ts_cli_t *cli, const char *ca_dir)
{
    char err[512] = "";
    int64_t next = 0, now = ts_time_now();
    int r = ts_ca_crl_next_update(ca_dir, &next, err, sizeof err);
    const int64_t hour = INT64_C(3600) * 1000000;
    if (r == 0 && next - now > (int64_t)TS_CRL_HOURS_DEFAULT * hour / 2)
        return;
    ts_ca_t *ca = NULL;
    ts_store_t *st = NULL;
    if (ts_ca_open(ca_dir, &ca, err, sizeof err) == 0 && ts_cli_open(cli, &st) == 0 &&
        ts_ca_write_crl(ca, st, TS_CRL_HOURS_DEFAULT, err, sizeof err) == 0) {
        ts_log_info("CRL renewed for %u hours (it ran out %s)", TS_CRL_HOURS_DEFAULT,
                    r == 0 && next > now ? "soon" : "or was unreadable");
    } else if (r != 0 || next - now < 48 * hour) {
        ts_log_error("the CRL %s and cannot be renewed here (%s): run `tocsin ca crl`, or "
                     "every client will be refused",
                     r != 0        ? "is unreadable"
                     : next <= now ? "is out of date"
                                   : "runs out soon",
                     err);
    }
    ts_store_close(st);
    ts_ca_close(ca);
}

typedef enum role { ROLE_ALL, ROLE_INGEST, ROLE_WRITER, ROLE_PORTAL } role_t;

/* What one process runs, by role. */
typedef struct plan {
    role_t role;
    const char *bus_url; /* NULL: in process */
    ts_bus_opts_t bus_opts;
    char node[64];
} plan_t;

typedef struct writer {
    const char *db_path;
    ts_bus_t *bus;
    volatile sig_atomic_t *stop;
    pthread_t thread;
    ts_bus_stats_t stats;
    int rc;
} writer_t;

static void *writer_main(void *arg)
{
    writer_t *w = arg;
    ts_store_t *st = NULL;
    w->rc = ts_store_open(w->db_path, &st);
    if (w->rc == 0) {
        ts_log_info("writer: committing the bus's batches to the database");
        w->rc = ts_bus_consume(w->bus, st, w->stop, &w->stats);
        ts_log_info("writer: %llu batches, %llu records stored, %llu duplicates skipped, %llu "
                    "redelivered",
                    (unsigned long long)w->stats.batches, (unsigned long long)w->stats.stored,
                    (unsigned long long)w->stats.duplicates,
                    (unsigned long long)w->stats.redelivered);
    }
    if (w->rc < 0)
        ts_log_error("writer stopped: %s", ts_strerror(w->rc));
    ts_store_close(st);
    if (w->rc < 0)
        atomic_store(&input_failed, true);
    return NULL;
}

/* Retention in the background: every `every` microseconds, what the
 * retention settings say has gone is removed, PRUNE_BATCH rows per
 * transaction, so that ingest waits for one small transaction at a time. */
#define PRUNE_BATCH 1000

typedef struct pruner {
    const char *db_path;
    volatile sig_atomic_t *stop;
    int64_t every;
    pthread_t thread;
} pruner_t;

static void *prune_main(void *arg)
{
    pruner_t *p = arg;
    ts_store_t *st = NULL;
    int r = ts_store_open(p->db_path, &st);
    if (r < 0) {
        ts_log_error("prune: cannot open the database: %s", ts_strerror(r));
        return NULL;
    }
    int64_t next = ts_time_now();
    while (!__atomic_load_n(p->stop, __ATOMIC_ACQUIRE)) {
        if (ts_time_now() >= next) {
            ts_prune_stats_t s = {0};
            r = ts_store_prune(st, ts_time_now(), PRUNE_BATCH, false, (const volatile int *)p->stop,
                               &s);
            if (r < 0 && r != TS_EINTR)
                ts_log_error("prune: %s (%s)", ts_strerror(r), ts_store_errmsg(st));
            else if (s.events + s.incidents + s.audit + s.rollups > 0)
                ts_log_info("prune: %llu events, %llu incidents, %llu audit records, %llu roll-up "
                            "rows removed",
                            (unsigned long long)s.events, (unsigned long long)s.incidents,
                            (unsigned long long)s.audit, (unsigned long long)s.rollups);
            next = ts_time_now() + p->every;
        }
        struct timespec ts = {0, 200 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    ts_store_close(st);
    return NULL;
}

/* Domain expiry in the background (domain/expire.h), by the writing process. */
static ts_domain_run_opts_t domain_run = {.remind_us = 2 * 86400LL * 1000000};
static int64_t domain_every = 300LL * 1000000;

/* /api/v1/health with a bus: the stream, the writer's lag, the live nodes. */
static void bus_health(struct ts_jsonw *w, void *ctx)
{
    ts_bus_health_t h;
    if (ts_bus_health(ctx, &h) != TS_ENOTSUP)
        ts_bus_health_json(&h, w);
}

#define HEARTBEAT_US (INT64_C(5) * 1000000)

/* The feed puller of --feeds (ingest/feedpull.h). */
typedef struct feeds_cfg {
    bool on;
    ts_feedpull_opts_t o;
    int poll_s;
} feeds_cfg_t;

static int run(ts_cli_t *cli, const plan_t *pl, ts_server_opts_t *so, input_t *inputs,
               size_t n_inputs, const char *port_file, bool crl_renew, const char *metrics_listen,
               const ts_notifier_opts_t *notify, int64_t prune_every, feeds_cfg_t *fc)
{
    /* Create and migrate the store once before the threads open it. */
    ts_store_t *st;
    if (ts_cli_open(cli, &st) < 0)
        return TS_EXIT_FAIL;
    ts_store_close(st);
    (void)ts_log_get_level(); /* read TOCSIN_LOG before any thread logs */

    volatile sig_atomic_t *stop, *reload;
    ts_cli_daemon_signals(&stop, &reload);
    signal(SIGPIPE, SIG_IGN);

    ts_bus_t *bus = NULL;
    if (pl->bus_url && ts_bus_open(pl->bus_url, &pl->bus_opts, &bus) < 0)
        return TS_EXIT_FAIL;
    bool serving = pl->role == ROLE_ALL || pl->role == ROLE_PORTAL;
    if (bus)
        ts_api_set_health(bus_health, bus);
    bool writing = bus && (pl->role == ROLE_ALL || pl->role == ROLE_WRITER);
    bool reading = pl->role == ROLE_ALL || pl->role == ROLE_INGEST;
    char err[512] = "";
    ts_server_t *srv = NULL;
    if (serving && ts_server_start(so, &srv, err, sizeof err) < 0) {
        ts_log_error("serve: %s", err);
        ts_bus_close(bus);
        return TS_EXIT_FAIL;
    }
    ts_scrape_listener_t *scrape = NULL;
    if (metrics_listen &&
        ts_scrape_listener_start(metrics_listen, cli->db_path, &scrape, err, sizeof err) < 0) {
        ts_log_error("serve: %s", err);
        ts_server_stop(srv);
        ts_bus_close(bus);
        return TS_EXIT_FAIL;
    }
    if (srv) {
        ts_log_info("serving %s (CA %s, web %s, %u threads, %zu inputs)", ts_server_url(srv),
                    so->ca_dir, so->web_dir ? so->web_dir : "none", so->threads,
                    reading ? n_inputs : 0);
        if (port_file && write_port_file(port_file, ts_server_port(srv)) < 0) {
            ts_scrape_listener_stop(scrape);
            ts_server_stop(srv);
            ts_bus_close(bus);
            return TS_EXIT_FAIL;
        }
    }
    ts_log_info("node %s: role %s, bus %s", pl->node,
                (const char *const[]){"all", "ingest", "writer", "portal"}[pl->role],
                bus ? ts_bus_name(bus) : "in process");
    writer_t w = {.db_path = cli->db_path, .bus = bus, .stop = stop};
    bool writer_running = false;
    if (writing) {
        if (pthread_create(&w.thread, NULL, writer_main, &w) != 0) {
            ts_log_error("cannot start the writer");
            atomic_store(&input_failed, true);
        } else {
            writer_running = true;
        }
    }
    ts_notifier_thread_t *notifier = NULL;
    if (notify->out.smtp.url &&
        ts_notifier_start(notify, cli->db_path, stop, &notifier, err, sizeof err) != 0) {
        ts_log_error("serve: notify: %s", err);
        atomic_store(&input_failed, true);
    }
    /* The process that writes the events prunes them. */
    pruner_t pr = {.db_path = cli->db_path, .stop = stop, .every = prune_every};
    bool pruning = prune_every > 0 && (pl->role == ROLE_ALL || pl->role == ROLE_WRITER) &&
                   pthread_create(&pr.thread, NULL, prune_main, &pr) == 0;
    ts_domain_expirer_t *expirer = NULL;
    if (domain_every > 0 && (pl->role == ROLE_ALL || pl->role == ROLE_WRITER) &&
        ts_domain_expirer_start(cli->db_path, &domain_run, domain_every, stop, &expirer) != 0)
        ts_log_error("serve: cannot start domain expiry");
    for (size_t i = 0; reading && i < n_inputs && !atomic_load(&input_failed); i++) {
        inputs[i].o.stop = stop;
        inputs[i].o.bus = bus;
        inputs[i].db_path = cli->db_path;
        if (pthread_create(&inputs[i].thread, NULL, input_main, &inputs[i]) != 0) {
            ts_log_error("cannot start input %s", inputs[i].spec);
            atomic_store(&input_failed, true);
            __atomic_store_n(stop, 1, __ATOMIC_RELEASE);
            break;
        }
        inputs[i].running = true;
    }

    ts_feedpull_worker_t *feeds = NULL;
    if (fc->on && !atomic_load(&input_failed)) {
        fc->o.stop = stop;
        if (ts_feedpull_worker_start(cli->db_path, &fc->o, fc->poll_s, &feeds) < 0) {
            ts_log_error("cannot start the feed puller");
            atomic_store(&input_failed, true);
        }
    }

    int64_t next_crl_check = 0; /* now: a CRL near its end is renewed at start */
    int64_t next_heartbeat = 0;
    static const char *const role_names[] = {"all", "ingest", "writer", "portal"};
    while (!__atomic_load_n(stop, __ATOMIC_ACQUIRE) && !atomic_load(&input_failed)) {
        if (bus && ts_time_now() >= next_heartbeat) {
            (void)ts_bus_heartbeat(bus, role_names[pl->role]);
            ts_bus_health_t h;
            int hr = ts_bus_health(bus, &h);
            if (hr == 0 || hr == TS_ENET)
                ts_bus_health_metrics(&h);
            next_heartbeat = ts_time_now() + HEARTBEAT_US;
        }
        if (srv && crl_renew && ts_time_now() >= next_crl_check) {
            renew_crl(cli, so->ca_dir);
            next_crl_check = ts_time_now() + CRL_CHECK_US;
        }
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
        if (__atomic_exchange_n(reload, 0, __ATOMIC_ACQ_REL)) {
            ts_log_info("SIGHUP: reloading the CA, the CRL and the constituency");
            if (srv)
                ts_server_reload(srv);
            for (size_t i = 0; i < n_inputs; i++)
                __atomic_store_n(&inputs[i].reload, 1, __ATOMIC_RELEASE);
        }
    }
    bool failed = atomic_load(&input_failed);
    ts_log_info("stopping%s", failed ? " after a failure" : "");
    ts_scrape_listener_stop(scrape);
    if (srv)
        ts_server_stop(srv);
    ts_api_set_health(NULL, NULL);
    __atomic_store_n(stop, 1, __ATOMIC_RELEASE); /* a failure stops the others too */
    for (size_t i = 0; i < n_inputs; i++)
        if (inputs[i].running)
            pthread_join(inputs[i].thread, NULL);
    if (writer_running)
        pthread_join(w.thread, NULL);
    ts_feedpull_worker_join(feeds);
    ts_notifier_join(notifier);
    ts_domain_expirer_join(expirer);
    if (pruning)
        pthread_join(pr.thread, NULL);
    ts_bus_close(bus);
    return failed ? TS_EXIT_FAIL : TS_EXIT_OK;
}

static int parse_role(const char *s, role_t *role)
{
    static const char *const names[] = {"all", "ingest", "writer", "portal"};
    for (int i = 0; i < 4; i++)
        if (strcmp(s, names[i]) == 0) {
            *role = (role_t)i;
            return 0;
        }
    fprintf(stderr, "tocsin: --role takes all, ingest, writer or portal\n");
    return TS_EINVAL;
}

/* --listen, --ca, --web: the portal's. */
/* beside: where the web directory found next to the binary is written. */
static int portal_setup(ts_cli_t *cli, ts_server_opts_t *so, char **ca_default, char *beside,
                        size_t beside_size)
{
    struct sockaddr_storage ss;
    socklen_t slen;
    if (ts_server_parse_listen(so->listen, &ss, &slen) < 0) {
        fprintf(stderr, "tocsin: --listen '%s': give a numeric ADDRESS:PORT, or [IPV6]:PORT\n",
                so->listen);
        return TS_EXIT_USAGE;
    }
    if (so->ca_dir == NULL && strstr(cli->db_path, "://") != NULL) {
        fprintf(stderr, "tocsin: serve: with a database URI, give the CA directory (--ca DIR)\n");
        return TS_EXIT_USAGE;
    }
    if (so->ca_dir == NULL) {
        size_t n = strlen(cli->db_path) + 4;
        *ca_default = ts_xmalloc(n);
        snprintf(*ca_default, n, "%s.ca", cli->db_path);
        so->ca_dir = *ca_default;
    }
    /* Refuse to start without the whole CA directory, naming what is missing. */
    static const char *const needed[] = {TS_CA_CERT_FILE, TS_CA_CRL_FILE, TS_CA_SERVER_CERT_FILE,
                                         TS_CA_SERVER_KEY_FILE};
    for (size_t i = 0; i < sizeof needed / sizeof needed[0]; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", so->ca_dir, needed[i]);
        if (access(path, R_OK) != 0) {
            fprintf(stderr,
                    "tocsin: serve: %s: %s (a CA directory is made by `tocsin ca init`, its "
                    "CRL renewed by `tocsin ca crl`; or give --ca DIR)\n",
                    path, strerror(errno));
            return TS_EXIT_FAIL;
        }
    }
    if (so->web_dir == NULL) {
        so->web_dir = web_beside_binary(beside, beside_size) ? beside
                      : is_dir(TS_WEB_DIR_INSTALLED)         ? TS_WEB_DIR_INSTALLED
                                                             : TS_WEB_DIR_BUILD;
        if (!is_dir(so->web_dir)) {
            ts_log_warn("no web directory (%s): serving the API only", so->web_dir);
            so->web_dir = NULL;
        }
    } else if (!is_dir(so->web_dir)) {
        fprintf(stderr, "tocsin: serve: --web %s: not a directory\n", so->web_dir);
        return TS_EXIT_FAIL;
    }
    so->db_path = cli->db_path;
    if (so->contact == NULL)
        so->contact = getenv("TOCSIN_CONTACT");
    return TS_EXIT_OK;
}

/* A batch must fit one NATS message (max_payload, 8 MiB in the shipped
 * configurations): at most 1000 records, and at most 4 MiB of them, so that
 * even records near their size limits fit (a batch encodes smaller than it
 * lies in memory; the record that crosses the bound adds at most ~400 KB). */
#define BUS_BATCH_MAX 1000
#define BUS_BATCH_BYTES (4u << 20)

int ts_cmd_serve(ts_cli_t *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"listen", required_argument, NULL, 'l'},
        {"ca", required_argument, NULL, 'c'},
        {"web", required_argument, NULL, 'w'},
        {"threads", required_argument, NULL, 't'},
        {"input", required_argument, NULL, 'i'},
        {"port-file", required_argument, NULL, 'p'},
        {"no-cache", no_argument, NULL, 'n'},
        {"no-crl-renew", no_argument, NULL, 'R'},
        {"contact", required_argument, NULL, 'C'},
        {"metrics-listen", required_argument, NULL, 'M'},
        {"no-access-log", no_argument, NULL, 'A'},
        {"role", required_argument, NULL, 'r'},
        {"bus", required_argument, NULL, 'b'},
        {"replicas", required_argument, NULL, 'P'},
        {"node", required_argument, NULL, 'N'},
        {"feeds", no_argument, NULL, 'F'},
        {"feeds-spool", required_argument, NULL, 'S'},
        {"feeds-cacert", required_argument, NULL, 'T'},
        {"feeds-poll", required_argument, NULL, 'O'},
        {"notify-smtp", required_argument, NULL, 1},
        {"notify-from", required_argument, NULL, 2},
        {"notify-sign-key", required_argument, NULL, 3},
        {"notify-portal", required_argument, NULL, 4},
        {"notify-resolve-cmd", required_argument, NULL, 5},
        {"prune-every", required_argument, NULL, 'E'},
        {"notify-smime-sign-key", required_argument, NULL, 6},
        {"domain-expire-every", required_argument, NULL, 7},
        {"domain-rpz", required_argument, NULL, 8},
        {"domain-hook", required_argument, NULL, 9},
        {"domain-policy", required_argument, NULL, 10},
        {"notify-verify-contacts", no_argument, NULL, 11},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    feeds_cfg_t fc = {.poll_s = 60};
    ts_buf_t spool = TS_BUF_INIT;
    ts_server_opts_t so;
    ts_server_opts_init(&so);
    input_t inputs[INPUTS_MAX];
    memset(inputs, 0, sizeof inputs);
    size_t n_inputs = 0;
    const char *port_file = NULL, *metrics_listen = NULL;
    bool crl_renew = true;
    int64_t prune_every = 3600LL * 1000000;
    plan_t pl = {.role = ROLE_ALL};
    ts_notifier_opts_t notify;
    memset(&notify, 0, sizeof notify);
    ts_bus_opts_init(&pl.bus_opts);
    char host[48] = "tocsin";
    (void)gethostname(host, sizeof host - 1);
    snprintf(pl.node, sizeof pl.node, "%s-%ld", host, (long)getpid());
    int rc = TS_EXIT_USAGE;
    int ch;
    while ((ch = getopt_long(argc, argv, "l:i:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'l':
            so.listen = optarg;
            break;
        case 'c':
            so.ca_dir = optarg;
            break;
        case 'n':
            ts_api_set_cache(false);
            break;
        case 'R':
            crl_renew = false;
            break;
        case 'C':
            so.contact = optarg;
            break;
        case 'M':
            metrics_listen = optarg;
            break;
        case 'A':
            so.access_log = false;
            break;
        case 'w':
            so.web_dir = optarg;
            break;
        case 't':
        case 'P': {
            char *end;
            long v = strtol(optarg, &end, 10);
            long hi = ch == 't' ? 16 : 5;
            if (*optarg == '\0' || *end != '\0' || v < 1 || v > hi) {
                fprintf(stderr, "tocsin: --%s takes a number from 1 to %ld\n",
                        ch == 't' ? "threads" : "replicas", hi);
                goto out;
            }
            if (ch == 't')
                so.threads = (unsigned)v;
            else
                pl.bus_opts.replicas = (int)v;
            break;
        }
        case 'i':
            if (n_inputs == INPUTS_MAX) {
                fprintf(stderr, "tocsin: at most %d --input\n", INPUTS_MAX);
                goto out;
            }
            if (parse_input(optarg, &inputs[n_inputs]) < 0)
                goto out;
            n_inputs++;
            break;
        case 'p':
            port_file = optarg;
            break;
        case 'r':
            if (parse_role(optarg, &pl.role) < 0)
                goto out;
            break;
        case 'b':
            pl.bus_url = optarg;
            break;
        case 'N':
            snprintf(pl.node, sizeof pl.node, "%s", optarg);
            break;
        case 'F':
            fc.on = true;
            break;
        case 'S':
            fc.o.spool = optarg;
            break;
        case 'T':
            fc.o.cacert = optarg;
            break;
        case 'O': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0' || v < 1 || v > 86400) {
                fprintf(stderr, "tocsin: --feeds-poll takes 1 to 86400 seconds\n");
                goto out;
            }
            fc.poll_s = (int)v;
            break;
        }
        case 'E':
            if (ts_duration_parse(optarg, strlen(optarg), &prune_every) != 0) {
                fprintf(stderr, "tocsin: --prune-every takes a duration (90s, 30m, 1h, 1d)\n");
                goto out;
            }
            break;
        case 1:
            notify.out.smtp.url = optarg;
            break;
        case 7:
            if (ts_duration_parse(optarg, strlen(optarg), &domain_every) != 0) {
                fprintf(stderr, "tocsin: --domain-expire-every takes a duration (30s, 5m, 1h)\n");
                goto out;
            }
            break;
        case 8:
            domain_run.rpz = optarg;
            break;
        case 9:
            domain_run.hook = optarg;
            break;
        case 10: {
            ts_domain_policy_t dp;
            char derr[512] = "";
            if (ts_domain_policy_load(optarg, &dp, derr, sizeof derr) != 0 ||
                ts_domain_notices_open(&dp, &domain_run.notices, derr, sizeof derr) != 0) {
                fprintf(stderr, "tocsin: --domain-policy: %s\n", derr);
                goto out;
            }
            break;
        }
        case 2:
            notify.out.from = optarg;
            break;
        case 3:
            notify.sign_key = optarg;
            break;
        case 4:
            notify.portal = optarg;
            break;
        case 5:
            notify.out.resolve_cmd = optarg;
            break;
        case 11:
            notify.verify_contacts = true;
            break;
        case 6:
            notify.smime_sign_key = optarg;
            break;
        case 'h':
            serve_usage(stdout);
            rc = TS_EXIT_OK;
            goto out;
        default:
            ts_cli_usage_error("serve", NULL);
            goto out;
        }
    }
    bool portal = pl.role == ROLE_ALL || pl.role == ROLE_PORTAL;
    if (optind != argc || (portal && so.listen == NULL)) {
        ts_cli_usage_error("serve", "serve needs --listen ADDRESS:PORT (but for --role ingest "
                                    "and writer) and no other arguments");
        goto out;
    }
    if ((pl.role == ROLE_INGEST || pl.role == ROLE_WRITER) && pl.bus_url == NULL) {
        fprintf(stderr, "tocsin: serve --role %s needs --bus nats://...\n",
                pl.role == ROLE_INGEST ? "ingest" : "writer");
        goto out;
    }
    if (pl.role == ROLE_INGEST && n_inputs == 0) {
        fprintf(stderr, "tocsin: serve --role ingest needs at least one --input\n");
        goto out;
    }
    if (fc.on && pl.role != ROLE_ALL) {
        fprintf(stderr, "tocsin: serve --feeds needs --role all\n");
        goto out;
    }
    if (fc.on && fc.o.spool == NULL && strstr(cli->db_path, "://") != NULL) {
        fprintf(stderr, "tocsin: serve --feeds: with a database URI, give --feeds-spool DIR\n");
        goto out;
    }
    if (fc.on && fc.o.spool == NULL) {
        ts_buf_printf(&spool, "%s.feeds", cli->db_path);
        fc.o.spool = spool.data;
    }
    if ((notify.out.smtp.url == NULL) != (notify.out.from == NULL)) {
        fprintf(stderr, "tocsin: serve: --notify-smtp and --notify-from go together\n");
        goto out;
    }
    pl.bus_opts.node = pl.node;
    for (size_t i = 0; pl.bus_url && i < n_inputs; i++) {
        inputs[i].o.batch_max = BUS_BATCH_MAX;
        inputs[i].o.batch_bytes = BUS_BATCH_BYTES;
    }
    char *ca_default = NULL;
    char beside[4096];
    rc = portal ? portal_setup(cli, &so, &ca_default, beside, sizeof beside) : TS_EXIT_OK;
    if (rc == TS_EXIT_OK)
        rc = run(cli, &pl, &so, inputs, n_inputs, port_file, crl_renew, metrics_listen, &notify,
                 prune_every, &fc);
    free(ca_default);
out:
    ts_domain_notices_close(domain_run.notices);
    domain_run.notices = NULL;
    for (size_t i = 0; i < n_inputs; i++)
        free(inputs[i].spec);
    ts_buf_free(&spool);
    return rc;
}
