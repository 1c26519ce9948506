/* SPDX-License-Identifier: Apache-2.0 */
/* The mTLS refusal suite: the real `tocsin serve` on 127.0.0.1, real TLS
 * connections (GnuTLS client), one test per way a client certificate must be
 * refused, each checked by status (403, connection closed) and by the reason
 * the server logs. Also: the security headers, the CSRF rule, static files,
 * the TLS versions and suites, and CRL changes picked up while running. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/event.h"
#include "portal/api.h"
#include "portal/peer.h"
#include "portal/pki.h"
#include "portal/server.h"
#include "store/certreg.h"
#include "store/store.h"
#include "testutil.h"
#include "ttstore.h"

/* ---- Fixture -------------------------------------------------------------------- */

typedef struct cert {
    char pem[4200];
    char key[4200];
    char fp[TS_FINGERPRINT_HEX + 1];
    char serial[TS_SERIAL_HEX_MAX + 1];
} cert_t;

static struct {
    char *tmp;
    char db[4096], db2[4096], ca[4096], ca2[4096], web[4096], log[4096], portf[4096];
    ts_store_t *st;
    ts_ca_t *ca1, *caother;
    int64_t site_a, site_gone;
    cert_t good, csirt, gone, crlrev, regrev, expired, future, noeku, other, unknown, selfsig,
        no_eku_ext, server_eku;
    pid_t pid;
    unsigned port;
    gnutls_x509_crt_t ca_crt;
    gnutls_x509_privkey_t ca_key;
} F;

static void must(int rc, const char *what)
{
    if (rc < 0)
        fail_msg("%s: %d", what, rc);
}

static void issue(ts_ca_t *ca, ts_store_t *st, int64_t site, bool csirt, int64_t nb, int64_t na,
                  bool no_client_auth, const char *name, cert_t *out)
{
    char err[512] = "";
    ts_cert_request_t req = {.site_id = site,
                             .csirt = csirt,
                             .holder = name,
                             .not_before = nb,
                             .not_after = na,
                             .no_client_auth = no_client_auth};
    ts_issued_t is;
    int rc = ts_ca_issue(ca, st, &req, F.tmp, name, "", &is, err, sizeof err);
    if (rc < 0)
        fail_msg("issue %s: %s", name, err);
    snprintf(out->pem, sizeof out->pem, "%s", is.cert_path);
    snprintf(out->key, sizeof out->key, "%s", is.key_path);
    snprintf(out->fp, sizeof out->fp, "%s", is.fingerprint);
    snprintf(out->serial, sizeof out->serial, "%s", is.serial);
}

static void write_datum(const char *path, const gnutls_datum_t *d)
{
    assert_int_equal(tt_write_file(path, d->data, d->size), 0);
}

static void hex(const unsigned char *p, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", p[i]);
}

enum eku { EKU_CLIENT, EKU_NONE, EKU_SERVER };

/* A certificate the CA helper cannot make: self-signed (issuer NULL), or
 * signed by tocsin's CA key with no EKU at all or serverAuth only. */
static void craft(const char *name, gnutls_x509_crt_t issuer, gnutls_x509_privkey_t ikey,
                  enum eku eku, cert_t *out)
{
    gnutls_x509_privkey_t k;
    gnutls_x509_crt_t c;
    assert_int_equal(gnutls_x509_privkey_init(&k), 0);
    assert_int_equal(gnutls_x509_privkey_generate(
                         k, GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0),
                     0);
    assert_int_equal(gnutls_x509_crt_init(&c), 0);
    unsigned char serial[16];
    assert_int_equal(gnutls_rnd(GNUTLS_RND_NONCE, serial, sizeof serial), 0);
    serial[0] = (unsigned char)((serial[0] & 0x7f) | 0x10);
    time_t now = time(NULL);
    assert_int_equal(gnutls_x509_crt_set_version(c, 3), 0);
    assert_int_equal(gnutls_x509_crt_set_serial(c, serial, sizeof serial), 0);
    assert_int_equal(gnutls_x509_crt_set_activation_time(c, now - 60), 0);
    assert_int_equal(gnutls_x509_crt_set_expiration_time(c, now + 86400), 0);
    assert_int_equal(gnutls_x509_crt_set_dn_by_oid(c, GNUTLS_OID_X520_COMMON_NAME, 0, name,
                                                   (unsigned)strlen(name)),
                     0);
    assert_int_equal(gnutls_x509_crt_set_key(c, k), 0);
    assert_int_equal(gnutls_x509_crt_set_basic_constraints(c, 0, -1), 0);
    assert_int_equal(gnutls_x509_crt_set_key_usage(c, GNUTLS_KEY_DIGITAL_SIGNATURE), 0);
    if (eku == EKU_CLIENT)
        assert_int_equal(gnutls_x509_crt_set_key_purpose_oid(c, GNUTLS_KP_TLS_WWW_CLIENT, 0), 0);
    else if (eku == EKU_SERVER)
        assert_int_equal(gnutls_x509_crt_set_key_purpose_oid(c, GNUTLS_KP_TLS_WWW_SERVER, 0), 0);
    assert_int_equal(
        gnutls_x509_crt_sign2(c, issuer ? issuer : c, issuer ? ikey : k, GNUTLS_DIG_SHA256, 0), 0);
    gnutls_datum_t d;
    snprintf(out->pem, sizeof out->pem, "%s/%s.pem", F.tmp, name);
    snprintf(out->key, sizeof out->key, "%s/%s.key", F.tmp, name);
    assert_int_equal(gnutls_x509_crt_export2(c, GNUTLS_X509_FMT_PEM, &d), 0);
    write_datum(out->pem, &d);
    gnutls_free(d.data);
    assert_int_equal(gnutls_x509_privkey_export2(k, GNUTLS_X509_FMT_PEM, &d), 0);
    write_datum(out->key, &d);
    gnutls_free(d.data);
    assert_int_equal(gnutls_x509_crt_export2(c, GNUTLS_X509_FMT_DER, &d), 0);
    unsigned char md[32];
    size_t mdlen = sizeof md;
    assert_int_equal(gnutls_fingerprint(GNUTLS_DIG_SHA256, &d, md, &mdlen), 0);
    gnutls_free(d.data);
    hex(md, 32, out->fp);
    hex(serial, sizeof serial, out->serial);
    gnutls_x509_crt_deinit(c);
    gnutls_x509_privkey_deinit(k);
}

/* Registers a crafted certificate, so that only its own defect refuses it. */
static void register_crafted(const cert_t *c, int64_t site)
{
    int64_t now = ts_time_now();
    ts_cert_rec_t rec = {.fingerprint = c->fp,
                         .serial = c->serial,
                         .site_id = site,
                         .holder = "crafted",
                         .not_before = now - 60000000LL,
                         .not_after = now + 86400000000LL,
                         .issued = now};
    must(ts_store_cert_add(F.st, &rec), "register crafted");
}

