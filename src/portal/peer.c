/* SPDX-License-Identifier: Apache-2.0 */
#include "portal/peer.h"

#include <errno.h>
#include <fcntl.h>
#include <gnutls/x509.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/file.h"
#include "core/log.h"
#include "core/mem.h"
#include "portal/pki.h"

#define PEM_MAX (1u << 20) /* ca.pem / crl.pem larger than this are refused */
#define CHAIN_MAX 2        /* the leaf and at most the CA itself */

static const char *const reason_names[] = {
    [TS_PEER_OK] = "ok",
    [TS_PEER_NO_CERT] = "no_certificate",
    [TS_PEER_BAD_CERT] = "bad_certificate",
    [TS_PEER_CHAIN_TOO_LONG] = "chain_too_long",
    [TS_PEER_UNKNOWN_ISSUER] = "unknown_issuer",
    [TS_PEER_SELF_SIGNED] = "self_signed",
    [TS_PEER_BAD_SIGNATURE] = "bad_signature",
    [TS_PEER_EXPIRED] = "expired",
    [TS_PEER_NOT_YET_VALID] = "not_yet_valid",
    [TS_PEER_REVOKED] = "revoked_crl",
    [TS_PEER_INVALID] = "invalid_chain",
    [TS_PEER_NO_TRUST] = "ca_unavailable",
    [TS_PEER_CRL_MISSING] = "crl_missing",
    [TS_PEER_CRL_BAD] = "crl_unparsable",
    [TS_PEER_CRL_BAD_SIGNATURE] = "crl_bad_signature",
    [TS_PEER_CRL_OUT_OF_DATE] = "crl_out_of_date",
    [TS_PEER_NO_CLIENT_AUTH] = "no_client_auth_eku",
    [TS_PEER_UNKNOWN_FINGERPRINT] = "unknown_fingerprint",
    [TS_PEER_REVOKED_REGISTRY] = "revoked_registry",
    [TS_PEER_SITE_REMOVED] = "site_removed",
    [TS_PEER_STORE_ERROR] = "registry_error",
};

const char *ts_peer_reason_name(ts_peer_reason_t r)
{
    if ((unsigned)r < sizeof reason_names / sizeof reason_names[0] && reason_names[r])
        return reason_names[r];
    return "unknown_reason";
}

/* What identifies a file's content for the change check. */
typedef struct fileid {
    bool present;
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtim;
} fileid_t;

typedef struct tstate {
    atomic_uint refs;
    gnutls_x509_trust_list_t tl; /* NULL when the CA could not be loaded */
    ts_peer_reason_t refuse;     /* TS_PEER_OK when usable */
    int64_t crl_next;            /* the CRL's next update, seconds since the epoch */
    fileid_t ca_id, crl_id;
} tstate_t;

struct ts_peer_trust {
    char *ca_path;
    char *crl_path;
    pthread_mutex_t mu;        /* guards cur (taking a reference) */
    pthread_mutex_t reload_mu; /* one reload at a time */
    tstate_t *cur;
    atomic_uint_fast64_t gen;
    atomic_int_fast64_t last_check; /* monotonic seconds of the last change check */
};

static void state_unref(tstate_t *s)
{
    if (s && atomic_fetch_sub(&s->refs, 1) == 1) {
        if (s->tl)
            gnutls_x509_trust_list_deinit(s->tl, 1);
        free(s);
    }
}

static tstate_t *state_get(ts_peer_trust_t *t)
{
    pthread_mutex_lock(&t->mu);
    tstate_t *s = t->cur;
    atomic_fetch_add(&s->refs, 1);
    pthread_mutex_unlock(&t->mu);
    return s;
}

static void fileid_of(const struct stat *sb, fileid_t *id)
{
    id->present = true;
    id->dev = sb->st_dev;
    id->ino = sb->st_ino;
    id->size = sb->st_size;
    id->mtim = sb->st_mtim;
}

static bool fileid_eq(const fileid_t *a, const fileid_t *b)
{
    if (a->present != b->present)
        return false;
    if (!a->present)
        return true;
    return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
           a->mtim.tv_sec == b->mtim.tv_sec && a->mtim.tv_nsec == b->mtim.tv_nsec;
}

