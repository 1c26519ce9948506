/* SPDX-License-Identifier: Apache-2.0 */
#include "scan/probe.h"

#include <errno.h>
#include <fcntl.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/mem.h"
#include "scan/engine_int.h"
#include "scan/udp.h"

#define QUIET_MS 300 /* once an answer has begun, how long a pause ends it */

void ts_probe_opts_init(ts_probe_opts_t *o)
{
    memset(o, 0, sizeof *o);
    o->wait_ms = 3000;
    o->connect_ms = 3000;
    o->max_bytes = 16384;
    snprintf(o->user_agent, sizeof o->user_agent, "tocsin");
}

static bool cancelled(const ts_probe_opts_t *o)
{
    return o->cancel && atomic_load(o->cancel);
}

/* ---- Plain TCP I/O with deadlines ------------------------------------------------------ */

static int wait_fd(int fd, short ev, int64_t deadline)
{
    for (;;) {
        int64_t left = deadline - eng_now_us();
        if (left <= 0)
            return 0;
        struct pollfd p = {.fd = fd, .events = ev};
        int r = poll(&p, 1, (int)((left + 999) / 1000));
        if (r < 0 && errno == EINTR)
            continue;
        return r;
    }
}

/* A connected socket (blocking, with send and receive timeouts of wait_ms as
 * a last bound), or -1. */