static void load_ca_key(void)
{
    char path[4200];
    size_t n;
    snprintf(path, sizeof path, "%s/%s", F.ca, TS_CA_CERT_FILE);
    char *pem = tt_read_file(path, &n);
    assert_non_null(pem);
    gnutls_datum_t d = {(unsigned char *)pem, (unsigned)n};
    assert_int_equal(gnutls_x509_crt_init(&F.ca_crt), 0);
    assert_int_equal(gnutls_x509_crt_import(F.ca_crt, &d, GNUTLS_X509_FMT_PEM), 0);
    free(pem);
    snprintf(path, sizeof path, "%s/%s", F.ca, TS_CA_KEY_FILE);
    pem = tt_read_file(path, &n);
    assert_non_null(pem);
    d.data = (unsigned char *)pem;
    d.size = (unsigned)n;
    assert_int_equal(gnutls_x509_privkey_init(&F.ca_key), 0);
    assert_int_equal(gnutls_x509_privkey_import2(F.ca_key, &d, GNUTLS_X509_FMT_PEM, NULL, 0), 0);
    free(pem);
}

static void write_web(void)
{
    char p[4200];
    assert_int_equal(mkdir(F.web, 0755), 0);
    snprintf(p, sizeof p, "%s/index.html", F.web);
    assert_int_equal(tt_write_file(p, "<!doctype html><title>t</title>", 31), 0);
    snprintf(p, sizeof p, "%s/app.0123abcd.js", F.web);
    assert_int_equal(tt_write_file(p, "console.log(1)", 14), 0);
    snprintf(p, sizeof p, "%s/.secret.txt", F.web);
    assert_int_equal(tt_write_file(p, "hidden", 6), 0);
    snprintf(p, sizeof p, "%s/notes.xyz", F.web);
    assert_int_equal(tt_write_file(p, "unknown type", 12), 0);
    snprintf(p, sizeof p, "%s/outside.txt", F.tmp);
    assert_int_equal(tt_write_file(p, "outside the root", 16), 0);
    char l[4200];
    snprintf(l, sizeof l, "%s/link.txt", F.web);
    assert_int_equal(symlink(p, l), 0);
}