static void fileid_stat(const char *path, fileid_t *id)
{
    struct stat sb;
    memset(id, 0, sizeof *id);
    if (stat(path, &sb) == 0)
        fileid_of(&sb, id);
}

/* Reads a whole (small) file; the identity is taken from the descriptor read,
 * so it matches the content. \retval TS_ENOENT, TS_EIO, TS_ETOOBIG. */
static int read_small(const char *path, gnutls_datum_t *d, fileid_t *id)
{
    memset(id, 0, sizeof *id);
    d->data = NULL;
    d->size = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return errno == ENOENT ? TS_ENOENT : TS_EIO;
    struct stat sb;
    if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return TS_EIO;
    }
    if (sb.st_size <= 0 || (uint64_t)sb.st_size > PEM_MAX) {
        close(fd);
        return sb.st_size <= 0 ? TS_EIO : TS_ETOOBIG;
    }
    fileid_of(&sb, id);
    size_t n = (size_t)sb.st_size;
    unsigned char *buf = ts_xmalloc(n + 1);
    int r = ts_read_full(fd, buf, n);
    close(fd);
    if (r) {
        free(buf);
        return TS_EIO;
    }
    buf[n] = '\0';
    d->data = buf;
    d->size = (unsigned)n;
    return 0;
}

/* GnuTLS adds GNUTLS_CERT_INVALID to its time findings; dates are judged
 * below, so only the signature and issuer bits count here. */
static bool crl_status_ok(unsigned status)
{
    const unsigned timing =
        GNUTLS_CERT_REVOCATION_DATA_SUPERSEDED | GNUTLS_CERT_REVOCATION_DATA_ISSUED_IN_FUTURE;
    if (status & ~(timing | (unsigned)GNUTLS_CERT_INVALID))
        return false;
    return !(status & GNUTLS_CERT_INVALID) || (status & timing);
}

/* Checks crl_pem against the CA certificate: parses, signature, next update.
 * Time is checked at each verification, since a CRL goes out of date while
 * loaded. */
static ts_peer_reason_t check_crl(const gnutls_datum_t *crl_pem, gnutls_x509_crt_t ca,
                                  int64_t *next)
{
    gnutls_x509_crl_t crl;
    if (gnutls_x509_crl_init(&crl) < 0)
        return TS_PEER_CRL_BAD;
    ts_peer_reason_t r = TS_PEER_OK;
    unsigned status = 0;
    if (gnutls_x509_crl_import(crl, crl_pem, GNUTLS_X509_FMT_PEM) < 0) {
        r = TS_PEER_CRL_BAD;
    } else if (gnutls_x509_crl_verify(crl, &ca, 1, 0, &status) < 0 || !crl_status_ok(status)) {
        r = TS_PEER_CRL_BAD_SIGNATURE;
    } else {
        time_t nu = gnutls_x509_crl_get_next_update(crl);
        if (nu == (time_t)-1)
            r = TS_PEER_CRL_OUT_OF_DATE; /* a CRL without nextUpdate never goes stale: refused */
        else
            *next = (int64_t)nu;
    }
    gnutls_x509_crl_deinit(crl);
    return r;
}