static int dial(const ts_ip_t *ip, uint16_t port, const ts_probe_opts_t *o)
{
    int fd = socket(ip->family == TS_AF_INET ? AF_INET : AF_INET6,
                    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_storage ss;
    socklen_t sl = eng_sockaddr(ip, port, &ss);
    int64_t deadline = eng_now_us() + (int64_t)o->connect_ms * 1000;
    if (connect(fd, (struct sockaddr *)&ss, sl) != 0) {
        int err = 0;
        socklen_t el = sizeof err;
        if (errno != EINPROGRESS || wait_fd(fd, POLLOUT, deadline) <= 0 ||
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) != 0 || err != 0) {
            close(fd);
            return -1;
        }
    }
    struct timeval tv = {.tv_sec = o->wait_ms / 1000, .tv_usec = (o->wait_ms % 1000) * 1000};
    (void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    (void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    return fd;
}

static bool send_all(int fd, const void *p, size_t n, int64_t deadline)
{
    const uint8_t *b = p;
    while (n > 0) {
        ssize_t w = send(fd, b, n, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w > 0) {
            b += w;
            n -= (size_t)w;
            continue;
        }
        if (w < 0 && errno != EAGAIN && errno != EINTR)
            return false;
        if (wait_fd(fd, POLLOUT, deadline) <= 0)
            return false;
    }
    return true;
}

/* Reads into buf until max bytes, the end of the stream, the deadline, or a
 * pause of QUIET_MS once data has come. Returns the bytes read. */
static size_t read_answer(int fd, uint8_t *buf, size_t max, int64_t deadline)
{
    size_t n = 0;
    while (n < max) {
        int64_t until = deadline;
        if (n > 0) {
            int64_t quiet = eng_now_us() + QUIET_MS * 1000;
            until = quiet < deadline ? quiet : deadline;
        }
        if (wait_fd(fd, POLLIN, until) <= 0)
            break;
        ssize_t r = recv(fd, buf + n, max - n, MSG_DONTWAIT);
        if (r > 0)
            n += (size_t)r;
        else if (r == 0 || (errno != EAGAIN && errno != EINTR))
            break;
    }
    return n;
}

/* ---- The probes' bytes ------------------------------------------------------------------ */

enum kind { K_NULL, K_HTTP, K_TLS, K_REDIS, K_MEMCACHED, K_MONGO, K_RDP, K_SMB, K_DNS, K_COUNT };

static const uint8_t redis_info[] = "*2\r\n$4\r\nINFO\r\n$6\r\nserver\r\n";
static const uint8_t memcached_version[] = "version\r\n";

static const uint8_t mongo_buildinfo[] = {
    56,   0,   0,   0,   0x74, 0x73, 0,   0,   0,   0,   0,   0,   0xdd, 0x07, 0,
    0,                 /* header, OP_MSG */
    0,    0,   0,   0, /* flagBits */
    0,                 /* section kind 0 */
    35,   0,   0,   0, /* the document */
    0x10, 'b', 'u', 'i', 'l',  'd',  'I', 'n', 'f', 'o', 0,   1,   0,    0,    0, /* buildInfo: 1 */
    0x02, '$', 'd', 'b', 0,    6,    0,   0,   0,   'a', 'd', 'm', 'i',  'n',  0, /* $db: "admin" */
    0,
};

static const uint8_t rdp_cr[] = {
    0x03, 0x00, 0x00, 0x13,                         /* TPKT, 19 bytes */
    0x0e, 0xe0, 0x00, 0x00, 0x00, 0x00, 0x00,       /* X.224 Connection Request */
    0x01, 0x00, 0x08, 0x00, 0x03, 0x00, 0x00, 0x00, /* RDP_NEG_REQ: TLS | CredSSP */
};

static const uint8_t smb2_negotiate[] = {
    0x00, 0x00, 0x00, 108,                                            /* NetBIOS session message */
    0xfe, 'S',  'M',  'B',  64,   0,    0,    0,    0, 0, 0, 0, 0, 0, /* protocol, size, credit,
                                                                         status */
    0,    0,    1,    0,    0,    0,    0,    0,    0, 0, 0, 0, /* NEGOTIATE, 1 credit, flags, next
                                                                 */
    0,    0,    0,    0,    0,    0,    0,    0,    0, 0, 0, 0, 0, 0, 0,
    0,                                                          /* message id, process id */
    0,    0,    0,    0,    0,    0,    0,    0,    0, 0, 0, 0, /* tree id, session id */
    0,    0,    0,    0,    0,    0,    0,    0,    0, 0, 0, 0, 0, 0, 0,
    0,                                                          /* signature */
    36,   0,    4,    0,    1,    0,    0,    0,    0, 0, 0, 0, /* size, 4 dialects, signing enabled
                                                                 */
    't',  'o',  'c',  's',  'i',  'n',  0,    0,    0, 0, 0, 0, 0, 0, 0,
    0,                                              /* client GUID */
    0,    0,    0,    0,    0,    0,    0,    0,    /* client start time */
    0x02, 0x02, 0x10, 0x02, 0x00, 0x03, 0x02, 0x03, /* 2.0.2, 2.1, 3.0, 3.0.2 */
};

static bool http_port(uint16_t p)
{
    static const uint16_t ports[] = {80,   81,   443,  591,  3000, 4443, 5000,  5601,  5984, 5985,
                                     5986, 6443, 7001, 7474, 8000, 8008, 8080,  8081,  8086, 8088,
                                     8443, 8888, 9000, 9090, 9200, 9443, 10000, 10250, 15672};
    for (size_t i = 0; i < sizeof ports / sizeof ports[0]; i++)
        if (ports[i] == p)
            return true;
    return false;
}

static bool tls_port(uint16_t p)
{
    static const uint16_t ports[] = {443,  465,  636,  853,  990,  992,  993,  995,  2376,
                                     3269, 4443, 5061, 5986, 6443, 8443, 8883, 9443, 10250};
    for (size_t i = 0; i < sizeof ports / sizeof ports[0]; i++)
        if (ports[i] == p)
            return true;
    return false;
}

/* The probes for a port, in order; the generic ones follow when these say nothing. */
static size_t plan(uint16_t port, enum kind *k)
{
    size_t n = 0;
    switch (port) {
    case 6379:
        k[n++] = K_REDIS;
        break;
    case 11211:
        k[n++] = K_MEMCACHED;
        break;
    case 27017:
    case 27018:
        k[n++] = K_MONGO;
        break;
    case 3389:
        k[n++] = K_RDP;
        break;
    case 139:
    case 445:
        k[n++] = K_SMB;
        break;
    case 53:
        k[n++] = K_DNS;
        break;
    default:
        if (tls_port(port))
            k[n++] = K_TLS;
        else if (http_port(port))
            k[n++] = K_HTTP;
    }
    static const enum kind generic[] = {K_NULL, K_HTTP, K_TLS};
    for (size_t g = 0; g < 3; g++) {
        bool have = false;
        for (size_t i = 0; i < n; i++)
            have |= k[i] == generic[g];
        if (!have)
            k[n++] = generic[g];
    }
    return n;
}

static void http_request(const ts_ip_t *ip, const ts_probe_opts_t *o, char *out, size_t size)
{
    char host[TS_IP_STRLEN + 2];
    char a[TS_IP_STRLEN];
    ts_ip_format(ip, a, sizeof a);
    snprintf(host, sizeof host, ip->family == TS_AF_INET6 ? "[%s]" : "%s", a);
    snprintf(out, size,
             "GET / HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\nAccept: */*\r\nConnection: "
             "close\r\n\r\n",
             host, o->user_agent);
}

/* One plain probe: connect, send (nothing for K_NULL), read, recognise. */
static bool plain(const ts_probe_job_t *j, enum kind k, const ts_probe_opts_t *o, uint8_t *buf,
                  ts_service_t *svc, bool *tls_hint)
{
    int fd = dial(&j->ip, j->port, o);
    if (fd < 0)
        return false;
    int64_t deadline = eng_now_us() + (int64_t)o->wait_ms * 1000;
    char req[TS_PROBE_UA_MAX + 160];
    const void *msg = NULL;
    size_t len = 0;
    uint8_t dns[64];
    switch (k) {
    case K_HTTP:
        http_request(&j->ip, o, req, sizeof req);
        msg = req;
        len = strlen(req);
        break;
    case K_REDIS:
        msg = redis_info;
        len = sizeof redis_info - 1;
        break;
    case K_MEMCACHED:
        msg = memcached_version;
        len = sizeof memcached_version - 1;
        break;
    case K_MONGO:
        msg = mongo_buildinfo;
        len = sizeof mongo_buildinfo;
        break;
    case K_RDP:
        msg = rdp_cr;
        len = sizeof rdp_cr;
        break;
    case K_SMB:
        msg = smb2_negotiate;
        len = sizeof smb2_negotiate;
        break;
    case K_DNS: {
        const ts_udp_probe_t *d = ts_udp_probe_for(53);
        dns[0] = 0;
        dns[1] = (uint8_t)d->len;
        memcpy(dns + 2, d->payload, d->len);
        msg = dns;
        len = d->len + 2;
        break;
    }
    default:
        break;
    }
    bool ok = false;
    if (len == 0 || send_all(fd, msg, len, deadline)) {
        size_t n = read_answer(fd, buf, o->max_bytes, deadline);
        if (n > 0) {
            ts_service_t s = *svc;
            if (ts_svc_recognise(j->port, buf, n, &s)) {
                /* nginx and others answer plain HTTP on a TLS port with a 400. */
                if (strcmp(s.service, "tls") == 0 ||
                    (k == K_HTTP && memmem(buf, n, "HTTPS port", 10) != NULL))
                    *tls_hint = true;
                else
                    ok = true;
                *svc = s;
            } else if (svc->banner[0] == '\0') {
                ts_svc_clean(svc->banner, sizeof svc->banner, buf, n);
            }
        }
    }
    close(fd);
    return ok;
}

/* ---- TLS ------------------------------------------------------------------------------------- */

static int64_t gnutls_time_us(time_t t)
{
    return t == (time_t)-1 ? 0 : (int64_t)t * 1000000;
}

static void read_cert(gnutls_session_t s, ts_tls_info_t *t)
{
    unsigned n = 0;
    const gnutls_datum_t *certs = gnutls_certificate_get_peers(s, &n);
    if (certs == NULL || n == 0)
        return;
    gnutls_x509_crt_t crt;
    if (gnutls_x509_crt_init(&crt) < 0)
        return;
    if (gnutls_x509_crt_import(crt, &certs[0], GNUTLS_X509_FMT_DER) == 0) {
        gnutls_datum_t d;
        if (gnutls_x509_crt_get_dn3(crt, &d, 0) == 0) {
            ts_svc_clean(t->subject, sizeof t->subject, d.data, d.size);
            gnutls_free(d.data);
        }
        if (gnutls_x509_crt_get_issuer_dn3(crt, &d, 0) == 0) {
            ts_svc_clean(t->issuer, sizeof t->issuer, d.data, d.size);
            gnutls_free(d.data);
        }
        t->not_before = gnutls_time_us(gnutls_x509_crt_get_activation_time(crt));
        t->not_after = gnutls_time_us(gnutls_x509_crt_get_expiration_time(crt));
        for (unsigned i = 0; i < 16; i++) {
            char san[256];
            size_t sz = sizeof san;
            unsigned crit;
            int type = gnutls_x509_crt_get_subject_alt_name(crt, i, san, &sz, &crit);
            if (type < 0)
                break;
            char one[TS_IP_STRLEN + 8] = "";
            const char *v = NULL;
            if (type == GNUTLS_SAN_DNSNAME) {
                ts_svc_clean(one, sizeof one, (const uint8_t *)san, sz);
                v = one;
            } else if (type == GNUTLS_SAN_IPADDRESS && (sz == 4 || sz == 16)) {
                ts_ip_t ip = {.family = sz == 4 ? TS_AF_INET : TS_AF_INET6};
                memcpy(ip.bytes, san, sz);
                ts_ip_format(&ip, one, sizeof one);
                v = one;
            }
            if (v) {
                size_t w = strlen(t->sans);
                snprintf(t->sans + w, sizeof t->sans - w, "%s%s", w ? "," : "", v);
            }
        }
        unsigned status = 0;
        t->self_signed = gnutls_x509_crt_check_issuer(crt, crt) &&
                         gnutls_x509_crt_verify(crt, &crt, 1,
                                                GNUTLS_VERIFY_DISABLE_TIME_CHECKS |
                                                    GNUTLS_VERIFY_ALLOW_SIGN_WITH_SHA1,
                                                &status) == 0 &&
                         status == 0;
    }
    gnutls_x509_crt_deinit(crt);
}

/* A TLS session on a new connection with the given priorities. Returns the
 * socket (session established in *out) or -1. */
static int tls_open(const ts_probe_job_t *j, const ts_probe_opts_t *o, const char *prio,
                    gnutls_certificate_credentials_t cred, gnutls_session_t *out)
{
    gnutls_session_t s;
    if (gnutls_init(&s, GNUTLS_CLIENT) < 0)
        return -1;
    if (gnutls_priority_set_direct(s, prio, NULL) < 0 ||
        gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, cred) < 0) {
        gnutls_deinit(s);
        return -1;
    }
    int fd = dial(&j->ip, j->port, o);
    if (fd < 0) {
        gnutls_deinit(s);
        return -1;
    }
    int fl = fcntl(fd, F_GETFL);
    (void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    gnutls_transport_set_int(s, fd);
    gnutls_handshake_set_timeout(s, o->wait_ms);
    int r;
    do {
        r = gnutls_handshake(s);
    } while (r < 0 && !gnutls_error_is_fatal(r) && r != GNUTLS_E_TIMEDOUT && !cancelled(o));
    if (r < 0) {
        /* The server said no (an alert, a version it will not speak), or nothing. */
        gnutls_deinit(s);
        close(fd);
        return -1;
    }
    *out = s;
    return fd;
}

static void tls_close(gnutls_session_t s, int fd)
{
    gnutls_deinit(s);
    close(fd);
}

static const struct {
    uint8_t bit;
    const char *prio;
} versions[] = {
    {TS_TLS_1_0, "NORMAL:%COMPAT:-VERS-ALL:+VERS-TLS1.0"},
    {TS_TLS_1_1, "NORMAL:%COMPAT:-VERS-ALL:+VERS-TLS1.1"},
    {TS_TLS_1_2, "NORMAL:%COMPAT:-VERS-ALL:+VERS-TLS1.2"},
    {TS_TLS_1_3, "NORMAL:%COMPAT:-VERS-ALL:+VERS-TLS1.3"},
};

static bool tls(const ts_probe_job_t *j, const ts_probe_opts_t *o, uint8_t *buf, ts_service_t *svc)
{
    gnutls_certificate_credentials_t cred;
    if (gnutls_certificate_allocate_credentials(&cred) < 0)
        return false;
    gnutls_session_t s;
    int fd = tls_open(j, o, "NORMAL:%COMPAT:+VERS-TLS1.1:+VERS-TLS1.0", cred, &s);
    if (fd < 0) {
        gnutls_certificate_free_credentials(cred);
        return false;
    }
    ts_tls_info_t *t = &svc->tls;
    t->present = true;
    read_cert(s, t);
    const char *v = gnutls_protocol_get_name(gnutls_protocol_get_version(s));
    snprintf(t->negotiated, sizeof t->negotiated, "%s", v ? v : "");
    if (strcmp(svc->service, "") == 0 || strcmp(svc->service, "tls") == 0)
        snprintf(svc->service, sizeof svc->service, "tls");
    if (http_port(j->port) || strcmp(svc->service, "http") == 0) {
        char req[TS_PROBE_UA_MAX + 160];
        http_request(&j->ip, o, req, sizeof req);
        gnutls_record_set_timeout(s, o->wait_ms);
        size_t n = 0;
        int64_t deadline = eng_now_us() + (int64_t)o->wait_ms * 1000;
        ssize_t w;
        do {
            w = gnutls_record_send(s, req, strlen(req));
        } while (w < 0 && !gnutls_error_is_fatal((int)w) && eng_now_us() < deadline);
        while (w > 0 && n < o->max_bytes && eng_now_us() < deadline && !cancelled(o)) {
            ssize_t r = gnutls_record_recv(s, buf + n, o->max_bytes - n);
            if (r > 0)
                n += (size_t)r;
            else if (r == 0 || gnutls_error_is_fatal((int)r) || r == GNUTLS_E_TIMEDOUT)
                break; /* the end, an error, or the wait is over */
        }
        if (n > 0 && memcmp(buf, "HTTP/", n < 5 ? n : 5) == 0) {
            ts_service_t h = {0};
            ts_svc_http(buf, n, &h);
            snprintf(svc->service, sizeof svc->service, "%s",
                     strcmp(h.service, "http") == 0 ? "https" : h.service);
            memcpy(svc->product, h.product, sizeof svc->product);
            memcpy(svc->version, h.version, sizeof svc->version);
            memcpy(svc->info, h.info, sizeof svc->info);
            memcpy(svc->title, h.title, sizeof svc->title);
            svc->banner[0] = '\0';
            ts_svc_clean(svc->banner, sizeof svc->banner, buf, n);
        }
    }
    tls_close(s, fd);
    /* Which protocol versions the server accepts, one handshake each. */
    for (size_t i = 0; i < sizeof versions / sizeof versions[0] && !cancelled(o); i++) {
        gnutls_priority_t pc;
        if (gnutls_priority_init(&pc, versions[i].prio, NULL) < 0)
            continue; /* this build of GnuTLS cannot offer it: untested */
        gnutls_priority_deinit(pc);
        t->tested |= versions[i].bit;
        fd = tls_open(j, o, versions[i].prio, cred, &s);
        if (fd >= 0) {
            t->versions |= versions[i].bit;
            tls_close(s, fd);
        }
    }
    gnutls_certificate_free_credentials(cred);
    ts_svc_classify(svc);
    return true;
}

/* ---- NTP mode 6 --------------------------------------------------------------------------- */

static void ntp_readvar(const ts_probe_job_t *j, const ts_probe_opts_t *o, uint8_t *buf,
                        ts_service_t *svc)
{
    int fd = socket(j->ip.family == TS_AF_INET ? AF_INET : AF_INET6,
                    SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return;
    struct sockaddr_storage ss;
    socklen_t sl = eng_sockaddr(&j->ip, j->port, &ss);
    if (connect(fd, (struct sockaddr *)&ss, sl) == 0) {
        for (int attempt = 0; attempt < 2 && !cancelled(o); attempt++) {
            if (send(fd, ts_udp_ntp_readvar, sizeof ts_udp_ntp_readvar, 0) < 0)
                break;
            int64_t deadline = eng_now_us() + (int64_t)o->wait_ms * 1000 / 2;
            if (wait_fd(fd, POLLIN, deadline) <= 0)
                continue;
            ssize_t n = recv(fd, buf, o->max_bytes, 0);
            if (n > 0) {
                ts_service_t s = *svc;
                if (ts_svc_recognise_udp(j->port, buf, (size_t)n, &s))
                    *svc = s;
            }
            break;
        }
    }
    close(fd);
}

/* ---- Jobs ------------------------------------------------------------------------------------ */

void ts_probe_one(ts_probe_job_t *j, const ts_probe_opts_t *o)
{
    uint8_t *buf = ts_xmalloc(o->max_bytes ? o->max_bytes : 1);
    if (j->udp) {
        if (j->port == 123)
            ntp_readvar(j, o, buf, &j->svc);
        free(buf);
        return;
    }
    enum kind k[K_COUNT + 3];
    size_t n = plan(j->port, k);
    bool tls_hint = false;
    for (size_t i = 0; i < n && !cancelled(o); i++) {
        if (k[i] == K_TLS) {
            if (tls(j, o, buf, &j->svc))
                break;
            continue;
        }
        if (plain(j, k[i], o, buf, &j->svc, &tls_hint))
            break;
        if (tls_hint) {
            if (tls(j, o, buf, &j->svc))
                break;
            tls_hint = false;
        }
    }
    free(buf);
}

struct pool {
    ts_probe_job_t *jobs;
    size_t n;
    const ts_probe_opts_t *o;
    atomic_size_t next, done;
};

static void *worker(void *arg)
{
    struct pool *p = arg;
    for (;;) {
        size_t i = atomic_fetch_add(&p->next, 1);
        if (i >= p->n)
            return NULL;
        ts_probe_one(&p->jobs[i], p->o);
        atomic_fetch_add(&p->done, 1);
    }
}

void ts_probe_run(ts_probe_job_t *jobs, size_t n, unsigned threads, const ts_probe_opts_t *o,
                  void (*progress)(void *ctx, size_t done, size_t n), void *ctx)
{
    if (n == 0)
        return;
    if (threads < 1)
        threads = 1;
    if (threads > 256)
        threads = 256;
    if (threads > n)
        threads = (unsigned)n;
    struct pool p = {.jobs = jobs, .n = n, .o = o};
    atomic_init(&p.next, 0);
    atomic_init(&p.done, 0);
    pthread_t *t = ts_xmalloc(threads * sizeof *t);
    unsigned started = 0;
    for (unsigned i = 0; i < threads; i++)
        if (pthread_create(&t[started], NULL, worker, &p) == 0)
            started++;
    if (started == 0)
        worker(&p); /* no thread could be made: this one does the work */
    while (atomic_load(&p.done) < n && started > 0) {
        if (progress)
            progress(ctx, atomic_load(&p.done), n);
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    for (unsigned i = 0; i < started; i++)
        pthread_join(t[i], NULL);
    if (progress)
        progress(ctx, n, n);
    free(t);
}
