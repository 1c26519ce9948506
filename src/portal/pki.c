/* SPDX-License-Identifier: Apache-2.0 */
/* tocsin's certificate authority on GnuTLS (see pki.h).
 *
 * Files are never overwritten: each is created with O_EXCL|O_NOFOLLOW, so a
 * second `ca init` or `cert issue` into the same place fails instead of
 * destroying a key, and a planted symlink is not followed. Only the CRL is
 * replaced, through a temporary file and rename(), so the server never reads
 * half a CRL. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/pkcs12.h>
#include <gnutls/x509.h>

#include "core/file.h"
#include "core/event.h"
#include "core/mem.h"
#include "portal/pki.h"

#define SERIAL_OCTETS 16
#define KEYID_MAX 64
#define CA_FILE_MAX (64 * 1024) /* a PEM certificate or key is far smaller */
#define CRL_HOURS_MAX (24u * 366u)
#define DAYS_MAX 36525u /* a century */
#define CA_NAME_MAX 64  /* RFC 5280 ub-common-name */
#define SERVER_NAMES_MAX 32
#define US_PER_S INT64_C(1000000)

struct ts_ca {
    char *dir;
    gnutls_x509_crt_t crt;
    gnutls_x509_privkey_t key;
};

/* ---- Small helpers ---------------------------------------------------------- */

static int crypto_fail(char *err, size_t errsize, const char *what, int grc)
{
    ts_seterr(err, errsize, "%s: %s", what, gnutls_strerror(grc));
    return TS_ECRYPTO;
}

static int path_join(char *out, size_t outsize, const char *dir, const char *name, const char *ext,
                     char *err, size_t errsize)
{
    int n = snprintf(out, outsize, "%s/%s%s", dir, name, ext ? ext : "");
    if (n < 0 || (size_t)n >= outsize) {
        ts_seterr(err, errsize, "path too long: %s/%s%s", dir, name, ext ? ext : "");
        return TS_EINVAL;
    }
    return 0;
}

static void to_hex(const unsigned char *b, size_t n, char *out)
{
    static const char hx[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hx[b[i] >> 4];
        out[2 * i + 1] = hx[b[i] & 15];
    }
    out[2 * n] = '\0';
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Serial octets, as RFC 5280 wants them: positive, at most 20 octets. The top
 * bit is cleared (a positive INTEGER) and a zero first octet redrawn, so the
 * DER encoding keeps exactly SERIAL_OCTETS octets and the hex form is
 * canonical. */
static int new_serial(unsigned char s[SERIAL_OCTETS], char *err, size_t errsize)
{
    do {
        int grc = gnutls_rnd(GNUTLS_RND_NONCE, s, SERIAL_OCTETS);
        if (grc < 0)
            return crypto_fail(err, errsize, "random serial", grc);
        s[0] &= 0x7f;
    } while (s[0] == 0);
    return 0;
}

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * US_PER_S + ts.tv_nsec / 1000;
}

static int fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int r = fsync(fd);
    close(fd);
    return r;
}

static int write_all(int fd, const void *data, size_t len)
{
    const unsigned char *p = data;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

/* Creates path (which must not exist) with mode and the bytes given, synced.
 * \retval TS_EEXIST it exists (or is a symlink).  \retval TS_EIO. */
static int write_new(const char *path, const void *data, size_t len, mode_t mode, char *err,
                     size_t errsize)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0) {
        int e = errno;
        ts_seterr(err, errsize, "%s: %s", path,
                  e == EEXIST ? "exists (never overwritten)" : strerror(e));
        return e == EEXIST ? TS_EEXIST : TS_EIO;
    }
    /* The umask may only narrow the mode; a key must never be wider. */
    if (fchmod(fd, mode) != 0 || write_all(fd, data, len) != 0 || fsync(fd) != 0) {
        int e = errno;
        close(fd);
        unlink(path);
        ts_seterr(err, errsize, "%s: %s", path, strerror(e));
        return TS_EIO;
    }
    if (close(fd) != 0) {
        int e = errno;
        unlink(path);
        ts_seterr(err, errsize, "%s: %s", path, strerror(e));
        return TS_EIO;
    }
    return 0;
}

/* Reads a small file into a gnutls datum (gnutls_free). A private key file
 * readable by others is refused: it has leaked already, or soon will.
 * \retval TS_ENOENT missing. \retval TS_EIO. */