static tstate_t *state_build(const ts_peer_trust_t *t, char *err, size_t errsize, int *rc)
{
    tstate_t *s = ts_xcalloc(1, sizeof *s);
    atomic_init(&s->refs, 1);
    s->refuse = TS_PEER_OK;
    *rc = 0;

    gnutls_datum_t ca_pem = {NULL, 0}, crl_pem = {NULL, 0};
    gnutls_x509_crt_t ca = NULL;
    int r = read_small(t->ca_path, &ca_pem, &s->ca_id);
    if (r < 0) {
        ts_seterr(err, errsize, "cannot read %s: %s", t->ca_path, ts_strerror(r));
        *rc = r;
        s->refuse = TS_PEER_NO_TRUST;
        goto out;
    }
    if (gnutls_x509_crt_init(&ca) < 0 ||
        gnutls_x509_crt_import(ca, &ca_pem, GNUTLS_X509_FMT_PEM) < 0) {
        ts_seterr(err, errsize, "%s holds no certificate", t->ca_path);
        *rc = TS_ECRYPTO;
        s->refuse = TS_PEER_NO_TRUST;
        goto out;
    }
    r = read_small(t->crl_path, &crl_pem, &s->crl_id);
    if (r < 0)
        s->refuse = TS_PEER_CRL_MISSING;
    else
        s->refuse = check_crl(&crl_pem, ca, &s->crl_next);

    if (gnutls_x509_trust_list_init(&s->tl, 0) < 0) {
        s->tl = NULL;
        *rc = TS_ECRYPTO;
        s->refuse = TS_PEER_NO_TRUST;
        goto out;
    }
    /* The CRL is added only once checked, and GnuTLS checks it again against
     * the CA (GNUTLS_TL_VERIFY_CRL). */
    int added = gnutls_x509_trust_list_add_trust_mem(s->tl, &ca_pem,
                                                     s->refuse == TS_PEER_OK ? &crl_pem : NULL,
                                                     GNUTLS_X509_FMT_PEM, GNUTLS_TL_VERIFY_CRL, 0);
    if (added < 1) {
        ts_seterr(err, errsize, "%s: cannot build the trust list", t->ca_path);
        *rc = TS_ECRYPTO;
        s->refuse = TS_PEER_NO_TRUST;
    }
out:
    if (ca)
        gnutls_x509_crt_deinit(ca);
    free(ca_pem.data);
    free(crl_pem.data);
    return s;
}

static int64_t mono_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec;
}

static void swap_in(ts_peer_trust_t *t, tstate_t *s)
{
    pthread_mutex_lock(&t->mu);
    tstate_t *old = t->cur;
    t->cur = s;
    pthread_mutex_unlock(&t->mu);
    atomic_fetch_add(&t->gen, 1);
    state_unref(old);
}

int ts_peer_trust_open(const char *cadir, ts_peer_trust_t **out, char *err, size_t errsize)
{
    *out = NULL;
    ts_peer_trust_t *t = ts_xcalloc(1, sizeof *t);
    size_t n = strlen(cadir) + 32;
    t->ca_path = ts_xmalloc(n);
    t->crl_path = ts_xmalloc(n);
    snprintf(t->ca_path, n, "%s/%s", cadir, TS_CA_CERT_FILE);
    snprintf(t->crl_path, n, "%s/%s", cadir, TS_CA_CRL_FILE);
    pthread_mutex_init(&t->mu, NULL);
    pthread_mutex_init(&t->reload_mu, NULL);
    int rc;
    tstate_t *s = state_build(t, err, errsize, &rc);
    if (rc < 0) {
        state_unref(s);
        ts_peer_trust_close(t);
        return rc;
    }
    t->cur = s;
    atomic_init(&t->gen, 1);
    atomic_init(&t->last_check, mono_seconds());
    if (s->refuse != TS_PEER_OK)
        ts_log_warn("client certificates: every client is refused until %s is fixed: %s",
                    t->crl_path, ts_peer_reason_name(s->refuse));
    *out = t;
    return 0;
}

void ts_peer_trust_close(ts_peer_trust_t *t)
{
    if (!t)
        return;
    state_unref(t->cur);
    pthread_mutex_destroy(&t->mu);
    pthread_mutex_destroy(&t->reload_mu);
    free(t->ca_path);
    free(t->crl_path);
    free(t);
}

void ts_peer_trust_reload(ts_peer_trust_t *t)
{
    pthread_mutex_lock(&t->reload_mu);
    char err[512] = "";
    int rc;
    tstate_t *s = state_build(t, err, sizeof err, &rc);
    if (rc < 0)
        ts_log_error("client certificates: %s; every client is refused", err);
    else if (s->refuse != TS_PEER_OK)
        ts_log_warn("client certificates: every client is refused: %s (%s)",
                    ts_peer_reason_name(s->refuse), t->crl_path);
    else
        ts_log_info("client certificates: CA and CRL reloaded");
    swap_in(t, s);
    atomic_store(&t->last_check, mono_seconds());
    pthread_mutex_unlock(&t->reload_mu);
}