static int start_server(void)
{
    unlink(F.portf);
    F.pid = fork();
    if (F.pid < 0)
        return -1;
    if (F.pid == 0) {
        /* Never outlive the test, whatever ends it. */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        int fd = open(F.log, O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (fd >= 0) {
            dup2(fd, 2);
            dup2(fd, 1);
        }
        setenv("TOCSIN_LOG", "info", 1);
        execl(TS_TOCSIN_BIN, "tocsin", "--db", F.db, "serve", "--listen", "127.0.0.1:0", "--ca",
              F.ca, "--web", F.web, "--threads", "2", "--port-file", F.portf, (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 300; i++) {
        char *s = tt_read_file(F.portf, NULL);
        if (s) {
            F.port = (unsigned)atoi(s);
            free(s);
            if (F.port)
                return 0;
        }
        int st;
        if (waitpid(F.pid, &st, WNOHANG) == F.pid) {
            F.pid = 0;
            return -1;
        }
        usleep(50000);
    }
    return -1;
}

static int group_setup(void **state)
{
    (void)state;
    gnutls_global_init();
    F.tmp = tt_tmpdir();
    must(tt_store_fresh(F.tmp, "tocsin.db", F.db, sizeof F.db), "store location");
    must(tt_store_fresh(F.tmp, "other.db", F.db2, sizeof F.db2), "store 2 location");
    snprintf(F.ca, sizeof F.ca, "%s/tocsin.db.ca", F.tmp);
    snprintf(F.ca2, sizeof F.ca2, "%s/other.ca", F.tmp);
    snprintf(F.web, sizeof F.web, "%s/web", F.tmp);
    snprintf(F.log, sizeof F.log, "%s/server.log", F.tmp);
    snprintf(F.portf, sizeof F.portf, "%s/port", F.tmp);
    write_web();

    must(ts_store_open(F.db, &F.st), "store");
    must(ts_store_site_add(F.st, "uni-a", 0, "", &F.site_a), "site uni-a");
    must(ts_store_site_add(F.st, "uni-gone", 0, "", &F.site_gone), "site uni-gone");
    const char *names[] = {"localhost", "127.0.0.1", NULL};
    char err[512] = "";
    if (ts_ca_init(F.ca, "tocsin test CA", 30, names, err, sizeof err) < 0 ||
        ts_ca_open(F.ca, &F.ca1, err, sizeof err) < 0)
        fail_msg("CA: %s", err);
    int64_t now = ts_time_now(), day = 86400000000LL;
    issue(F.ca1, F.st, F.site_a, false, TS_TIME_NONE, TS_TIME_NONE, false, "good", &F.good);
    issue(F.ca1, F.st, 0, true, TS_TIME_NONE, TS_TIME_NONE, false, "csirt", &F.csirt);
    issue(F.ca1, F.st, F.site_gone, false, TS_TIME_NONE, TS_TIME_NONE, false, "gone", &F.gone);
    issue(F.ca1, F.st, F.site_a, false, TS_TIME_NONE, TS_TIME_NONE, false, "crlrev", &F.crlrev);
    issue(F.ca1, F.st, F.site_a, false, TS_TIME_NONE, TS_TIME_NONE, false, "regrev", &F.regrev);
    issue(F.ca1, F.st, F.site_a, false, now - 10 * day, now - day, false, "expired", &F.expired);
    issue(F.ca1, F.st, F.site_a, false, now + day, now + 10 * day, false, "future", &F.future);
    issue(F.ca1, F.st, F.site_a, false, TS_TIME_NONE, TS_TIME_NONE, true, "noeku", &F.noeku);

    /* Another CA, and a certificate of the right CA that this registry does not know. */
    ts_store_t *st2;
    int64_t s2;
    must(ts_store_open(F.db2, &st2), "store 2");
    must(ts_store_site_add(st2, "uni-a", 0, "", &s2), "site 2");
    if (ts_ca_init(F.ca2, "some other CA", 30, names, err, sizeof err) < 0 ||
        ts_ca_open(F.ca2, &F.caother, err, sizeof err) < 0)
        fail_msg("CA 2: %s", err);
    issue(F.caother, st2, s2, false, TS_TIME_NONE, TS_TIME_NONE, false, "other", &F.other);
    issue(F.ca1, st2, s2, false, TS_TIME_NONE, TS_TIME_NONE, false, "unknown", &F.unknown);
    ts_store_close(st2);

    load_ca_key();
    craft("selfsig", NULL, NULL, EKU_CLIENT, &F.selfsig);
    craft("no-eku-ext", F.ca_crt, F.ca_key, EKU_NONE, &F.no_eku_ext);
    register_crafted(&F.no_eku_ext, F.site_a);
    craft("server-eku", F.ca_crt, F.ca_key, EKU_SERVER, &F.server_eku);
    register_crafted(&F.server_eku, F.site_a);

    if (start_server() < 0) {
        char *log = tt_read_file(F.log, NULL);
        fprintf(stderr, "server did not start:\n%s\n", log ? log : "(no log)");
        free(log);
        return -1;
    }
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    if (F.pid > 0) {
        kill(F.pid, SIGKILL);
        waitpid(F.pid, NULL, 0);
    }
    if (getenv("TS_KEEP_TMP") == NULL)
        tt_rmtree(F.tmp);
    else
        fprintf(stderr, "kept %s\n", F.tmp);
    free(F.tmp);
    ts_ca_close(F.ca1);
    ts_ca_close(F.caother);
    ts_store_close(F.st);
    tt_store_drop(F.db);
    tt_store_drop(F.db2);
    gnutls_x509_crt_deinit(F.ca_crt);
    gnutls_x509_privkey_deinit(F.ca_key);
    gnutls_global_deinit();
    return 0;
}

/* ---- Client ------------------------------------------------------------------------ */

typedef struct hresp {
    int status; /* -1: the TLS handshake failed */
    char *raw;  /* the whole response */
    char *body; /* points into raw */
} hresp_t;

static void hresp_free(hresp_t *r)
{
    free(r->raw);
    memset(r, 0, sizeof *r);
}

static gnutls_pcert_st cl_pcert;
static gnutls_privkey_t cl_key;
static bool cl_have;

/* Sends the certificate whatever CA names the server asks for: GnuTLS would
 * otherwise withhold a certificate of another issuer. */
static int retrieve(gnutls_session_t s, const gnutls_datum_t *req_ca_dn, int n_dn,
                    const gnutls_pk_algorithm_t *algos, int n_algos, gnutls_pcert_st **pcert,
                    unsigned *pcert_len, gnutls_privkey_t *key)
{
    if (!cl_have) {
        *pcert_len = 0;
        *pcert = NULL;
        *key = NULL;
        return 0;
    }
    *pcert = &cl_pcert;
    *pcert_len = 1;
    *key = cl_key;
    return 0;
}

static int load_client(const cert_t *c)
{
    size_t n;
    char *pem = tt_read_file(c->pem, &n);
    if (!pem)
        return -1;
    gnutls_datum_t d = {(unsigned char *)pem, (unsigned)n};
    int rc = gnutls_pcert_import_x509_raw(&cl_pcert, &d, GNUTLS_X509_FMT_PEM, 0);
    free(pem);
    if (rc < 0)
        return -1;
    pem = tt_read_file(c->key, &n);
    if (!pem)
        return -1;
    d.data = (unsigned char *)pem;
    d.size = (unsigned)n;
    gnutls_privkey_init(&cl_key);
    rc = gnutls_privkey_import_x509_raw(cl_key, &d, GNUTLS_X509_FMT_PEM, NULL, 0);
    free(pem);
    if (rc < 0)
        return -1;
    cl_have = true;
    return 0;
}

static void unload_client(void)
{
    if (cl_have) {
        gnutls_pcert_deinit(&cl_pcert);
        gnutls_privkey_deinit(cl_key);
    }
    cl_have = false;
}

/* One request on a fresh connection. prio NULL = "NORMAL". */
static void exchange(const char *prio, const cert_t *cert, const char *request, hresp_t *out)
{
    memset(out, 0, sizeof *out);
    out->status = -1;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)F.port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    struct timeval tv = {10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);

    gnutls_certificate_credentials_t cred;
    assert_int_equal(gnutls_certificate_allocate_credentials(&cred), 0);
    char capath[4200];
    snprintf(capath, sizeof capath, "%s/%s", F.ca, TS_CA_CERT_FILE);
    assert_true(gnutls_certificate_set_x509_trust_file(cred, capath, GNUTLS_X509_FMT_PEM) == 1);
    if (cert)
        assert_int_equal(load_client(cert), 0);
    gnutls_certificate_set_retrieve_function2(cred, retrieve);
    gnutls_session_t s;
    assert_int_equal(gnutls_init(&s, GNUTLS_CLIENT), 0);
    assert_int_equal(gnutls_priority_set_direct(s, prio ? prio : "NORMAL", NULL), 0);
    assert_int_equal(gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, cred), 0);
    /* The client checks the server too: our CA, name localhost. */
    gnutls_session_set_verify_cert(s, "localhost", 0);
    gnutls_transport_set_int(s, fd);
    gnutls_handshake_set_timeout(s, 10000);
    int rc;
    do {
        rc = gnutls_handshake(s);
    } while (rc < 0 && gnutls_error_is_fatal(rc) == 0);
    if (rc == 0) {
        size_t len = strlen(request), off = 0;
        while (off < len) {
            ssize_t w = gnutls_record_send(s, request + off, len - off);
            if (w == GNUTLS_E_INTERRUPTED)
                continue; /* GNUTLS_E_AGAIN: the send timeout, give up sending */
            if (w < 0)
                break;
            off += (size_t)w;
        }
        size_t cap = 65536, n = 0;
        char *buf = malloc(cap + 1);
        for (;;) {
            if (n == cap) {
                cap *= 2;
                buf = realloc(buf, cap + 1);
            }
            ssize_t r = gnutls_record_recv(s, buf + n, cap - n);
            if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED)
                continue;
            if (r <= 0)
                break;
            n += (size_t)r;
        }
        buf[n] = '\0';
        out->raw = buf;
        if (sscanf(buf, "HTTP/1.1 %d", &out->status) != 1)
            out->status = 0;
        char *b = strstr(buf, "\r\n\r\n");
        out->body = b ? b + 4 : buf + n;
        gnutls_bye(s, GNUTLS_SHUT_WR);
    }
    gnutls_deinit(s);
    gnutls_certificate_free_credentials(cred);
    unload_client();
    close(fd);
}

static void get(const cert_t *cert, const char *path, hresp_t *out)
{
    char req[2048];
    snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: localhost:%u\r\nConnection: close\r\n\r\n",
             path, F.port);
    exchange(NULL, cert, req, out);
}

/* The value of a response header (case-insensitive name), copied into buf. */
static const char *hdr(const hresp_t *r, const char *name, char *buf, size_t size)
{
    if (r->raw == NULL)
        return NULL;
    size_t nl = strlen(name);
    const char *end = strstr(r->raw, "\r\n\r\n");
    for (const char *p = strstr(r->raw, "\r\n"); p && p < end; p = strstr(p + 2, "\r\n")) {
        const char *line = p + 2;
        if (strncasecmp(line, name, nl) == 0 && line[nl] == ':') {
            const char *v = line + nl + 1;
            while (*v == ' ')
                v++;
            const char *e = strstr(v, "\r\n");
            size_t n = (size_t)(e - v);
            if (n >= size)
                n = size - 1;
            memcpy(buf, v, n);
            buf[n] = '\0';
            return buf;
        }
    }
    return NULL;
}