static int read_small(const char *path, bool secret, gnutls_datum_t *out, char *err, size_t errsize)
{
    out->data = NULL;
    out->size = 0;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        ts_seterr(err, errsize, "%s: %s", path, strerror(e));
        return e == ENOENT ? TS_ENOENT : TS_EIO;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size <= 0 ||
        sb.st_size > CA_FILE_MAX) {
        close(fd);
        ts_seterr(err, errsize, "%s: not a regular file of 1..%d bytes", path, CA_FILE_MAX);
        return TS_EIO;
    }
    if (secret && (sb.st_mode & 077) != 0) {
        close(fd);
        ts_seterr(err, errsize, "%s: accessible by group or others (chmod 600 it)", path);
        return TS_EIO;
    }
    size_t n = (size_t)sb.st_size;
    unsigned char *buf = gnutls_malloc(n + 1);
    if (buf == NULL) {
        close(fd);
        ts_seterr(err, errsize, "out of memory");
        return TS_ENOMEM;
    }
    int rr = ts_read_full(fd, buf, n);
    close(fd);
    if (rr) {
        gnutls_memset(buf, 0, n);
        gnutls_free(buf);
        ts_seterr(err, errsize, "%s: short read", path);
        return TS_EIO;
    }
    buf[n] = '\0';
    out->data = buf;
    out->size = (unsigned)n;
    return 0;
}

static void datum_wipe(gnutls_datum_t *d)
{
    if (d->data) {
        gnutls_memset(d->data, 0, d->size);
        gnutls_free(d->data);
    }
    d->data = NULL;
    d->size = 0;
}

static int new_key(gnutls_x509_privkey_t *key, char *err, size_t errsize)
{
    int grc = gnutls_x509_privkey_init(key);
    if (grc < 0)
        return crypto_fail(err, errsize, "key", grc);
    grc = gnutls_x509_privkey_generate(*key, GNUTLS_PK_ECDSA,
                                       GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0);
    if (grc < 0) {
        gnutls_x509_privkey_deinit(*key);
        *key = NULL;
        return crypto_fail(err, errsize, "generating an ECDSA P-256 key", grc);
    }
    return 0;
}

/* ---- Certificates ------------------------------------------------------------ */

struct certspec {
    const char *cn;
    const char *ou; /* NULL: none */
    time_t not_before, not_after;
    bool ca;
    unsigned key_usage;
    const char *eku;          /* an extended key usage OID, or NULL */
    const char *const *sans;  /* server names, NULL-terminated, or NULL */
    gnutls_x509_crt_t issuer; /* NULL: self-signed */
    gnutls_x509_privkey_t issuer_key;
};

static int add_san(gnutls_x509_crt_t crt, const char *name)
{
    unsigned char ip[16];
    if (inet_pton(AF_INET, name, ip) == 1)
        return gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, ip, 4,
                                                    GNUTLS_FSAN_APPEND);
    if (inet_pton(AF_INET6, name, ip) == 1)
        return gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, ip, 16,
                                                    GNUTLS_FSAN_APPEND);
    return gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, name,
                                                (unsigned)strlen(name), GNUTLS_FSAN_APPEND);
}

static int build_cert(const struct certspec *sp, gnutls_x509_privkey_t key, gnutls_x509_crt_t *out,
                      char *err, size_t errsize)
{
    gnutls_x509_crt_t crt;
    unsigned char serial[SERIAL_OCTETS];
    unsigned char id[KEYID_MAX], aki[KEYID_MAX];
    size_t idlen = sizeof id, akilen = sizeof aki;
    unsigned crit = 0;
    int r = new_serial(serial, err, errsize);
    if (r)
        return r;
    int grc = gnutls_x509_crt_init(&crt);
    if (grc < 0)
        return crypto_fail(err, errsize, "certificate", grc);
    const char *what = "certificate fields";
    if ((grc = gnutls_x509_crt_set_version(crt, 3)) < 0 ||
        (grc = gnutls_x509_crt_set_serial(crt, serial, sizeof serial)) < 0 ||
        (grc = gnutls_x509_crt_set_key(crt, key)) < 0 ||
        (grc = gnutls_x509_crt_set_activation_time(crt, sp->not_before)) < 0 ||
        (grc = gnutls_x509_crt_set_expiration_time(crt, sp->not_after)) < 0)
        goto fail;
    what = "subject name";
    if (sp->ou &&
        (grc = gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_ORGANIZATIONAL_UNIT_NAME, 0,
                                             sp->ou, (unsigned)strlen(sp->ou))) < 0)
        goto fail;
    if ((grc = gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, sp->cn,
                                             (unsigned)strlen(sp->cn))) < 0)
        goto fail;
    what = "extensions";
    if ((grc = gnutls_x509_crt_set_basic_constraints(crt, sp->ca ? 1 : 0, sp->ca ? 0 : -1)) < 0 ||
        (grc = gnutls_x509_crt_set_key_usage(crt, sp->key_usage)) < 0)
        goto fail;
    if (sp->eku && (grc = gnutls_x509_crt_set_key_purpose_oid(crt, sp->eku, 0)) < 0)
        goto fail;
    for (size_t i = 0; sp->sans && sp->sans[i]; i++)
        if ((grc = add_san(crt, sp->sans[i])) < 0)
            goto fail;
    what = "key identifiers";
    if ((grc = gnutls_x509_crt_get_key_id(crt, GNUTLS_KEYID_USE_SHA1, id, &idlen)) < 0 ||
        (grc = gnutls_x509_crt_set_subject_key_id(crt, id, idlen)) < 0)
        goto fail;
    if (sp->issuer) {
        if ((grc = gnutls_x509_crt_get_subject_key_id(sp->issuer, aki, &akilen, &crit)) < 0)
            goto fail;
        grc = gnutls_x509_crt_set_authority_key_id(crt, aki, akilen);
    } else {
        grc = gnutls_x509_crt_set_authority_key_id(crt, id, idlen);
    }
    if (grc < 0)
        goto fail;
    what = "signing the certificate";
    grc = gnutls_x509_crt_sign2(crt, sp->issuer ? sp->issuer : crt,
                                sp->issuer_key ? sp->issuer_key : key, GNUTLS_DIG_SHA256, 0);
    if (grc < 0)
        goto fail;
    *out = crt;
    return 0;