void ts_peer_trust_check(ts_peer_trust_t *t)
{
    int64_t now = mono_seconds();
    int_fast64_t last = atomic_load(&t->last_check);
    if (now == last || !atomic_compare_exchange_strong(&t->last_check, &last, now))
        return;
    fileid_t ca, crl;
    fileid_stat(t->ca_path, &ca);
    fileid_stat(t->crl_path, &crl);
    tstate_t *s = state_get(t);
    bool same = fileid_eq(&ca, &s->ca_id) && fileid_eq(&crl, &s->crl_id);
    state_unref(s);
    if (!same)
        ts_peer_trust_reload(t);
}

uint64_t ts_peer_trust_generation(ts_peer_trust_t *t)
{
    return atomic_load(&t->gen);
}

static ts_peer_reason_t state_refusal(const tstate_t *s, int64_t now)
{
    if (s->refuse != TS_PEER_OK)
        return s->refuse;
    if (s->crl_next <= now)
        return TS_PEER_CRL_OUT_OF_DATE;
    return TS_PEER_OK;
}

ts_peer_reason_t ts_peer_trust_state(ts_peer_trust_t *t)
{
    tstate_t *s = state_get(t);
    ts_peer_reason_t r = state_refusal(s, (int64_t)time(NULL));
    state_unref(s);
    return r;
}

static bool has_client_auth(gnutls_x509_crt_t crt)
{
    for (unsigned i = 0; i < 64; i++) {
        char oid[128];
        size_t sz = sizeof oid;
        int r = gnutls_x509_crt_get_key_purpose_oid(crt, i, oid, &sz, NULL);
        if (r == GNUTLS_E_SHORT_MEMORY_BUFFER)
            continue; /* an OID this long is not clientAuth */
        if (r < 0)
            return false;
        if (strcmp(oid, GNUTLS_KP_TLS_WWW_CLIENT) == 0)
            return true;
    }
    return false;
}

static ts_peer_reason_t map_status(unsigned status)
{
    if (status & GNUTLS_CERT_SIGNER_NOT_FOUND)
        return TS_PEER_UNKNOWN_ISSUER;
    if (status & GNUTLS_CERT_SIGNATURE_FAILURE)
        return TS_PEER_BAD_SIGNATURE;
    if (status & GNUTLS_CERT_REVOKED)
        return TS_PEER_REVOKED;
    if (status & GNUTLS_CERT_EXPIRED)
        return TS_PEER_EXPIRED;
    if (status & GNUTLS_CERT_NOT_ACTIVATED)
        return TS_PEER_NOT_YET_VALID;
    return TS_PEER_INVALID;
}

static void fingerprint_hex(const gnutls_datum_t *der, char fp[TS_FINGERPRINT_HEX + 1])
{
    unsigned char md[32];
    size_t sz = sizeof md;
    fp[0] = '\0';
    if (gnutls_fingerprint(GNUTLS_DIG_SHA256, der, md, &sz) < 0 || sz != sizeof md)
        return;
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < sz; i++) {
        fp[2 * i] = hex[md[i] >> 4];
        fp[2 * i + 1] = hex[md[i] & 15];
    }
    fp[2 * sz] = '\0';
}

static ts_peer_reason_t verify_crts(const tstate_t *s, gnutls_x509_crt_t *crts, unsigned n,
                                    int64_t now)
{
    gnutls_x509_crt_t leaf = crts[0];
    /* A self-issued leaf is never a site certificate, even tocsin's own CA
     * certificate sent back as a client certificate. */
    if (gnutls_x509_crt_check_issuer(leaf, leaf))
        return TS_PEER_SELF_SIGNED;
    unsigned status = 0;
    if (gnutls_x509_trust_list_verify_crt2(s->tl, crts, n, NULL, 0, 0, &status, NULL) < 0)
        return TS_PEER_INVALID;
    if (status != 0)
        return map_status(status);
    /* The same time checks against the caller's clock, so that both agree. */
    time_t nb = gnutls_x509_crt_get_activation_time(leaf);
    time_t na = gnutls_x509_crt_get_expiration_time(leaf);
    if (nb == (time_t)-1 || na == (time_t)-1)
        return TS_PEER_INVALID;
    if ((int64_t)nb > now)
        return TS_PEER_NOT_YET_VALID;
    if ((int64_t)na < now)
        return TS_PEER_EXPIRED;
    unsigned ca = 0;
    if (gnutls_x509_crt_get_basic_constraints(leaf, NULL, &ca, NULL) >= 0 && ca)
        return TS_PEER_INVALID;
    if (!has_client_auth(leaf))
        return TS_PEER_NO_CLIENT_AUTH;
    return TS_PEER_OK;
}