static bool log_has(const char *needle)
{
    char *log = tt_read_file(F.log, NULL);
    bool found = log && strstr(log, needle) != NULL;
    free(log);
    return found;
}

/* A log line "reason=REASON ... fingerprint=FP". */
static bool log_line(const char *reason, const char *fp)
{
    char *log = tt_read_file(F.log, NULL);
    char want[128];
    snprintf(want, sizeof want, "reason=%s ", reason);
    bool found = false;
    for (char *p = log; p && !found && (p = strstr(p, want)) != NULL; p++) {
        char *eol = strchr(p, '\n');
        size_t n = eol ? (size_t)(eol - p) : strlen(p);
        char *f = strstr(p, fp);
        found = f != NULL && (size_t)(f - p) < n;
    }
    free(log);
    return found;
}

/* A refused certificate: 403 forbidden, the connection closed, and the
 * reason (with the fingerprint when one was sent) in the log. */
static void expect_refused(const cert_t *cert, const char *reason)
{
    hresp_t r;
    get(cert, "/api/v1/me", &r);
    if (r.status != 403)
        fail_msg("%s: status %d, expected 403\n%s", reason, r.status, r.raw ? r.raw : "");
    assert_non_null(strstr(r.body, "\"code\":\"forbidden\""));
    assert_null(strstr(r.body, "uni-a"));
    char v[256];
    assert_non_null(hdr(&r, "Connection", v, sizeof v));
    assert_string_equal(v, "close");
    hresp_free(&r);
    char needle[256];
    snprintf(needle, sizeof needle, "reason=%s peer=127.0.0.1:", reason);
    assert_true(log_has(needle));
    if (cert && !log_line(reason, cert->fp))
        fail_msg("no log line 'reason=%s ... fingerprint=%s'", reason, cert->fp);
}

static void expect_ok(const cert_t *cert)
{
    hresp_t r;
    get(cert, "/api/v1/me", &r);
    if (r.status != 200)
        fail_msg("status %d, expected 200\n%s", r.status, r.raw ? r.raw : "");
    assert_non_null(strstr(r.body, cert->fp));
    hresp_free(&r);
}

/* Waits (the server looks at crl.pem at most once a second) until cert gets status. */
static int wait_status(const cert_t *cert, int status)
{
    for (int i = 0; i < 40; i++) {
        hresp_t r;
        get(cert, "/api/v1/me", &r);
        int got = r.status;
        hresp_free(&r);
        if (got == status)
            return 0;
        usleep(150000);
    }
    return -1;
}

/* Waits until a request with cert is refused for reason (the server may
 * still hold the previous CRL for up to a second). */
static int wait_reason(const cert_t *cert, const char *reason)
{
    for (int i = 0; i < 40; i++) {
        hresp_t r;
        get(cert, "/api/v1/me", &r);
        int got = r.status;
        hresp_free(&r);
        if (got == 403 && log_line(reason, cert->fp))
            return 0;
        usleep(150000);
    }
    return -1;
}

/* Puts a good CRL back after a test that broke it, whatever happened. */
static int crl_teardown(void **state)
{
    char path[4200], aside[4300], err[512] = "";
    snprintf(path, sizeof path, "%s/%s", F.ca, TS_CA_CRL_FILE);
    snprintf(aside, sizeof aside, "%s.aside", path);
    unlink(aside);
    if (ts_ca_write_crl(F.ca1, F.st, 24, err, sizeof err) < 0) {
        fprintf(stderr, "write CRL: %s\n", err);
        return -1;
    }
    return wait_status(&F.good, 200);
}

static void replace_crl(const gnutls_datum_t *pem)
{
    char path[4200], tmp[4300];
    snprintf(path, sizeof path, "%s/%s", F.ca, TS_CA_CRL_FILE);
    snprintf(tmp, sizeof tmp, "%s.test", path);
    write_datum(tmp, pem);
    assert_int_equal(rename(tmp, path), 0);
}

/* ---- Unit checks (no server) ----------------------------------------------------- */

static void test_listen_parse(void **state)
{
    struct sockaddr_storage ss;
    socklen_t len;
    assert_int_equal(ts_server_parse_listen("", &ss, &len), TS_EINVAL);
    assert_int_equal(ts_server_parse_listen("127.0.0.1", &ss, &len), TS_EINVAL);
    assert_int_equal(ts_server_parse_listen("127.0.0.1:", &ss, &len), TS_EINVAL);
    assert_int_equal(ts_server_parse_listen("127.0.0.1:65536", &ss, &len), TS_EINVAL);
    assert_int_equal(ts_server_parse_listen("127.0.0.1:8x", &ss, &len), TS_EINVAL);
    assert_int_equal(ts_server_parse_listen("::1:443", &ss, &len), TS_EINVAL);
    assert_int_equal(ts_server_parse_listen("[::1]443", &ss, &len), TS_EINVAL);
    assert_int_equal(ts_server_parse_listen("localhost:443", &ss, &len), TS_EADDR);
    assert_int_equal(ts_server_parse_listen("[1.2.3.4]:443", &ss, &len), TS_EADDR);
    assert_int_equal(ts_server_parse_listen("127.0.0.1:0", &ss, &len), 0);
    assert_int_equal(ss.ss_family, AF_INET);
    assert_int_equal(ts_server_parse_listen("[::1]:8443", &ss, &len), 0);
    assert_int_equal(ss.ss_family, AF_INET6);
    assert_int_equal(ntohs(((struct sockaddr_in6 *)&ss)->sin6_port), 8443);
}

static void test_static_path(void **state)
{
    char rel[256];
    assert_null(ts_server_static_path("", rel, sizeof rel));
    assert_null(ts_server_static_path("x", rel, sizeof rel));
    assert_null(ts_server_static_path("/../etc/passwd", rel, sizeof rel));
    assert_null(ts_server_static_path("/a/../../x.html", rel, sizeof rel));
    assert_null(ts_server_static_path("/%2e%2e/x.html", rel, sizeof rel));
    assert_null(ts_server_static_path("/x%00.html", rel, sizeof rel));
    assert_null(ts_server_static_path("/x%zz.html", rel, sizeof rel));
    assert_null(ts_server_static_path("/.secret.txt", rel, sizeof rel));
    assert_null(ts_server_static_path("/a//b.js", rel, sizeof rel));
    assert_null(ts_server_static_path("/a\\b.js", rel, sizeof rel));
    assert_null(ts_server_static_path("/notes.xyz", rel, sizeof rel));
    assert_null(ts_server_static_path("/Makefile", rel, sizeof rel));
    assert_string_equal(ts_server_static_path("/", rel, sizeof rel), "text/html; charset=utf-8");
    assert_string_equal(rel, "index.html");
    assert_string_equal(ts_server_static_path("/docs/", rel, sizeof rel),
                        "text/html; charset=utf-8");
    assert_string_equal(rel, "docs/index.html");
    assert_string_equal(ts_server_static_path("/js/app%2Ejs", rel, sizeof rel),
                        "text/javascript; charset=utf-8");
    assert_string_equal(rel, "js/app.js");
}