fail:
    gnutls_x509_crt_deinit(crt);
    return crypto_fail(err, errsize, what, grc);
}

static int export_pem(gnutls_x509_crt_t crt, gnutls_datum_t *d, char *err, size_t errsize)
{
    int grc = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, d);
    return grc < 0 ? crypto_fail(err, errsize, "exporting a certificate", grc) : 0;
}

/* PKCS#8, unencrypted: the form nginx, curl and libmicrohttpd all read. */
static int export_key(gnutls_x509_privkey_t key, gnutls_datum_t *d, char *err, size_t errsize)
{
    int grc =
        gnutls_x509_privkey_export2_pkcs8(key, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN, d);
    return grc < 0 ? crypto_fail(err, errsize, "exporting a key", grc) : 0;
}

/* Writes a certificate and its key as DIR/cert_name and DIR/key_name. */
static int write_pair(const char *cert_path, const char *key_path, gnutls_x509_crt_t crt,
                      gnutls_x509_privkey_t key, char *err, size_t errsize)
{
    gnutls_datum_t c = {NULL, 0}, k = {NULL, 0};
    int r = export_pem(crt, &c, err, errsize);
    if (r == 0)
        r = export_key(key, &k, err, errsize);
    /* The key first: when it cannot be created, nothing is left behind. */
    if (r == 0)
        r = write_new(key_path, k.data, k.size, 0600, err, errsize);
    if (r == 0) {
        r = write_new(cert_path, c.data, c.size, 0644, err, errsize);
        if (r)
            unlink(key_path);
    }
    datum_wipe(&k);
    gnutls_free(c.data);
    return r;
}

/* ---- CRL --------------------------------------------------------------------- */

struct revoked {
    unsigned char serial[TS_SERIAL_HEX_MAX / 2];
    size_t len;
    time_t when;
};

struct revoked_list {
    struct revoked *v;
    size_t n, cap;
};

