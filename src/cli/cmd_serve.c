/* SPDX-License-Identifier: Apache-2.0 */
/* tocsin serve --listen ADDRESS:PORT [--ca DIR] [--web DIR] [--threads N]
 *              [--input FORMAT:PATH]... [--port-file FILE] */
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

#include "cli/cli.h"
#include "core/event.h"
#include "core/log.h"
#include "core/mem.h"
#include "ingest/ingest.h"
#include "portal/pki.h"
#include "portal/api.h"
#include "portal/server.h"
#include "route/loader.h"
#include "ts_version.h"

#define INPUTS_MAX 16

static void serve_usage(FILE *out)
{
    fprintf(out,
            "Usage: tocsin [--db FILE] serve --listen ADDRESS:PORT [OPTIONS]\n"
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
            "      --port-file FILE    write the port listened on to FILE once serving\n"
            "      --no-crl-renew      do not renew the CRL (by default the daemon re-signs it\n"
            "                          while half of its validity is left, if it can read the\n"
            "                          CA key; else it warns two days before it runs out)\n"
            "      --no-cache          answer every API request from the database (by default\n"
            "                          an answer is reused while the database is unchanged,\n"
            "                          for at most 5 s)\n"
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
            ts_log_info("input %s: %llu records, %llu events stored, %llu quarantined", in->spec,
                        (unsigned long long)stats.lines, (unsigned long long)stats.events,
                        (unsigned long long)stats.quarantined);
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

static int run(ts_cli_t *cli, ts_server_opts_t *so, input_t *inputs, size_t n_inputs,
               const char *port_file, bool crl_renew)
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

    char err[512] = "";
    ts_server_t *srv;
    int rc = ts_server_start(so, &srv, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "tocsin: serve: %s\n", err);
        return TS_EXIT_FAIL;
    }
    ts_log_info("serving %s (CA %s, web %s, %u threads, %zu inputs)", ts_server_url(srv),
                so->ca_dir, so->web_dir ? so->web_dir : "none", so->threads, n_inputs);
    if (port_file && write_port_file(port_file, ts_server_port(srv)) < 0) {
        ts_server_stop(srv);
        return TS_EXIT_FAIL;
    }
    for (size_t i = 0; i < n_inputs; i++) {
        inputs[i].o.stop = stop;
        inputs[i].db_path = cli->db_path;
        if (pthread_create(&inputs[i].thread, NULL, input_main, &inputs[i]) != 0) {
            ts_log_error("cannot start input %s", inputs[i].spec);
            atomic_store(&input_failed, true);
            __atomic_store_n(stop, 1, __ATOMIC_RELEASE);
            break;
        }
        inputs[i].running = true;
    }

    int64_t next_crl_check = 0; /* now: a CRL near its end is renewed at start */
    while (!__atomic_load_n(stop, __ATOMIC_ACQUIRE) && !atomic_load(&input_failed)) {
        if (crl_renew && ts_time_now() >= next_crl_check) {
            renew_crl(cli, so->ca_dir);
            next_crl_check = ts_time_now() + CRL_CHECK_US;
        }
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
        if (__atomic_exchange_n(reload, 0, __ATOMIC_ACQ_REL)) {
            ts_log_info("SIGHUP: reloading the CA, the CRL and the constituency");
            ts_server_reload(srv);
            for (size_t i = 0; i < n_inputs; i++)
                __atomic_store_n(&inputs[i].reload, 1, __ATOMIC_RELEASE);
        }
    }
    bool failed = atomic_load(&input_failed);
    ts_log_info("stopping%s", failed ? " after an input failed" : "");
    ts_server_stop(srv);
    __atomic_store_n(stop, 1, __ATOMIC_RELEASE); /* an input failure stops the others too */
    for (size_t i = 0; i < n_inputs; i++)
        if (inputs[i].running)
            pthread_join(inputs[i].thread, NULL);
    return failed ? TS_EXIT_FAIL : TS_EXIT_OK;
}

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
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    ts_server_opts_t so;
    ts_server_opts_init(&so);
    input_t inputs[INPUTS_MAX];
    memset(inputs, 0, sizeof inputs);
    size_t n_inputs = 0;
    const char *port_file = NULL;
    bool crl_renew = true;
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
        case 'w':
            so.web_dir = optarg;
            break;
        case 't': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0' || v < 1 || v > 16) {
                fprintf(stderr, "tocsin: --threads takes a number from 1 to 16\n");
                goto out;
            }
            so.threads = (unsigned)v;
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
        case 'h':
            serve_usage(stdout);
            rc = TS_EXIT_OK;
            goto out;
        default:
            serve_usage(stderr);
            goto out;
        }
    }
    if (optind != argc || so.listen == NULL) {
        fprintf(stderr, "tocsin: serve needs --listen ADDRESS:PORT and no other arguments\n");
        serve_usage(stderr);
        goto out;
    }
    struct sockaddr_storage ss;
    socklen_t slen;
    if (ts_server_parse_listen(so.listen, &ss, &slen) < 0) {
        fprintf(stderr, "tocsin: --listen '%s': give a numeric ADDRESS:PORT, or [IPV6]:PORT\n",
                so.listen);
        goto out;
    }
    char *ca_default = NULL;
    if (so.ca_dir == NULL && strstr(cli->db_path, "://") != NULL) {
        fprintf(stderr, "tocsin: serve: with a database URI, give the CA directory (--ca DIR)\n");
        goto out;
    }
    if (so.ca_dir == NULL) {
        size_t n = strlen(cli->db_path) + 4;
        ca_default = ts_xmalloc(n);
        snprintf(ca_default, n, "%s.ca", cli->db_path);
        so.ca_dir = ca_default;
    }
    /* Refuse to start without the whole CA directory, naming what is missing. */
    static const char *const needed[] = {TS_CA_CERT_FILE, TS_CA_CRL_FILE, TS_CA_SERVER_CERT_FILE,
                                         TS_CA_SERVER_KEY_FILE};
    rc = TS_EXIT_FAIL;
    for (size_t i = 0; i < sizeof needed / sizeof needed[0]; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", so.ca_dir, needed[i]);
        if (access(path, R_OK) != 0) {
            fprintf(stderr,
                    "tocsin: serve: %s: %s (a CA directory is made by `tocsin ca init`, its "
                    "CRL renewed by `tocsin ca crl`; or give --ca DIR)\n",
                    path, strerror(errno));
            goto out_ca;
        }
    }
    if (so.web_dir == NULL) {
        so.web_dir = is_dir(TS_WEB_DIR_INSTALLED) ? TS_WEB_DIR_INSTALLED : TS_WEB_DIR_BUILD;
        if (!is_dir(so.web_dir)) {
            ts_log_warn("no web directory (%s): serving the API only", so.web_dir);
            so.web_dir = NULL;
        }
    } else if (!is_dir(so.web_dir)) {
        fprintf(stderr, "tocsin: serve: --web %s: not a directory\n", so.web_dir);
        goto out_ca;
    }
    so.db_path = cli->db_path;
    rc = run(cli, &so, inputs, n_inputs, port_file, crl_renew);
out_ca:
    free(ca_default);
out:
    for (size_t i = 0; i < n_inputs; i++)
        free(inputs[i].spec);
    return rc;
}