static void test_csrf_rule(void **state)
{
    const char *j = "application/json";
    assert_false(ts_server_csrf_ok(NULL, NULL, NULL, NULL, NULL, 0, false));
    assert_false(ts_server_csrf_ok("POST", "cross-site", NULL, "h", j, 2, false));
    assert_false(ts_server_csrf_ok("POST", "same-site", NULL, "h", j, 2, false));
    assert_false(ts_server_csrf_ok("POST", "none", NULL, "h", j, 2, false));
    assert_false(ts_server_csrf_ok("POST", NULL, NULL, "h:1", j, 2, false));
    assert_false(ts_server_csrf_ok("POST", NULL, "https://evil.example", "h:1", j, 2, false));
    assert_false(ts_server_csrf_ok("POST", NULL, "http://h:1", "h:1", j, 2, false));
    assert_false(ts_server_csrf_ok("POST", NULL, "https://h:1", NULL, j, 2, false));
    assert_false(ts_server_csrf_ok("POST", "same-origin", NULL, "h", "text/plain", 2, false));
    assert_false(ts_server_csrf_ok("POST", "same-origin", NULL, "h",
                                   "application/x-www-form-urlencoded", 2, false));
    assert_false(
        ts_server_csrf_ok("POST", "same-origin", NULL, "h", "application/jsonx", 2, false));
    assert_false(ts_server_csrf_ok("POST", "same-origin", NULL, "h", NULL, 0, false));
    assert_false(ts_server_csrf_ok("DELETE", "same-origin", NULL, "h", "text/plain", 3, false));
    assert_true(ts_server_csrf_ok("GET", "cross-site", "https://evil", "h", NULL, 0, false));
    assert_true(ts_server_csrf_ok("HEAD", NULL, NULL, NULL, NULL, 0, false));
    assert_true(ts_server_csrf_ok("POST", "same-origin", "https://evil", "h", j, 2, false));
    assert_true(ts_server_csrf_ok("POST", NULL, "https://h:1", "h:1",
                                  "application/json; charset=utf-8", 2, false));
    assert_true(ts_server_csrf_ok("DELETE", "same-origin", NULL, "h", NULL, 0, false));
    /* The public form: its body type only where the route takes a form, and
     * never from another origin. */
    const char *f = "application/x-www-form-urlencoded";
    assert_true(ts_server_csrf_ok("POST", "same-origin", NULL, "h", f, 70, true));
    assert_false(ts_server_csrf_ok("POST", "cross-site", NULL, "h", f, 70, true));
    assert_false(ts_server_csrf_ok("POST", "same-origin", NULL, "h", "text/plain", 70, true));
    assert_false(ts_server_csrf_ok("POST", "same-origin", NULL, "h", f, 70, false));
    assert_true(ts_api_public_form("POST", "/public/verify"));
    assert_false(ts_api_public_form("GET", "/public/verify"));
    assert_false(ts_api_public_form("POST", "/public/verify/"));
}

static void test_reason_names(void **state)
{
    assert_string_equal(ts_peer_reason_name(TS_PEER_OK), "ok");
    assert_string_equal(ts_peer_reason_name((ts_peer_reason_t)999), "unknown_reason");
    /* Distinct names: the log must tell the refusals apart. */
    for (int a = 0; a <= TS_PEER_STORE_ERROR; a++)
        for (int b = a + 1; b <= TS_PEER_STORE_ERROR; b++)
            assert_string_not_equal(ts_peer_reason_name((ts_peer_reason_t)a),
                                    ts_peer_reason_name((ts_peer_reason_t)b));
}

/* In-process chain checks: garbage, too long a chain, no certificate. */
static void test_verify_chain_inputs(void **state)
{
    ts_peer_trust_t *t;
    char err[256];
    assert_int_equal(ts_peer_trust_open("/nonexistent-dir", &t, err, sizeof err), TS_ENOENT);
    assert_int_equal(ts_peer_trust_open(F.ca, &t, err, sizeof err), 0);
    char fp[TS_FINGERPRINT_HEX + 1];
    assert_int_equal(ts_peer_verify_chain(t, NULL, 0, time(NULL), fp), TS_PEER_NO_CERT);
    gnutls_datum_t junk[3] = {
        {(unsigned char *)"junk", 4}, {(unsigned char *)"x", 1}, {(unsigned char *)"y", 1}};
    assert_int_equal(ts_peer_verify_chain(t, junk, 1, time(NULL), fp), TS_PEER_BAD_CERT);
    assert_int_equal(strlen(fp), TS_FINGERPRINT_HEX);
    assert_int_equal(ts_peer_verify_chain(t, junk, 3, time(NULL), fp), TS_PEER_CHAIN_TOO_LONG);
    /* The good certificate verifies in-process too, and is identified. */
    size_t n;
    char *pem = tt_read_file(F.good.pem, &n);
    gnutls_datum_t in = {(unsigned char *)pem, (unsigned)n}, der;
    assert_int_equal(gnutls_pem_base64_decode2("CERTIFICATE", &in, &der), 0);
    assert_int_equal(ts_peer_verify_chain(t, &der, 1, time(NULL), fp), TS_PEER_OK);
    assert_string_equal(fp, F.good.fp);
    /* The caller's clock counts: 400 days on, the CRL is out of date. */
    assert_int_equal(ts_peer_verify_chain(t, &der, 1, time(NULL) + 400 * 86400, fp),
                     TS_PEER_CRL_OUT_OF_DATE);
    ts_principal_t who;
    assert_int_equal(ts_peer_identify(F.st, fp, &who), TS_PEER_OK);
    assert_string_equal(who.site, "uni-a");
    assert_false(who.csirt);
    assert_int_equal(ts_peer_identify(F.st, "zz", &who), TS_PEER_UNKNOWN_FINGERPRINT);
    assert_int_equal(ts_peer_identify(F.st, F.unknown.fp, &who), TS_PEER_UNKNOWN_FINGERPRINT);
    gnutls_free(der.data);
    free(pem);
    ts_peer_trust_close(t);
}

/* ---- Over TLS ------------------------------------------------------------------------ */

static void test_no_certificate_refused(void **state)
{
    expect_refused(NULL, "no_certificate");
    /* The web interface too. */
    hresp_t r;
    get(NULL, "/", &r);
    assert_int_equal(r.status, 403);
    hresp_free(&r);
}

static void test_other_ca_refused(void **state)
{
    expect_refused(&F.other, "unknown_issuer");
}

static void test_self_signed_refused(void **state)
{
    expect_refused(&F.selfsig, "self_signed");
}

static void test_expired_refused(void **state)
{
    expect_refused(&F.expired, "expired");
}

static void test_not_yet_valid_refused(void **state)
{
    expect_refused(&F.future, "not_yet_valid");
}