static int collect_revoked(const ts_cert_rec_t *rec, void *ctx)
{
    struct revoked_list *l = ctx;
    if (rec->revoked == 0)
        return 0;
    size_t len = strlen(rec->serial);
    if (len < 2 || len > TS_SERIAL_HEX_MAX || len % 2)
        return 0; /* the registry validates serials; nothing to list */
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 16;
        l->v = ts_xrealloc(l->v, l->cap * sizeof *l->v);
    }
    struct revoked *e = &l->v[l->n];
    for (size_t i = 0; i < len / 2; i++) {
        int hi = hexval(rec->serial[2 * i]), lo = hexval(rec->serial[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return 0;
        e->serial[i] = (unsigned char)(hi << 4 | lo);
    }
    e->len = len / 2;
    e->when = (time_t)(rec->revoked / US_PER_S);
    l->n++;
    return 0;
}

static int crl_sign_write(ts_ca_t *ca, const struct revoked *v, size_t n, unsigned hours, char *err,
                          size_t errsize)
{
    gnutls_x509_crl_t crl;
    int grc = gnutls_x509_crl_init(&crl);
    if (grc < 0)
        return crypto_fail(err, errsize, "CRL", grc);
    time_t now = time(NULL);
    /* The CRL number must grow with each CRL (RFC 5280 5.2.3): microseconds
     * since the epoch do, across processes, without keeping a counter. */
    int64_t num = now_us();
    unsigned char nr[8];
    for (int i = 0; i < 8; i++)
        nr[i] = (unsigned char)((uint64_t)num >> (56 - 8 * i));
    unsigned char id[KEYID_MAX];
    size_t idlen = sizeof id;
    unsigned crit = 0;
    const char *what = "CRL fields";
    if ((grc = gnutls_x509_crl_set_version(crl, 2)) < 0 ||
        (grc = gnutls_x509_crl_set_this_update(crl, now)) < 0 ||
        (grc = gnutls_x509_crl_set_next_update(crl, now + (time_t)hours * 3600)) < 0 ||
        (grc = gnutls_x509_crl_set_number(crl, nr, sizeof nr)) < 0)
        goto fail;
    if ((grc = gnutls_x509_crt_get_subject_key_id(ca->crt, id, &idlen, &crit)) < 0 ||
        (grc = gnutls_x509_crl_set_authority_key_id(crl, id, idlen)) < 0)
        goto fail;
    what = "CRL entry";
    for (size_t i = 0; i < n; i++)
        if ((grc = gnutls_x509_crl_set_crt_serial(crl, v[i].serial, v[i].len, v[i].when)) < 0)
            goto fail;
    what = "signing the CRL";
    if ((grc = gnutls_x509_crl_sign2(crl, ca->crt, ca->key, GNUTLS_DIG_SHA256, 0)) < 0)
        goto fail;
    gnutls_datum_t pem = {NULL, 0};
    what = "exporting the CRL";
    if ((grc = gnutls_x509_crl_export2(crl, GNUTLS_X509_FMT_PEM, &pem)) < 0)
        goto fail;
    gnutls_x509_crl_deinit(crl);

    char final[4096], tmp[4096];
    int r = path_join(final, sizeof final, ca->dir, TS_CA_CRL_FILE, NULL, err, errsize);
    if (r == 0)
        r = path_join(tmp, sizeof tmp, ca->dir, "." TS_CA_CRL_FILE, ".XXXXXX", err, errsize);
    if (r) {
        gnutls_free(pem.data);
        return r;
    }
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        ts_seterr(err, errsize, "%s: %s", tmp, strerror(errno));
        gnutls_free(pem.data);
        return TS_EIO;
    }
    bool ok = fchmod(fd, 0644) == 0 && write_all(fd, pem.data, pem.size) == 0 && fsync(fd) == 0;
    int e = errno;
    if (close(fd) != 0 && ok) {
        ok = false;
        e = errno;
    }
    if (!ok) {
        unlink(tmp);
        gnutls_free(pem.data);
        ts_seterr(err, errsize, "%s: %s", tmp, strerror(e));
        return TS_EIO;
    }
    gnutls_free(pem.data);
    if (rename(tmp, final) != 0) {
        e = errno;
        unlink(tmp);
        ts_seterr(err, errsize, "%s: %s", final, strerror(e));
        return TS_EIO;
    }
    if (fsync_dir(ca->dir) != 0) {
        ts_seterr(err, errsize, "%s: %s", ca->dir, strerror(errno));
        return TS_EIO;
    }
    return 0;
fail:
    gnutls_x509_crl_deinit(crl);
    return crypto_fail(err, errsize, what, grc);
}

int ts_ca_write_crl(ts_ca_t *ca, ts_store_t *st, unsigned valid_hours, char *err, size_t errsize)
{
    if (ca == NULL || st == NULL || valid_hours == 0 || valid_hours > CRL_HOURS_MAX) {
        ts_seterr(err, errsize, "CRL validity must be 1..%u hours", CRL_HOURS_MAX);
        return TS_EINVAL;
    }
    /* Two revocations at once must not end with the CRL of the one that read
     * the registry first: the read and the rename happen under a lock on the
     * CA directory itself (no lock file to leave behind). */
    int dfd = open(ca->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0 || flock(dfd, LOCK_EX) != 0) {
        ts_seterr(err, errsize, "%s: %s", ca->dir, strerror(errno));
        if (dfd >= 0)
            close(dfd);
        return TS_EIO;
    }
    struct revoked_list l = {NULL, 0, 0};
    int r = ts_store_certs_foreach(st, collect_revoked, &l);
    if (r)
        ts_seterr(err, errsize, "reading the certificate registry: %s", ts_store_errmsg(st));
    else
        r = crl_sign_write(ca, l.v, l.n, valid_hours, err, errsize);
    free(l.v);
    close(dfd); /* releases the lock */
    return r;
}

/* ---- The CA ------------------------------------------------------------------ */

void ts_ca_close(ts_ca_t *ca)
{
    if (ca == NULL)
        return;
    if (ca->crt)
        gnutls_x509_crt_deinit(ca->crt);
    if (ca->key)
        gnutls_x509_privkey_deinit(ca->key);
    free(ca->dir);
    free(ca);
}

const char *ts_ca_dir(const ts_ca_t *ca)
{
    return ca ? ca->dir : NULL;
}

static bool printable_name(const char *s, size_t max)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > max)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return false;
    return true;
}

/* Makes dir (0700) or accepts an existing private, CA-less directory. */
static int prepare_dir(const char *dir, char *err, size_t errsize)
{
    if (mkdir(dir, 0700) == 0)
        return 0;
    if (errno != EEXIST) {
        ts_seterr(err, errsize, "%s: %s", dir, strerror(errno));
        return errno == ENOENT ? TS_ENOENT : TS_EIO;
    }
    struct stat sb;
    if (lstat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        ts_seterr(err, errsize, "%s: exists and is not a directory", dir);
        return TS_EEXIST;
    }
    static const char *const files[] = {TS_CA_CERT_FILE, TS_CA_KEY_FILE, TS_CA_CRL_FILE,
                                        TS_CA_SERVER_CERT_FILE, TS_CA_SERVER_KEY_FILE};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char p[4096];
        struct stat fs;
        int r = path_join(p, sizeof p, dir, files[i], NULL, err, errsize);
        if (r)
            return r;
        if (lstat(p, &fs) == 0) {
            ts_seterr(err, errsize, "%s: a CA is already there (never overwritten)", dir);
            return TS_EEXIST;
        }
    }
    if ((sb.st_mode & 077) != 0) {
        ts_seterr(err, errsize, "%s: accessible by group or others; a CA directory must be 0700",
                  dir);
        return TS_EINVAL;
    }
    return 0;
}