ts_peer_reason_t ts_peer_verify_chain(ts_peer_trust_t *t, const gnutls_datum_t *certs, unsigned n,
                                      int64_t now, char fp[TS_FINGERPRINT_HEX + 1])
{
    fp[0] = '\0';
    if (n == 0 || certs == NULL)
        return TS_PEER_NO_CERT;
    fingerprint_hex(&certs[0], fp);
    ts_peer_trust_check(t);
    tstate_t *s = state_get(t);
    ts_peer_reason_t r = state_refusal(s, now);
    if (r != TS_PEER_OK) {
        state_unref(s);
        return r;
    }
    if (n > CHAIN_MAX) {
        state_unref(s);
        return TS_PEER_CHAIN_TOO_LONG;
    }
    gnutls_x509_crt_t crts[CHAIN_MAX] = {NULL, NULL};
    r = TS_PEER_OK;
    for (unsigned i = 0; i < n; i++) {
        if (gnutls_x509_crt_init(&crts[i]) < 0) {
            crts[i] = NULL;
            r = TS_PEER_BAD_CERT;
            break;
        }
        if (gnutls_x509_crt_import(crts[i], &certs[i], GNUTLS_X509_FMT_DER) < 0) {
            r = TS_PEER_BAD_CERT;
            break;
        }
    }
    if (r == TS_PEER_OK)
        r = verify_crts(s, crts, n, now);
    for (unsigned i = 0; i < n; i++)
        if (crts[i])
            gnutls_x509_crt_deinit(crts[i]);
    state_unref(s);
    return r;
}

ts_peer_reason_t ts_peer_verify_session(ts_peer_trust_t *t, gnutls_session_t session,
                                        char fp[TS_FINGERPRINT_HEX + 1])
{
    fp[0] = '\0';
    if (session == NULL || gnutls_certificate_type_get(session) != GNUTLS_CRT_X509)
        return TS_PEER_NO_CERT;
    unsigned n = 0;
    const gnutls_datum_t *certs = gnutls_certificate_get_peers(session, &n);
    if (certs == NULL || n == 0)
        return TS_PEER_NO_CERT;
    return ts_peer_verify_chain(t, certs, n, (int64_t)time(NULL), fp);
}

struct lookup {
    ts_peer_reason_t r;
    ts_principal_t *who;
};

static int on_cert(const ts_cert_rec_t *rec, void *ctx)
{
    struct lookup *l = ctx;
    if (rec->revoked != 0) {
        l->r = TS_PEER_REVOKED_REGISTRY;
        return 0;
    }
    if (!rec->csirt && (!rec->site_exists || rec->site_id <= 0)) {
        l->r = TS_PEER_SITE_REMOVED;
        return 0;
    }
    ts_principal_t *w = l->who;
    memset(w, 0, sizeof *w);
    w->csirt = rec->csirt;
    w->reader = rec->reader;
    w->site_id = rec->csirt ? 0 : rec->site_id;
    snprintf(w->site, sizeof w->site, "%s", rec->csirt ? "" : rec->site_name);
    snprintf(w->holder, sizeof w->holder, "%s", rec->holder ? rec->holder : "");
    snprintf(w->fingerprint, sizeof w->fingerprint, "%s", rec->fingerprint);
    l->r = TS_PEER_OK;
    return 0;
}

ts_peer_reason_t ts_peer_identify(ts_store_t *st, const char *fp, ts_principal_t *who)
{
    if (fp == NULL || !ts_cert_fingerprint_valid(fp))
        return TS_PEER_UNKNOWN_FINGERPRINT;
    struct lookup l = {TS_PEER_STORE_ERROR, who};
    int rc = ts_store_cert_lookup(st, fp, on_cert, &l);
    if (rc == TS_ENOENT)
        return TS_PEER_UNKNOWN_FINGERPRINT;
    if (rc < 0)
        return TS_PEER_STORE_ERROR;
    return l.r;
}