static void test_no_client_auth_refused(void **state)
{
    expect_refused(&F.noeku, "no_client_auth_eku");
    expect_refused(&F.no_eku_ext, "no_client_auth_eku");
    expect_refused(&F.server_eku, "no_client_auth_eku");
}

static void test_unknown_fingerprint_refused(void **state)
{
    expect_refused(&F.unknown, "unknown_fingerprint");
}

static void test_valid_certificate(void **state)
{
    hresp_t r;
    get(&F.good, "/api/v1/me", &r);
    if (r.status != 200)
        fail_msg("status %d\n%s", r.status, r.raw ? r.raw : "");
    assert_non_null(strstr(r.body, "\"site\":\"uni-a\""));
    assert_non_null(strstr(r.body, F.good.fp));
    hresp_free(&r);
    get(&F.csirt, "/api/v1/me", &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"csirt\":true"));
    hresp_free(&r);
}

static void test_registry_revoked_refused(void **state)
{
    expect_ok(&F.regrev);
    /* Revoked in the registry only, the CRL not yet rewritten: refused at once. */
    must(ts_store_cert_revoke(F.st, F.regrev.fp, ts_time_now()), "revoke");
    expect_refused(&F.regrev, "revoked_registry");
}

static void test_crl_revoked_refused_live(void **state)
{
    expect_ok(&F.crlrev);
    char cmd[9000], *out = NULL;
    snprintf(cmd, sizeof cmd, "'%s' --db '%s' cert revoke %s --ca '%s' 2>&1", TS_TOCSIN_BIN, F.db,
             F.crlrev.serial, F.ca);
    int rc = tt_run(cmd, &out);
    if (rc != 0)
        fail_msg("cert revoke: exit %d: %s", rc, out ? out : "");
    free(out);
    /* The CRL, checked in the chain, is the reason, not the registry. */
    assert_int_equal(wait_reason(&F.crlrev, "revoked_crl"), 0);
    expect_refused(&F.crlrev, "revoked_crl");
    expect_ok(&F.good);
}

static void test_removed_site_refused(void **state)
{
    expect_ok(&F.gone);
    char cmd[9000], *out = NULL;
    snprintf(cmd, sizeof cmd, "'%s' --db '%s' site remove uni-gone 2>&1", TS_TOCSIN_BIN, F.db);
    int rc = tt_run(cmd, &out);
    if (rc != 0)
        fail_msg("site remove: exit %d: %s", rc, out ? out : "");
    free(out);
    expect_refused(&F.gone, "site_removed");
}