int ts_ca_init(const char *dir, const char *name, unsigned days, const char *const *server_names,
               char *err, size_t errsize)
{
    if (dir == NULL || dir[0] == '\0' || !printable_name(name, CA_NAME_MAX)) {
        ts_seterr(err, errsize, "a CA needs a directory and a name of 1..%d printable bytes",
                  CA_NAME_MAX);
        return TS_EINVAL;
    }
    if (days == 0 || days > DAYS_MAX) {
        ts_seterr(err, errsize, "validity must be 1..%u days", DAYS_MAX);
        return TS_EINVAL;
    }
    size_t n_names = 0;
    while (server_names && server_names[n_names]) {
        if (!printable_name(server_names[n_names], 253) ||
            strpbrk(server_names[n_names], " /\\,") != NULL) {
            ts_seterr(err, errsize, "bad server name '%s'", server_names[n_names]);
            return TS_EINVAL;
        }
        n_names++;
    }
    if (n_names == 0 || n_names > SERVER_NAMES_MAX) {
        ts_seterr(err, errsize, "the server certificate needs 1..%d names", SERVER_NAMES_MAX);
        return TS_EINVAL;
    }
    int r = prepare_dir(dir, err, errsize);
    if (r)
        return r;

    ts_ca_t *ca = ts_xcalloc(1, sizeof *ca);
    ca->dir = ts_xstrdup(dir);
    gnutls_x509_privkey_t skey = NULL;
    gnutls_x509_crt_t scrt = NULL;
    char ca_cert[4096], ca_key[4096], srv_cert[4096], srv_key[4096], crl[4096];
    bool wrote_ca = false, wrote_srv = false;
    if ((r = path_join(ca_cert, sizeof ca_cert, dir, TS_CA_CERT_FILE, NULL, err, errsize)) ||
        (r = path_join(ca_key, sizeof ca_key, dir, TS_CA_KEY_FILE, NULL, err, errsize)) ||
        (r = path_join(srv_cert, sizeof srv_cert, dir, TS_CA_SERVER_CERT_FILE, NULL, err,
                       errsize)) ||
        (r = path_join(srv_key, sizeof srv_key, dir, TS_CA_SERVER_KEY_FILE, NULL, err, errsize)) ||
        (r = path_join(crl, sizeof crl, dir, TS_CA_CRL_FILE, NULL, err, errsize)))
        goto out;

    /* A little slack before now: the clocks of the peers are not ours. */
    time_t now = time(NULL);
    time_t nb = now - 300, na = now + (time_t)days * 86400;
    if ((r = new_key(&ca->key, err, errsize)))
        goto out;
    struct certspec casp = {
        .cn = name,
        .not_before = nb,
        .not_after = na,
        .ca = true,
        .key_usage = GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN,
    };
    if ((r = build_cert(&casp, ca->key, &ca->crt, err, errsize)))
        goto out;
    if ((r = write_pair(ca_cert, ca_key, ca->crt, ca->key, err, errsize)))
        goto out;
    wrote_ca = true;

    if ((r = new_key(&skey, err, errsize)))
        goto out;
    struct certspec ssp = {
        .cn = server_names[0],
        .not_before = nb,
        .not_after = na,
        .key_usage = GNUTLS_KEY_DIGITAL_SIGNATURE,
        .eku = GNUTLS_KP_TLS_WWW_SERVER,
        .sans = server_names,
        .issuer = ca->crt,
        .issuer_key = ca->key,
    };
    if ((r = build_cert(&ssp, skey, &scrt, err, errsize)))
        goto out;
    if ((r = write_pair(srv_cert, srv_key, scrt, skey, err, errsize)))
        goto out;
    wrote_srv = true;
    /* An empty CRL from the start: the server fails closed without one. */
    r = crl_sign_write(ca, NULL, 0, TS_CRL_HOURS_DEFAULT, err, errsize);
    if (r == 0 && fsync_dir(dir) != 0) {
        ts_seterr(err, errsize, "%s: %s", dir, strerror(errno));
        r = TS_EIO;
    }
out:
    if (r) {
        /* Half a CA is no CA: remove what this call created. */
        if (wrote_srv) {
            unlink(srv_cert);
            unlink(srv_key);
        }
        if (wrote_ca) {
            unlink(ca_cert);
            unlink(ca_key);
            unlink(crl);
        }
    }
    if (scrt)
        gnutls_x509_crt_deinit(scrt);
    if (skey)
        gnutls_x509_privkey_deinit(skey);
    ts_ca_close(ca);
    return r;
}