static void test_tls_versions(void **state)
{
    hresp_t r;
    char req[256];
    snprintf(req, sizeof req,
             "GET /api/v1/me HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    /* The same client succeeds with TLS 1.2 and 1.3 ... */
    exchange("NORMAL:-VERS-ALL:+VERS-TLS1.2", &F.good, req, &r);
    assert_int_equal(r.status, 200);
    hresp_free(&r);
    exchange("NORMAL:-VERS-ALL:+VERS-TLS1.3", &F.good, req, &r);
    assert_int_equal(r.status, 200);
    hresp_free(&r);
    /* ... and fails the handshake with TLS 1.1 or 1.0, */
    exchange("NORMAL:-VERS-ALL:+VERS-TLS1.1", &F.good, req, &r);
    assert_int_equal(r.status, -1);
    hresp_free(&r);
    exchange("NORMAL:-VERS-ALL:+VERS-TLS1.0", &F.good, req, &r);
    assert_int_equal(r.status, -1);
    hresp_free(&r);
    /* and with TLS 1.2 CBC suites or RSA key exchange only. */
    exchange("NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+AES-128-CBC:+AES-256-CBC", &F.good, req,
             &r);
    assert_int_equal(r.status, -1);
    hresp_free(&r);
}

static void test_health_without_certificate(void **state)
{
    hresp_t r;
    get(NULL, "/api/v1/health", &r);
    if (r.status != 200)
        fail_msg("status %d\n%s", r.status, r.raw ? r.raw : "");
    assert_non_null(strstr(r.body, "\"status\":\"ok\""));
    /* No data: no site, no event, no fingerprint. */
    assert_null(strstr(r.body, "uni-a"));
    assert_null(strstr(r.body, "event"));
    assert_null(strstr(r.body, "fingerprint"));
    hresp_free(&r);
    /* Only GET/HEAD of exactly that path are public. */
    get(NULL, "/api/v1/health/", &r);
    assert_int_equal(r.status, 403);
    hresp_free(&r);
    get(NULL, "/api/v1/openapi.json", &r);
    assert_int_equal(r.status, 200);
    hresp_free(&r);
    /* The published pages need no certificate (an unknown one is a plain
     * 404); a path that only starts like them is not published. */
    get(NULL, "/public/no-such-page", &r);
    assert_int_equal(r.status, 404);
    hresp_free(&r);
    get(NULL, "/publicity", &r);
    assert_int_equal(r.status, 403);
    hresp_free(&r);
    /* The confirmation page's form: posted from the page itself it reaches
     * the handler (an unknown token: 404), from another site it does not. */
    char token[80], req[1024];
    memset(token, 'a', 64);
    token[64] = '\0';
    const char *sites[] = {"same-origin", "cross-site"};
    const int want[] = {404, 403};
    for (int i = 0; i < 2; i++) {
        snprintf(req, sizeof req,
                 "POST /public/verify HTTP/1.1\r\nHost: localhost:%u\r\nConnection: close\r\n"
                 "Sec-Fetch-Site: %s\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                 "Content-Length: 70\r\n\r\ntoken=%s",
                 F.port, sites[i], token);
        exchange(NULL, NULL, req, &r);
        if (r.status != want[i])
            fail_msg("%s form post: status %d\n%s", sites[i], r.status, r.raw ? r.raw : "");
        hresp_free(&r);
    }
}

static void test_response_headers(void **state)
{
    static const char *const want[][2] = {
        {"Content-Security-Policy",
         "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
         "connect-src 'self'; font-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
         "form-action 'self'"},
        {"Strict-Transport-Security", "max-age=63072000; includeSubDomains"},
        {"X-Content-Type-Options", "nosniff"},
        {"Referrer-Policy", "no-referrer"},
        {"Cross-Origin-Opener-Policy", "same-origin"},
        {"Cross-Origin-Resource-Policy", "same-origin"},
    };
    const char *paths[] = {"/api/v1/me", "/", "/missing.html", "/api/v1/nope"};
    const cert_t *certs[] = {&F.good, &F.good, &F.good, &F.good};
    char v[1024];
    for (size_t i = 0; i < 4; i++) {
        hresp_t r;
        get(certs[i], paths[i], &r);
        assert_true(r.status > 0);
        for (size_t k = 0; k < 6; k++) {
            if (hdr(&r, want[k][0], v, sizeof v) == NULL)
                fail_msg("%s: no %s", paths[i], want[k][0]);
            assert_string_equal(v, want[k][1]);
        }
        assert_null(strstr(r.raw, "unsafe-inline"));
        assert_null(strstr(r.raw, "unsafe-eval"));
        if (strncmp(paths[i], "/api/", 5) == 0) {
            assert_non_null(hdr(&r, "Cache-Control", v, sizeof v));
            assert_string_equal(v, "no-store");
        }
        hresp_free(&r);
    }
    /* Refusals carry them too. */
    hresp_t r;
    get(NULL, "/api/v1/me", &r);
    assert_non_null(hdr(&r, "Content-Security-Policy", v, sizeof v));
    assert_non_null(hdr(&r, "Cache-Control", v, sizeof v));
    assert_string_equal(v, "no-store");
    hresp_free(&r);
}

static void post(const cert_t *cert, const char *path, const char *extra, const char *body,
                 hresp_t *out)
{
    char req[4096];
    snprintf(req, sizeof req,
             "POST %s HTTP/1.1\r\nHost: localhost:%u\r\nConnection: close\r\n%s"
             "Content-Length: %zu\r\n\r\n%s",
             path, F.port, extra, strlen(body), body);
    exchange(NULL, cert, req, out);
}

static void test_csrf_refused(void **state)
{
    const char *body = "{\"spec\":\"cpe:2.3:a:vendor:product:1.0:*:*:*:*:*:*:*\"}";
    char origin[128];
    hresp_t r;
    post(&F.good, "/api/v1/platforms",
         "Origin: https://evil.example\r\nContent-Type: application/json\r\n", body, &r);
    assert_int_equal(r.status, 403);
    assert_non_null(strstr(r.body, "\"code\":\"forbidden\""));
    hresp_free(&r);
    post(&F.good, "/api/v1/platforms",
         "Sec-Fetch-Site: cross-site\r\nContent-Type: application/json\r\n", body, &r);
    assert_int_equal(r.status, 403);
    hresp_free(&r);
    post(&F.good, "/api/v1/platforms", "Content-Type: application/json\r\n", body, &r);
    assert_int_equal(r.status, 403); /* neither header: refused */
    hresp_free(&r);
    post(&F.good, "/api/v1/platforms",
         "Sec-Fetch-Site: same-origin\r\nContent-Type: text/plain\r\n", body, &r);
    assert_int_equal(r.status, 403);
    hresp_free(&r);
    /* Same origin with JSON passes the server's check (the API decides the rest). */
    post(&F.good, "/api/v1/platforms",
         "Sec-Fetch-Site: same-origin\r\nContent-Type: application/json\r\n", body, &r);
    assert_int_not_equal(r.status, 403);
    assert_true(r.status > 0);
    hresp_free(&r);
    snprintf(origin, sizeof origin,
             "Origin: https://localhost:%u\r\nContent-Type: application/json\r\n", F.port);
    post(&F.good, "/api/v1/platforms", origin, "{\"spec\":\"x\"}", &r);
    assert_int_not_equal(r.status, 403);
    hresp_free(&r);
    /* Without a certificate, a same-origin POST is still refused. */
    post(NULL, "/api/v1/platforms",
         "Sec-Fetch-Site: same-origin\r\nContent-Type: application/json\r\n", body, &r);
    assert_int_equal(r.status, 403);
    hresp_free(&r);
}

static void test_body_limit(void **state)
{
    /* Content-Length over the limit: refused on the headers, before the body. */
    char req[1024];
    snprintf(req, sizeof req,
             "POST /api/v1/platforms HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
             "Sec-Fetch-Site: same-origin\r\nContent-Type: application/json\r\n"
             "Content-Length: %u\r\n\r\n{\"spec\":",
             TS_SERVER_BODY_MAX + 1);
    hresp_t r;
    exchange(NULL, &F.good, req, &r);
    assert_int_equal(r.status, 413);
    assert_non_null(strstr(r.body, "payload_too_large"));
    hresp_free(&r);
    /* A chunked body has no length: it is read to its end, then refused. */
    size_t chunk = 16384, chunks = TS_SERVER_BODY_MAX / chunk + 1;
    size_t cap = 512 + chunks * (chunk + 16);
    char *big = malloc(cap);
    size_t o = (size_t)snprintf(big, cap,
                                "POST /api/v1/platforms HTTP/1.1\r\nHost: localhost\r\n"
                                "Connection: close\r\nSec-Fetch-Site: same-origin\r\n"
                                "Content-Type: application/json\r\n"
                                "Transfer-Encoding: chunked\r\n\r\n");
    for (size_t i = 0; i < chunks; i++) {
        o += (size_t)sprintf(big + o, "%zx\r\n", chunk);
        memset(big + o, ' ', chunk);
        o += chunk;
        o += (size_t)sprintf(big + o, "\r\n");
    }
    o += (size_t)sprintf(big + o, "0\r\n\r\n");
    exchange(NULL, &F.good, big, &r);
    assert_int_equal(r.status, 413);
    hresp_free(&r);
    free(big);
    /* Just under the limit is read and handed on. */
    big = malloc(TS_SERVER_BODY_MAX + 512);
    o = (size_t)snprintf(big, 512,
                         "POST /api/v1/platforms HTTP/1.1\r\nHost: localhost\r\n"
                         "Connection: close\r\nSec-Fetch-Site: same-origin\r\n"
                         "Content-Type: application/json\r\nContent-Length: %u\r\n\r\n",
                         TS_SERVER_BODY_MAX);
    memset(big + o, ' ', TS_SERVER_BODY_MAX);
    big[o + TS_SERVER_BODY_MAX] = '\0';
    exchange(NULL, &F.good, big, &r);
    assert_true(r.status > 0);
    assert_int_not_equal(r.status, 413);
    hresp_free(&r);
    free(big);
}

static void test_static_files(void **state)
{
    hresp_t r;
    char v[256];
    get(&F.good, "/", &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "<!doctype html>"));
    assert_string_equal(hdr(&r, "Content-Type", v, sizeof v), "text/html; charset=utf-8");
    assert_string_equal(hdr(&r, "Cache-Control", v, sizeof v), "no-cache");
    char etag[256];
    assert_non_null(hdr(&r, "ETag", etag, sizeof etag));
    hresp_free(&r);
    char req[1024];
    snprintf(req, sizeof req,
             "GET / HTTP/1.1\r\nHost: localhost\r\nIf-None-Match: %s\r\nConnection: close\r\n\r\n",
             etag);
    exchange(NULL, &F.good, req, &r);
    assert_int_equal(r.status, 304);
    hresp_free(&r);
    get(&F.good, "/app.0123abcd.js", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(hdr(&r, "Cache-Control", v, sizeof v),
                        "public, max-age=31536000, immutable");
    hresp_free(&r);
    /* HEAD: headers, no body. */
    exchange(NULL, &F.good,
             "HEAD /index.html HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "");
    hresp_free(&r);
    exchange(NULL, &F.good,
             "HEAD /api/v1/me HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "");
    hresp_free(&r);
    const char *refused[] = {
        "/.secret.txt", "/link.txt",     "/../outside.txt", "/%2e%2e/outside.txt",
        "/notes.xyz",   "/missing.html", "/web/",           "/index.html%00.js"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        get(&F.good, refused[i], &r);
        if (r.status != 404)
            fail_msg("%s: status %d", refused[i], r.status);
        assert_non_null(strstr(r.body, "\"code\":\"not_found\""));
        assert_null(strstr(r.body, "outside the root"));
        hresp_free(&r);
    }
    post(&F.good, "/index.html",
         "Sec-Fetch-Site: same-origin\r\nContent-Type: application/json\r\n", "{}", &r);
    assert_int_equal(r.status, 405);
    hresp_free(&r);
}

static void test_crl_bad_signature_refuses_all(void **state)
{
    /* A CRL signed by another CA's key, in our CA's directory. */
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", F.ca2, TS_CA_CRL_FILE);
    size_t n;
    char *pem = tt_read_file(path, &n);
    assert_non_null(pem);
    gnutls_datum_t d = {(unsigned char *)pem, (unsigned)n};
    replace_crl(&d);
    free(pem);
    assert_int_equal(wait_reason(&F.good, "crl_bad_signature"), 0);
    expect_refused(&F.csirt, "crl_bad_signature");
}

static void test_crl_out_of_date_refuses_all(void **state)
{
    gnutls_x509_crl_t crl;
    assert_int_equal(gnutls_x509_crl_init(&crl), 0);
    time_t now = time(NULL);
    assert_int_equal(gnutls_x509_crl_set_version(crl, 2), 0);
    assert_int_equal(gnutls_x509_crl_set_this_update(crl, now - 7200), 0);
    assert_int_equal(gnutls_x509_crl_set_next_update(crl, now - 3600), 0);
    assert_int_equal(gnutls_x509_crl_sign2(crl, F.ca_crt, F.ca_key, GNUTLS_DIG_SHA256, 0), 0);
    gnutls_datum_t d;
    assert_int_equal(gnutls_x509_crl_export2(crl, GNUTLS_X509_FMT_PEM, &d), 0);
    replace_crl(&d);
    gnutls_free(d.data);
    gnutls_x509_crl_deinit(crl);
    assert_int_equal(wait_reason(&F.good, "crl_out_of_date"), 0);
    expect_refused(&F.csirt, "crl_out_of_date");
}

static void test_crl_missing_refuses_all(void **state)
{
    char path[4200], aside[4300];
    snprintf(path, sizeof path, "%s/%s", F.ca, TS_CA_CRL_FILE);
    snprintf(aside, sizeof aside, "%s.aside", path);
    assert_int_equal(rename(path, aside), 0);
    assert_int_equal(wait_reason(&F.good, "crl_missing"), 0);
    expect_refused(&F.csirt, "crl_missing");
    /* Health still answers: it needs no certificate. */
    hresp_t r;
    get(NULL, "/api/v1/health", &r);
    assert_int_equal(r.status, 200);
    hresp_free(&r);
    /* Garbage where the CRL should be. */
    assert_int_equal(tt_write_file(path, "not a CRL\n", 10), 0);
    assert_int_equal(wait_reason(&F.good, "crl_unparsable"), 0);
    /* The old file back: served again without a restart. */
    assert_int_equal(rename(aside, path), 0);
    assert_int_equal(wait_status(&F.good, 200), 0);
}

static void test_sighup_reloads(void **state)
{
    /* A reload on SIGHUP, without any file change, keeps serving. */
    assert_false(log_has("SIGHUP: reloading"));
    assert_int_equal(kill(F.pid, SIGHUP), 0);
    for (int i = 0; i < 50 && !log_has("SIGHUP: reloading"); i++)
        usleep(100000);
    assert_true(log_has("SIGHUP: reloading"));
    expect_ok(&F.good);
}

static void test_sigterm_exits_zero(void **state)
{
    assert_int_equal(kill(F.pid, SIGTERM), 0);
    int st = 0;
    assert_int_equal(waitpid(F.pid, &st, 0), F.pid);
    F.pid = 0;
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
    assert_true(log_has("serving https://127.0.0.1:"));
}

static void test_refuses_to_start_without_crl(void **state)
{
    char cmd[9000], *out = NULL;
    char path[4200], aside[4300];
    snprintf(path, sizeof path, "%s/%s", F.ca, TS_CA_CRL_FILE);
    snprintf(aside, sizeof aside, "%s.aside", path);
    assert_int_equal(rename(path, aside), 0);
    snprintf(cmd, sizeof cmd, "'%s' --db '%s' serve --listen 127.0.0.1:0 --ca '%s' 2>&1",
             TS_TOCSIN_BIN, F.db, F.ca);
    int rc = tt_run(cmd, &out);
    assert_int_equal(rc, 1);
    assert_non_null(out);
    assert_non_null(strstr(out, "crl.pem"));
    free(out);
    assert_int_equal(rename(aside, path), 0);
    snprintf(cmd, sizeof cmd, "'%s' --db '%s' serve --listen 127.0.0.1 2>&1", TS_TOCSIN_BIN, F.db);
    assert_int_equal(tt_run(cmd, NULL), 2);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN); /* a server closing early must fail a test, not kill it */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_listen_parse),
        cmocka_unit_test(test_static_path),
        cmocka_unit_test(test_csrf_rule),
        cmocka_unit_test(test_reason_names),
        cmocka_unit_test(test_verify_chain_inputs),
        cmocka_unit_test(test_no_certificate_refused),
        cmocka_unit_test(test_other_ca_refused),
        cmocka_unit_test(test_self_signed_refused),
        cmocka_unit_test(test_expired_refused),
        cmocka_unit_test(test_not_yet_valid_refused),
        cmocka_unit_test(test_no_client_auth_refused),
        cmocka_unit_test(test_unknown_fingerprint_refused),
        cmocka_unit_test(test_valid_certificate),
        cmocka_unit_test(test_registry_revoked_refused),
        cmocka_unit_test(test_crl_revoked_refused_live),
        cmocka_unit_test(test_removed_site_refused),
        cmocka_unit_test(test_tls_versions),
        cmocka_unit_test(test_health_without_certificate),
        cmocka_unit_test(test_response_headers),
        cmocka_unit_test(test_csrf_refused),
        cmocka_unit_test(test_body_limit),
        cmocka_unit_test(test_static_files),
        cmocka_unit_test_teardown(test_crl_bad_signature_refuses_all, crl_teardown),
        cmocka_unit_test_teardown(test_crl_out_of_date_refuses_all, crl_teardown),
        cmocka_unit_test_teardown(test_crl_missing_refuses_all, crl_teardown),
        cmocka_unit_test(test_sighup_reloads),
        cmocka_unit_test(test_sigterm_exits_zero),
        cmocka_unit_test(test_refuses_to_start_without_crl),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