int ts_ca_open(const char *dir, ts_ca_t **out, char *err, size_t errsize)
{
    if (out == NULL)
        return TS_EINVAL;
    *out = NULL;
    if (dir == NULL || dir[0] == '\0') {
        ts_seterr(err, errsize, "no CA directory given");
        return TS_EINVAL;
    }
    char cpath[4096], kpath[4096];
    int r = path_join(cpath, sizeof cpath, dir, TS_CA_CERT_FILE, NULL, err, errsize);
    if (r == 0)
        r = path_join(kpath, sizeof kpath, dir, TS_CA_KEY_FILE, NULL, err, errsize);
    if (r)
        return r;
    gnutls_datum_t c = {NULL, 0}, k = {NULL, 0};
    if ((r = read_small(cpath, false, &c, err, errsize)))
        return r;
    if ((r = read_small(kpath, true, &k, err, errsize))) {
        gnutls_free(c.data);
        return r;
    }
    ts_ca_t *ca = ts_xcalloc(1, sizeof *ca);
    ca->dir = ts_xstrdup(dir);
    int grc;
    const char *what = "CA certificate";
    if ((grc = gnutls_x509_crt_init(&ca->crt)) < 0 ||
        (grc = gnutls_x509_crt_import(ca->crt, &c, GNUTLS_X509_FMT_PEM)) < 0)
        goto fail;
    what = "CA key";
    if ((grc = gnutls_x509_privkey_init(&ca->key)) < 0 ||
        (grc = gnutls_x509_privkey_import2(ca->key, &k, GNUTLS_X509_FMT_PEM, NULL, 0)) < 0)
        goto fail;
    unsigned char a[KEYID_MAX], b[KEYID_MAX];
    size_t alen = sizeof a, blen = sizeof b;
    what = "key identifiers";
    if ((grc = gnutls_x509_crt_get_key_id(ca->crt, GNUTLS_KEYID_USE_SHA256, a, &alen)) < 0 ||
        (grc = gnutls_x509_privkey_get_key_id(ca->key, GNUTLS_KEYID_USE_SHA256, b, &blen)) < 0)
        goto fail;
    gnutls_free(c.data);
    datum_wipe(&k);
    if (alen != blen || memcmp(a, b, alen) != 0) {
        ts_seterr(err, errsize, "%s: the key does not belong to %s", kpath, cpath);
        ts_ca_close(ca);
        return TS_ECRYPTO;
    }
    unsigned ca_flag = 0;
    if (gnutls_x509_crt_get_basic_constraints(ca->crt, NULL, &ca_flag, NULL) < 0 || !ca_flag) {
        ts_seterr(err, errsize, "%s: not a CA certificate", cpath);
        ts_ca_close(ca);
        return TS_ECRYPTO;
    }
    *out = ca;
    return 0;
fail:
    gnutls_free(c.data);
    datum_wipe(&k);
    ts_ca_close(ca);
    ts_seterr(err, errsize, "%s: %s", what, gnutls_strerror(grc));
    return TS_ECRYPTO;
}

/* ---- Client certificates ----------------------------------------------------- */

struct site_name_q {
    int64_t id;
    char name[256];
    bool found;
};

static int find_site_name(const ts_site_info_t *si, void *ctx)
{
    struct site_name_q *q = ctx;
    if (si->id != q->id)
        return 0;
    snprintf(q->name, sizeof q->name, "%s", si->name);
    q->found = true;
    return 1;
}

static bool base_valid(const char *base)
{
    size_t n = base ? strlen(base) : 0;
    if (n == 0 || n > 200 || base[0] == '.' || base[0] == '-')
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = base[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

/* The PKCS#12 file: the certificate (and the CA's, for the chain) and the
 * key, tied by their local key id, under one password for the bags (PBES2
 * AES-256) and the MAC (HMAC-SHA256). With an empty password the bags stay in
 * clear, which is what "no password" means to NSS and OpenSSL alike. */
static int build_p12(gnutls_x509_crt_t crt, gnutls_x509_privkey_t key, gnutls_x509_crt_t ca_crt,
                     const char *friendly, const char *password, gnutls_datum_t *out, char *err,
                     size_t errsize)
{
    gnutls_pkcs12_t p12 = NULL;
    gnutls_pkcs12_bag_t cbag = NULL, kbag = NULL;
    unsigned char id[KEYID_MAX];
    size_t idlen = sizeof id;
    bool enc = password[0] != '\0';
    unsigned flags = enc ? GNUTLS_PKCS_PBES2_AES_256 : GNUTLS_PKCS_PLAIN;
    int grc, idx;
    const char *what = "PKCS#12";
    if ((grc = gnutls_pkcs12_init(&p12)) < 0 || (grc = gnutls_pkcs12_bag_init(&cbag)) < 0 ||
        (grc = gnutls_pkcs12_bag_init(&kbag)) < 0)
        goto fail;
    what = "PKCS#12 certificate bag";
    if ((grc = gnutls_x509_crt_get_key_id(crt, GNUTLS_KEYID_USE_SHA1, id, &idlen)) < 0)
        goto fail;
    gnutls_datum_t idd = {id, (unsigned)idlen};
    if ((idx = grc = gnutls_pkcs12_bag_set_crt(cbag, crt)) < 0 ||
        (grc = gnutls_pkcs12_bag_set_key_id(cbag, (unsigned)idx, &idd)) < 0 ||
        (grc = gnutls_pkcs12_bag_set_friendly_name(cbag, (unsigned)idx, friendly)) < 0)
        goto fail;
    if ((grc = gnutls_pkcs12_bag_set_crt(cbag, ca_crt)) < 0)
        goto fail;
    if (enc && (grc = gnutls_pkcs12_bag_encrypt(cbag, password, flags)) < 0)
        goto fail;
    what = "PKCS#12 key bag";
    if ((idx = grc = gnutls_pkcs12_bag_set_privkey(kbag, key, enc ? password : NULL, flags)) < 0 ||
        (grc = gnutls_pkcs12_bag_set_key_id(kbag, (unsigned)idx, &idd)) < 0 ||
        (grc = gnutls_pkcs12_bag_set_friendly_name(kbag, (unsigned)idx, friendly)) < 0)
        goto fail;
    what = "PKCS#12";
    if ((grc = gnutls_pkcs12_set_bag(p12, cbag)) < 0 ||
        (grc = gnutls_pkcs12_set_bag(p12, kbag)) < 0 ||
        (grc = gnutls_pkcs12_generate_mac2(p12, GNUTLS_MAC_SHA256, password)) < 0 ||
        (grc = gnutls_pkcs12_export2(p12, GNUTLS_X509_FMT_DER, out)) < 0)
        goto fail;
    gnutls_pkcs12_bag_deinit(cbag);
    gnutls_pkcs12_bag_deinit(kbag);
    gnutls_pkcs12_deinit(p12);
    return 0;
fail:
    if (cbag)
        gnutls_pkcs12_bag_deinit(cbag);
    if (kbag)
        gnutls_pkcs12_bag_deinit(kbag);
    if (p12)
        gnutls_pkcs12_deinit(p12);
    return crypto_fail(err, errsize, what, grc);
}

int ts_ca_issue(ts_ca_t *ca, ts_store_t *st, const ts_cert_request_t *req, const char *outdir,
                const char *base, const char *p12_password, ts_issued_t *out, char *err,
                size_t errsize)
{
    if (ca == NULL || st == NULL || req == NULL || outdir == NULL || out == NULL ||
        p12_password == NULL) {
        ts_seterr(err, errsize, "missing argument");
        return TS_EINVAL;
    }
    memset(out, 0, sizeof *out);
    if (!ts_cert_holder_valid(req->holder)) {
        ts_seterr(err, errsize, "the holder must be 1..%d bytes of printable UTF-8", TS_HOLDER_MAX);
        return TS_EINVAL;
    }
    if (req->csirt ? req->site_id != 0 : req->site_id <= 0) {
        ts_seterr(err, errsize, "a certificate is either for one site or for the CSIRT");
        return TS_EINVAL;
    }
    if (!base_valid(base)) {
        ts_seterr(err, errsize, "bad file base name (letters, digits, '.', '_', '-')");
        return TS_EINVAL;
    }
    int64_t now = now_us();
    int64_t nb = req->not_before == TS_TIME_NONE ? now - 60 * US_PER_S : req->not_before;
    int64_t na = req->not_after == TS_TIME_NONE ? nb + 365 * 86400 * US_PER_S : req->not_after;
    /* Whole seconds: what the certificate can hold, and what the registry
     * should say. Bounded to 1950..9999 (UTCTime/GeneralizedTime). */
    nb -= nb % US_PER_S;
    na -= na % US_PER_S;
    if (nb < INT64_C(-631152000) * US_PER_S || na > INT64_C(253402300799) * US_PER_S || na <= nb) {
        ts_seterr(err, errsize, "bad validity period");
        return TS_EINVAL;
    }

    struct site_name_q q = {.id = req->site_id};
    if (!req->csirt) {
        int r = ts_store_sites_foreach(st, find_site_name, &q);
        if (r < 0) {
            ts_seterr(err, errsize, "reading the sites: %s", ts_store_errmsg(st));
            return r;
        }
        if (!q.found) {
            ts_seterr(err, errsize, "no site with id %lld", (long long)req->site_id);
            return TS_ENOENT;
        }
    }

    int r;
    if ((r = path_join(out->cert_path, sizeof out->cert_path, outdir, base, ".pem", err,
                       errsize)) ||
        (r = path_join(out->key_path, sizeof out->key_path, outdir, base, ".key", err, errsize)) ||
        (r = path_join(out->p12_path, sizeof out->p12_path, outdir, base, ".p12", err, errsize)))
        return r;
    const char *paths[] = {out->key_path, out->cert_path, out->p12_path};
    for (size_t i = 0; i < 3; i++) {
        struct stat sb;
        if (lstat(paths[i], &sb) == 0) {
            ts_seterr(err, errsize, "%s: exists (never overwritten)", paths[i]);
            return TS_EEXIST;
        }
    }

    gnutls_x509_privkey_t key = NULL;
    gnutls_x509_crt_t crt = NULL;
    gnutls_datum_t p12 = {NULL, 0};
    size_t written = 0;
    if ((r = new_key(&key, err, errsize)))
        goto out;
    struct certspec sp = {
        .cn = req->holder,
        .ou = req->csirt ? "CSIRT" : q.name,
        .not_before = (time_t)(nb / US_PER_S),
        .not_after = (time_t)(na / US_PER_S),
        .key_usage = GNUTLS_KEY_DIGITAL_SIGNATURE,
        .eku = req->no_client_auth ? NULL : GNUTLS_KP_TLS_WWW_CLIENT,
        .issuer = ca->crt,
        .issuer_key = ca->key,
    };
    if ((r = build_cert(&sp, key, &crt, err, errsize)))
        goto out;

    unsigned char fp[32], serial[TS_SERIAL_HEX_MAX / 2];
    size_t fplen = sizeof fp, slen = sizeof serial;
    int grc;
    if ((grc = gnutls_x509_crt_get_fingerprint(crt, GNUTLS_DIG_SHA256, fp, &fplen)) < 0 ||
        (grc = gnutls_x509_crt_get_serial(crt, serial, &slen)) < 0) {
        r = crypto_fail(err, errsize, "reading the new certificate", grc);
        goto out;
    }
    to_hex(fp, fplen, out->fingerprint);
    to_hex(serial, slen, out->serial);

    /* A browser's certificate picker and key store list the friendly name:
     * whose certificate it is, for which site, and where it belongs. */
    char friendly[TS_HOLDER_MAX + sizeof q.name + 16];
    snprintf(friendly, sizeof friendly, "%s: %s (tocsin)", req->csirt ? "CSIRT" : q.name,
             req->holder);
    if ((r = build_p12(crt, key, ca->crt, friendly, p12_password, &p12, err, errsize)))
        goto out;
    if ((r = write_pair(out->cert_path, out->key_path, crt, key, err, errsize)))
        goto out;
    written = 2;
    if ((r = write_new(out->p12_path, p12.data, p12.size, 0600, err, errsize)))
        goto out;
    written = 3;
    if (fsync_dir(outdir) != 0) {
        ts_seterr(err, errsize, "%s: %s", outdir, strerror(errno));
        r = TS_EIO;
        goto out;
    }
    /* Registered last: this is the step that makes the certificate count. */
    ts_cert_rec_t rec = {
        .fingerprint = out->fingerprint,
        .serial = out->serial,
        .site_id = req->csirt ? 0 : req->site_id,
        .csirt = req->csirt,
        .holder = req->holder,
        .reader = req->reader,
        .not_before = nb,
        .not_after = na,
    };
    r = ts_store_cert_add(st, &rec);
    if (r)
        ts_seterr(err, errsize, "registering the certificate: %s",
                  r == TS_ENOENT ? "no such site" : ts_store_errmsg(st));
out:
    if (r) {
        for (size_t i = 0; i < written; i++)
            unlink(paths[i]);
        out->fingerprint[0] = out->serial[0] = '\0';
    }
    datum_wipe(&p12);
    if (crt)
        gnutls_x509_crt_deinit(crt);
    if (key)
        gnutls_x509_privkey_deinit(key);
    return r;
}

int ts_ca_crl_next_update(const char *dir, int64_t *next, char *err, size_t errsize)
{
    char path[4096], why[128];
    snprintf(path, sizeof path, "%s/%s", dir, TS_CA_CRL_FILE);
    char *pem;
    size_t len;
    int r = ts_file_read(path, 1u << 20, TS_FILE_REGULAR, &pem, &len, why, sizeof why);
    if (r) {
        ts_seterr(err, errsize, "%s: %s", path, why);
        return r == TS_ENOENT ? TS_ENOENT : TS_EIO;
    }
    gnutls_x509_crl_t crl;
    gnutls_datum_t d = {(unsigned char *)pem, (unsigned)len};
    time_t t = (time_t)-1;
    if (gnutls_x509_crl_init(&crl) == 0) {
        if (gnutls_x509_crl_import(crl, &d, GNUTLS_X509_FMT_PEM) == 0)
            t = gnutls_x509_crl_get_next_update(crl);
        gnutls_x509_crl_deinit(crl);
    }
    free(pem);
    if (t == (time_t)-1) {
        ts_seterr(err, errsize, "%s: no readable CRL with a next update", path);
        return TS_ECRYPTO;
    }
    *next = (int64_t)t * 1000000;
    return 0;
}
