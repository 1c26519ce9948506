/* SPDX-License-Identifier: Apache-2.0 */
/* tocsin's CA: refusals first (bad arguments, an existing CA, unknown sites,
 * existing output files, a key that does not match), then what the written
 * files say when read back with GnuTLS: the CA's constraints, the server's
 * names, the client certificates' key usages and identifiers, the PKCS#12
 * bundle, file modes, and a CRL that is signed by the CA and lists exactly
 * the revoked serials, including those of a removed site. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/pkcs12.h>
#include <gnutls/x509.h>

#include "core/event.h"
#include "portal/pki.h"
#include "store/certreg.h"
#include "store/store.h"
#include "testutil.h"
#include "ttstore.h"

static const char *const default_names[] = {"localhost", "127.0.0.1", "::1", NULL};

typedef struct fx {
    char *dir;
    char ca_dir[4200];
    char out_dir[4200];
    char db[4200];
    ts_store_t *st;
    ts_ca_t *ca;
    int64_t site_a, site_b;
} fx_t;

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    f->dir = tt_tmpdir();
    if (f->dir == NULL)
        return -1;
    snprintf(f->ca_dir, sizeof f->ca_dir, "%s/ca", f->dir);
    snprintf(f->out_dir, sizeof f->out_dir, "%s/out", f->dir);
    if (mkdir(f->out_dir, 0700) != 0 || tt_store_fresh(f->dir, "t.db", f->db, sizeof f->db) ||
        ts_store_open(f->db, &f->st) != 0 ||
        ts_store_site_add(f->st, "uni-a", 0, "", &f->site_a) != 0 ||
        ts_store_site_add(f->st, "uni-b", 0, "", &f->site_b) != 0)
        return -1;
    *state = f;
    return 0;
}

/* With a CA made and opened. */
static int setup_ca(void **state)
{
    if (setup(state))
        return -1;
    fx_t *f = *state;
    char err[256];
    if (ts_ca_init(f->ca_dir, "Test CA", 30, default_names, err, sizeof err) != 0) {
        fprintf(stderr, "ca init: %s\n", err);
        return -1;
    }
    return ts_ca_open(f->ca_dir, &f->ca, err, sizeof err) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    ts_ca_close(f->ca);
    ts_store_close(f->st);
    tt_store_drop(f->db);
    tt_rmtree(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

static gnutls_x509_crt_t load_crt(const char *path)
{
    size_t len = 0;
    char *pem = tt_read_file(path, &len);
    assert_non_null(pem);
    gnutls_datum_t d = {(unsigned char *)pem, (unsigned)len};
    gnutls_x509_crt_t crt;
    assert_int_equal(gnutls_x509_crt_init(&crt), 0);
    assert_int_equal(gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_PEM), 0);
    free(pem);
    return crt;
}

static gnutls_x509_crt_t load_in(const char *dir, const char *name)
{
    char p[4400];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return load_crt(p);
}

static gnutls_x509_crl_t load_crl(const char *dir)
{
    char p[4400];
    snprintf(p, sizeof p, "%s/%s", dir, TS_CA_CRL_FILE);
    size_t len = 0;
    char *pem = tt_read_file(p, &len);
    assert_non_null(pem);
    gnutls_datum_t d = {(unsigned char *)pem, (unsigned)len};
    gnutls_x509_crl_t crl;
    assert_int_equal(gnutls_x509_crl_init(&crl), 0);
    assert_int_equal(gnutls_x509_crl_import(crl, &d, GNUTLS_X509_FMT_PEM), 0);
    free(pem);
    return crl;
}

static unsigned mode_of(const char *path)
{
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    return sb.st_mode & 07777;
}

static bool exists(const char *path)
{
    struct stat sb;
    return lstat(path, &sb) == 0;
}

static size_t count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

static int count_certs(const ts_cert_rec_t *r, void *ctx)
{
    (void)r;
    (*(int *)ctx)++;
    return 0;
}

static bool has_eku(gnutls_x509_crt_t crt, const char *oid)
{
    for (unsigned i = 0;; i++) {
        char buf[128];
        size_t sz = sizeof buf;
        int r = gnutls_x509_crt_get_key_purpose_oid(crt, i, buf, &sz, NULL);
        if (r < 0)
            return false;
        if (strcmp(buf, oid) == 0)
            return true;
    }
}

static unsigned verify_with(gnutls_x509_crt_t crt, gnutls_x509_crt_t ca)
{
    unsigned status = 0xffff;
    assert_int_equal(gnutls_x509_crt_verify(crt, &ca, 1, 0, &status), 0);
    return status;
}

static ts_cert_request_t req_for(int64_t site, const char *holder)
{
    ts_cert_request_t r = {
        .site_id = site,
        .csirt = site == 0,
        .holder = holder,
        .not_before = TS_TIME_NONE,
        .not_after = TS_TIME_NONE,
    };
    return r;
}

/* ---- Refusals ---------------------------------------------------------------- */

static void test_init_refusals(void **state)
{
    fx_t *f = *state;
    char err[256];
    static const char *const none[] = {NULL};
    static const char *const bad_name[] = {"local host", NULL};
    static const char *const ctrl_name[] = {"a\nb", NULL};
    assert_int_equal(ts_ca_init(NULL, "CA", 30, default_names, err, sizeof err), TS_EINVAL);
    assert_int_equal(ts_ca_init("", "CA", 30, default_names, err, sizeof err), TS_EINVAL);
    assert_int_equal(ts_ca_init(f->ca_dir, "", 30, default_names, err, sizeof err), TS_EINVAL);
    assert_int_equal(ts_ca_init(f->ca_dir, "a\x01", 30, default_names, err, sizeof err), TS_EINVAL);
    assert_int_equal(ts_ca_init(f->ca_dir, "CA", 0, default_names, err, sizeof err), TS_EINVAL);
    assert_int_equal(ts_ca_init(f->ca_dir, "CA", 30, NULL, err, sizeof err), TS_EINVAL);
    assert_int_equal(ts_ca_init(f->ca_dir, "CA", 30, none, err, sizeof err), TS_EINVAL);
    assert_int_equal(ts_ca_init(f->ca_dir, "CA", 30, bad_name, err, sizeof err), TS_EINVAL);
    assert_int_equal(ts_ca_init(f->ca_dir, "CA", 30, ctrl_name, err, sizeof err), TS_EINVAL);
    assert_false(exists(f->ca_dir));
    /* A missing parent directory. */
    char deep[4400];
    snprintf(deep, sizeof deep, "%s/no/such", f->dir);
    assert_int_equal(ts_ca_init(deep, "CA", 30, default_names, err, sizeof err), TS_ENOENT);
    /* An existing directory open to others is refused, not chmod'ed. */
    char open_dir[4400];
    snprintf(open_dir, sizeof open_dir, "%s/open", f->dir);
    assert_int_equal(mkdir(open_dir, 0755), 0);
    assert_int_equal(chmod(open_dir, 0755), 0);
    assert_int_equal(ts_ca_init(open_dir, "CA", 30, default_names, err, sizeof err), TS_EINVAL);
    assert_int_equal(count_entries(open_dir), 0);

    /* Opening where there is no CA. */
    ts_ca_t *ca = (ts_ca_t *)1;
    assert_int_equal(ts_ca_open(f->out_dir, &ca, err, sizeof err), TS_ENOENT);
    assert_null(ca);
    assert_int_equal(ts_ca_open("", &ca, err, sizeof err), TS_EINVAL);

    /* A second init never overwrites. */
    assert_int_equal(ts_ca_init(f->ca_dir, "CA", 30, default_names, err, sizeof err), 0);
    size_t len1 = 0, len2 = 0;
    char kp[4400];
    snprintf(kp, sizeof kp, "%s/%s", f->ca_dir, TS_CA_KEY_FILE);
    char *before = tt_read_file(kp, &len1);
    assert_int_equal(ts_ca_init(f->ca_dir, "CA", 30, default_names, err, sizeof err), TS_EEXIST);
    assert_non_null(strstr(err, "already"));
    char *after = tt_read_file(kp, &len2);
    assert_int_equal(len1, len2);
    assert_memory_equal(before, after, len1);
    free(before);
    free(after);
}

static void test_open_refusals(void **state)
{
    fx_t *f = *state;
    char err[256], kp[4400], sp[4400], tmp[4400];
    snprintf(kp, sizeof kp, "%s/%s", f->ca_dir, TS_CA_KEY_FILE);
    snprintf(sp, sizeof sp, "%s/%s", f->ca_dir, TS_CA_SERVER_KEY_FILE);
    snprintf(tmp, sizeof tmp, "%s/keep", f->dir);
    ts_ca_t *ca = NULL;
    /* A key readable by others. */
    assert_int_equal(chmod(kp, 0644), 0);
    assert_int_equal(ts_ca_open(f->ca_dir, &ca, err, sizeof err), TS_EIO);
    assert_null(ca);
    assert_int_equal(chmod(kp, 0600), 0);
    /* The server's key in place of the CA's. */
    assert_int_equal(rename(kp, tmp), 0);
    size_t len = 0;
    char *skey = tt_read_file(sp, &len);
    assert_int_equal(tt_write_file(kp, skey, len), 0);
    free(skey);
    assert_int_equal(chmod(kp, 0600), 0);
    assert_int_equal(ts_ca_open(f->ca_dir, &ca, err, sizeof err), TS_ECRYPTO);
    assert_null(ca);
    /* Garbage. */
    assert_int_equal(tt_write_file(kp, "not a key\n", 10), 0);
    assert_int_equal(ts_ca_open(f->ca_dir, &ca, err, sizeof err), TS_ECRYPTO);
    /* A symlink is not followed. */
    assert_int_equal(unlink(kp), 0);
    assert_int_equal(symlink(tmp, kp), 0);
    assert_int_equal(ts_ca_open(f->ca_dir, &ca, err, sizeof err), TS_EIO);
    assert_int_equal(unlink(kp), 0);
    assert_int_equal(rename(tmp, kp), 0);
    assert_int_equal(ts_ca_open(f->ca_dir, &ca, err, sizeof err), 0);
    ts_ca_close(ca);
}

static void test_issue_refusals(void **state)
{
    fx_t *f = *state;
    char err[256];
    ts_issued_t out;
    ts_cert_request_t rq = req_for(f->site_b + 50, "Alice");
    assert_int_equal(ts_ca_issue(f->ca, f->st, &rq, f->out_dir, "x", "pw", &out, err, sizeof err),
                     TS_ENOENT);
    rq = req_for(f->site_a, "");
    assert_int_equal(ts_ca_issue(f->ca, f->st, &rq, f->out_dir, "x", "pw", &out, err, sizeof err),
                     TS_EINVAL);
    rq = req_for(f->site_a, "Al\nice");
    assert_int_equal(ts_ca_issue(f->ca, f->st, &rq, f->out_dir, "x", "pw", &out, err, sizeof err),
                     TS_EINVAL);
    rq = req_for(f->site_a, "Alice");
    rq.csirt = true;
    assert_int_equal(ts_ca_issue(f->ca, f->st, &rq, f->out_dir, "x", "pw", &out, err, sizeof err),
                     TS_EINVAL);
    rq = req_for(f->site_a, "Alice");
    rq.not_after = INT64_C(1700000000000000);
    rq.not_before = rq.not_after + 1000000;
    assert_int_equal(ts_ca_issue(f->ca, f->st, &rq, f->out_dir, "x", "pw", &out, err, sizeof err),
                     TS_EINVAL);
    rq = req_for(f->site_a, "Alice");
    static const char *const bad_bases[] = {"", "../x", "a/b", ".hidden", "-opt", "a b"};
    for (size_t i = 0; i < sizeof bad_bases / sizeof bad_bases[0]; i++)
        assert_int_equal(
            ts_ca_issue(f->ca, f->st, &rq, f->out_dir, bad_bases[i], "pw", &out, err, sizeof err),
            TS_EINVAL);
    assert_int_equal(ts_ca_issue(f->ca, f->st, &rq, f->out_dir, "x", NULL, &out, err, sizeof err),
                     TS_EINVAL);
    /* A missing output directory. */
    char nodir[4400];
    snprintf(nodir, sizeof nodir, "%s/none", f->dir);
    assert_int_not_equal(ts_ca_issue(f->ca, f->st, &rq, nodir, "x", "pw", &out, err, sizeof err),
                         0);
    assert_int_equal(count_entries(f->out_dir), 0);

    /* Any one existing output file stops the whole issue, and stays as it was. */
    static const char *const exts[] = {".pem", ".key", ".p12"};
    for (size_t i = 0; i < 3; i++) {
        char p[4400];
        snprintf(p, sizeof p, "%s/uni-a-alice%s", f->out_dir, exts[i]);
        assert_int_equal(tt_write_file(p, "keep", 4), 0);
        assert_int_equal(
            ts_ca_issue(f->ca, f->st, &rq, f->out_dir, "uni-a-alice", "pw", &out, err, sizeof err),
            TS_EEXIST);
        assert_non_null(strstr(err, exts[i]));
        assert_int_equal(count_entries(f->out_dir), 1);
        size_t len = 0;
        char *c = tt_read_file(p, &len);
        assert_int_equal(len, 4);
        free(c);
        assert_int_equal(unlink(p), 0);
    }
    /* A dangling symlink counts as existing. */
    char link[4400];
    snprintf(link, sizeof link, "%s/uni-a-alice.key", f->out_dir);
    assert_int_equal(symlink("/nonexistent/target", link), 0);
    assert_int_equal(
        ts_ca_issue(f->ca, f->st, &rq, f->out_dir, "uni-a-alice", "pw", &out, err, sizeof err),
        TS_EEXIST);
    assert_int_equal(unlink(link), 0);

    int n = 0;
    assert_int_equal(ts_store_certs_foreach(f->st, count_certs, &n), 0);
    assert_int_equal(n, 0);
}

/* ---- What the files say -------------------------------------------------------- */

static void test_ca_files(void **state)
{
    fx_t *f = *state;
    assert_int_equal(mode_of(f->ca_dir), 0700);
    char p[4400];
    snprintf(p, sizeof p, "%s/%s", f->ca_dir, TS_CA_KEY_FILE);
    assert_int_equal(mode_of(p), 0600);
    snprintf(p, sizeof p, "%s/%s", f->ca_dir, TS_CA_SERVER_KEY_FILE);
    assert_int_equal(mode_of(p), 0600);
    assert_string_equal(ts_ca_dir(f->ca), f->ca_dir);

    gnutls_x509_crt_t ca = load_in(f->ca_dir, TS_CA_CERT_FILE);
    unsigned is_ca = 0, crit = 0;
    int pathlen = -5;
    assert_int_equal(gnutls_x509_crt_get_basic_constraints(ca, &crit, &is_ca, &pathlen), 1);
    assert_true(is_ca);
    assert_int_equal(pathlen, 0);
    unsigned ku = 0;
    assert_true(gnutls_x509_crt_get_key_usage(ca, &ku, &crit) >= 0);
    assert_int_equal(ku, GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN);
    unsigned bits = 0;
    assert_int_equal(gnutls_x509_crt_get_pk_algorithm(ca, &bits), GNUTLS_PK_ECDSA);
    gnutls_ecc_curve_t curve;
    assert_int_equal(gnutls_x509_crt_get_pk_ecc_raw(ca, &curve, NULL, NULL), 0);
    assert_int_equal(curve, GNUTLS_ECC_CURVE_SECP256R1);
    unsigned char serial[32];
    size_t slen = sizeof serial;
    assert_int_equal(gnutls_x509_crt_get_serial(ca, serial, &slen), 0);
    assert_int_equal(slen, 16);
    assert_int_equal(serial[0] & 0x80, 0);
    char cn[128];
    size_t cnlen = sizeof cn;
    assert_int_equal(
        gnutls_x509_crt_get_dn_by_oid(ca, GNUTLS_OID_X520_COMMON_NAME, 0, 0, cn, &cnlen), 0);
    assert_string_equal(cn, "Test CA");
    assert_int_equal(verify_with(ca, ca), 0);

    gnutls_x509_crt_t srv = load_in(f->ca_dir, TS_CA_SERVER_CERT_FILE);
    assert_int_equal(verify_with(srv, ca), 0);
    assert_true(has_eku(srv, GNUTLS_KP_TLS_WWW_SERVER));
    assert_false(has_eku(srv, GNUTLS_KP_TLS_WWW_CLIENT));
    assert_int_equal(gnutls_x509_crt_get_basic_constraints(srv, &crit, &is_ca, &pathlen), 0);
    assert_false(is_ca);
    assert_true(gnutls_x509_crt_check_hostname(srv, "localhost"));
    assert_true(gnutls_x509_crt_check_hostname(srv, "127.0.0.1"));
    assert_true(gnutls_x509_crt_check_hostname(srv, "::1"));
    assert_false(gnutls_x509_crt_check_hostname(srv, "example.org"));
    /* The addresses are IP SANs, not DNS names spelling an address. */
    int saw_ip = 0;
    for (unsigned i = 0;; i++) {
        char san[64];
        size_t sz = sizeof san;
        int t = gnutls_x509_crt_get_subject_alt_name(srv, i, san, &sz, NULL);
        if (t < 0)
            break;
        if (t == GNUTLS_SAN_IPADDRESS)
            saw_ip++;
        if (t == GNUTLS_SAN_DNSNAME)
            assert_string_equal(san, "localhost");
    }
    assert_int_equal(saw_ip, 2);

    /* The CRL from the start: empty, signed by the CA. */
    gnutls_x509_crl_t crl = load_crl(f->ca_dir);
    assert_int_equal(gnutls_x509_crl_get_crt_count(crl), 0);
    unsigned status = 0xffff;
    assert_int_equal(gnutls_x509_crl_verify(crl, &ca, 1, 0, &status), 0);
    assert_int_equal(status, 0);
    gnutls_x509_crl_deinit(crl);
    gnutls_x509_crt_deinit(srv);
    gnutls_x509_crt_deinit(ca);
}

static void hex_of(const unsigned char *b, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", b[i]);
}

struct one {
    bool found, csirt, exists;
    char site[64], holder[64];
    int64_t nb, na;
};

static int get_one(const ts_cert_rec_t *r, void *ctx)
{
    struct one *o = ctx;
    o->found = true;
    o->csirt = r->csirt;
    o->exists = r->site_exists;
    snprintf(o->site, sizeof o->site, "%s", r->site_name);
    snprintf(o->holder, sizeof o->holder, "%s", r->holder);
    o->nb = r->not_before;
    o->na = r->not_after;
    return 0;
}

static void test_issue(void **state)
{
    fx_t *f = *state;
    char err[256];
    ts_issued_t out;
    ts_cert_request_t rq = req_for(f->site_a, "Alice Example");
    assert_int_equal(
        ts_ca_issue(f->ca, f->st, &rq, f->out_dir, "uni-a-alice", "s3cret", &out, err, sizeof err),
        0);
    assert_int_equal(mode_of(out.key_path), 0600);
    assert_int_equal(mode_of(out.p12_path), 0600);
    assert_non_null(strstr(out.cert_path, "/uni-a-alice.pem"));
    assert_int_equal(strlen(out.serial), 32);
    assert_true(ts_cert_fingerprint_valid(out.fingerprint));

    gnutls_x509_crt_t crt = load_crt(out.cert_path);
    gnutls_x509_crt_t ca = load_in(f->ca_dir, TS_CA_CERT_FILE);
    assert_int_equal(verify_with(crt, ca), 0);
    assert_true(has_eku(crt, GNUTLS_KP_TLS_WWW_CLIENT));
    assert_false(has_eku(crt, GNUTLS_KP_TLS_WWW_SERVER));
    unsigned ku = 0, crit = 0, is_ca = 1;
    assert_true(gnutls_x509_crt_get_key_usage(crt, &ku, &crit) >= 0);
    assert_int_equal(ku, GNUTLS_KEY_DIGITAL_SIGNATURE);
    assert_int_equal(gnutls_x509_crt_get_basic_constraints(crt, &crit, &is_ca, NULL), 0);
    assert_false(is_ca);
    /* The fingerprint and serial reported are those of the file. */
    unsigned char fp[32], serial[32];
    size_t fplen = sizeof fp, slen = sizeof serial;
    char hex[80];
    assert_int_equal(gnutls_x509_crt_get_fingerprint(crt, GNUTLS_DIG_SHA256, fp, &fplen), 0);
    hex_of(fp, fplen, hex);
    assert_string_equal(hex, out.fingerprint);
    assert_int_equal(gnutls_x509_crt_get_serial(crt, serial, &slen), 0);
    hex_of(serial, slen, hex);
    assert_string_equal(hex, out.serial);
    /* The authority key id is the CA's subject key id. */
    unsigned char aki[64], ski[64];
    size_t akilen = sizeof aki, skilen = sizeof ski;
    assert_int_equal(gnutls_x509_crt_get_authority_key_id(crt, aki, &akilen, &crit), 0);
    assert_int_equal(gnutls_x509_crt_get_subject_key_id(ca, ski, &skilen, &crit), 0);
    assert_int_equal(akilen, skilen);
    assert_memory_equal(aki, ski, akilen);
    skilen = sizeof ski;
    assert_int_equal(gnutls_x509_crt_get_subject_key_id(crt, ski, &skilen, &crit), 0);
    char ou[64];
    size_t oulen = sizeof ou;
    assert_int_equal(gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_ORGANIZATIONAL_UNIT_NAME, 0,
                                                   0, ou, &oulen),
                     0);
    assert_string_equal(ou, "uni-a");

    /* Registered under that fingerprint, with the certificate's validity. */
    struct one o = {0};
    assert_int_equal(ts_store_cert_lookup(f->st, out.fingerprint, get_one, &o), 0);
    assert_true(o.found);
    assert_true(o.exists);
    assert_string_equal(o.site, "uni-a");
    assert_string_equal(o.holder, "Alice Example");
    assert_int_equal(o.nb / 1000000, gnutls_x509_crt_get_activation_time(crt));
    assert_int_equal(o.na / 1000000, gnutls_x509_crt_get_expiration_time(crt));
    time_t now = time(NULL);
    assert_true(o.nb / 1000000 <= now && o.nb / 1000000 >= now - 120);
    assert_true(o.na - o.nb == INT64_C(365) * 86400 * 1000000);

    /* The PKCS#12: the MAC verifies with the password only, and it holds
     * this certificate with its key. */
    size_t len = 0;
    char *der = tt_read_file(out.p12_path, &len);
    assert_non_null(der);
    gnutls_datum_t d = {(unsigned char *)der, (unsigned)len};
    gnutls_pkcs12_t p12;
    assert_int_equal(gnutls_pkcs12_init(&p12), 0);
    assert_int_equal(gnutls_pkcs12_import(p12, &d, GNUTLS_X509_FMT_DER, 0), 0);
    assert_int_not_equal(gnutls_pkcs12_verify_mac(p12, "wrong"), 0);
    assert_int_equal(gnutls_pkcs12_verify_mac(p12, "s3cret"), 0);
    gnutls_x509_privkey_t key = NULL;
    gnutls_x509_crt_t *chain = NULL;
    unsigned chain_len = 0;
    assert_int_equal(
        gnutls_pkcs12_simple_parse(p12, "s3cret", &key, &chain, &chain_len, NULL, NULL, NULL, 0),
        0);
    assert_true(chain_len >= 1);
    assert_int_equal(gnutls_x509_crt_equals(chain[0], crt), 1);
    unsigned char k1[64], k2[64];
    size_t k1len = sizeof k1, k2len = sizeof k2;
    assert_int_equal(gnutls_x509_privkey_get_key_id(key, GNUTLS_KEYID_USE_SHA256, k1, &k1len), 0);
    assert_int_equal(gnutls_x509_crt_get_key_id(crt, GNUTLS_KEYID_USE_SHA256, k2, &k2len), 0);
    assert_memory_equal(k1, k2, k1len);
    for (unsigned i = 0; i < chain_len; i++)
        gnutls_x509_crt_deinit(chain[i]);
    gnutls_free(chain);
    gnutls_x509_privkey_deinit(key);
    gnutls_pkcs12_deinit(p12);
    free(der);

    /* The same holder again gets a new certificate with its own identity. */
    ts_issued_t out2;
    assert_int_equal(
        ts_ca_issue(f->ca, f->st, &rq, f->out_dir, "uni-a-alice.2", "", &out2, err, sizeof err), 0);
    assert_string_not_equal(out2.fingerprint, out.fingerprint);
    assert_string_not_equal(out2.serial, out.serial);
    /* Empty password: the MAC verifies with "". */
    der = tt_read_file(out2.p12_path, &len);
    d.data = (unsigned char *)der;
    d.size = (unsigned)len;
    assert_int_equal(gnutls_pkcs12_init(&p12), 0);
    assert_int_equal(gnutls_pkcs12_import(p12, &d, GNUTLS_X509_FMT_DER, 0), 0);
    assert_int_equal(gnutls_pkcs12_verify_mac(p12, ""), 0);
    gnutls_pkcs12_deinit(p12);
    free(der);
    gnutls_x509_crt_deinit(crt);
    gnutls_x509_crt_deinit(ca);
}

static void test_issue_variants(void **state)
{
    fx_t *f = *state;
    char err[256];
    ts_issued_t out;
    /* Without clientAuth (for the server's refusal tests). */
    ts_cert_request_t rq = req_for(f->site_a, "No EKU");
    rq.no_client_auth = true;
    assert_int_equal(
        ts_ca_issue(f->ca, f->st, &rq, f->out_dir, "noeku", "pw", &out, err, sizeof err), 0);
    gnutls_x509_crt_t crt = load_crt(out.cert_path);
    assert_false(has_eku(crt, GNUTLS_KP_TLS_WWW_CLIENT));
    gnutls_x509_crt_deinit(crt);

    /* Expired and not yet valid, exactly as asked. */
    int64_t now = (int64_t)time(NULL) * 1000000;
    rq = req_for(f->site_a, "Past");
    rq.not_before = now - INT64_C(10) * 86400 * 1000000;
    rq.not_after = now - INT64_C(1) * 86400 * 1000000;
    assert_int_equal(
        ts_ca_issue(f->ca, f->st, &rq, f->out_dir, "past", "pw", &out, err, sizeof err), 0);
    crt = load_crt(out.cert_path);
    assert_int_equal(gnutls_x509_crt_get_expiration_time(crt), rq.not_after / 1000000);
    gnutls_x509_crt_t ca = load_in(f->ca_dir, TS_CA_CERT_FILE);
    assert_true(verify_with(crt, ca) & GNUTLS_CERT_EXPIRED);
    gnutls_x509_crt_deinit(crt);
    rq = req_for(f->site_a, "Future");
    rq.not_before = now + INT64_C(1) * 86400 * 1000000;
    rq.not_after = TS_TIME_NONE;
    assert_int_equal(
        ts_ca_issue(f->ca, f->st, &rq, f->out_dir, "future", "pw", &out, err, sizeof err), 0);
    crt = load_crt(out.cert_path);
    assert_int_equal(gnutls_x509_crt_get_activation_time(crt), rq.not_before / 1000000);
    assert_int_equal(gnutls_x509_crt_get_expiration_time(crt),
                     rq.not_before / 1000000 + 365 * 86400);
    assert_true(verify_with(crt, ca) & GNUTLS_CERT_NOT_ACTIVATED);
    gnutls_x509_crt_deinit(crt);

    /* A CSIRT certificate. */
    rq = req_for(0, "Duty officer");
    assert_int_equal(
        ts_ca_issue(f->ca, f->st, &rq, f->out_dir, "csirt-duty", "pw", &out, err, sizeof err), 0);
    struct one o = {0};
    assert_int_equal(ts_store_cert_lookup(f->st, out.fingerprint, get_one, &o), 0);
    assert_true(o.csirt);
    crt = load_crt(out.cert_path);
    char ou[64];
    size_t oulen = sizeof ou;
    assert_int_equal(gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_ORGANIZATIONAL_UNIT_NAME, 0,
                                                   0, ou, &oulen),
                     0);
    assert_string_equal(ou, "CSIRT");
    gnutls_x509_crt_deinit(crt);
    gnutls_x509_crt_deinit(ca);
}

/* ---- The CRL ----------------------------------------------------------------- */

static void test_crl(void **state)
{
    fx_t *f = *state;
    char err[256];
    ts_issued_t a, b, c, d;
    ts_cert_request_t rq = req_for(f->site_a, "A");
    assert_int_equal(ts_ca_issue(f->ca, f->st, &rq, f->out_dir, "a", "", &a, err, sizeof err), 0);
    rq = req_for(f->site_b, "B");
    assert_int_equal(ts_ca_issue(f->ca, f->st, &rq, f->out_dir, "b", "", &b, err, sizeof err), 0);
    rq = req_for(f->site_a, "C");
    assert_int_equal(ts_ca_issue(f->ca, f->st, &rq, f->out_dir, "c", "", &c, err, sizeof err), 0);
    rq = req_for(0, "D");
    assert_int_equal(ts_ca_issue(f->ca, f->st, &rq, f->out_dir, "d", "", &d, err, sizeof err), 0);

    assert_int_equal(ts_ca_write_crl(f->ca, f->st, 0, err, sizeof err), TS_EINVAL);
    assert_int_equal(ts_ca_write_crl(f->ca, f->st, 24 * 367, err, sizeof err), TS_EINVAL);

    int64_t when = INT64_C(1750000000) * 1000000;
    assert_int_equal(ts_store_cert_revoke(f->st, b.serial, when), 0);
    assert_int_equal(ts_store_cert_revoke(f->st, d.fingerprint, when + 5000000), 0);
    /* The revoked site-b certificate must stay listed after its site goes. */
    assert_int_equal(ts_store_site_remove(f->st, f->site_b), 0);

    time_t t0 = time(NULL);
    assert_int_equal(ts_ca_write_crl(f->ca, f->st, 5, err, sizeof err), 0);
    time_t t1 = time(NULL);
    gnutls_x509_crl_t crl = load_crl(f->ca_dir);
    gnutls_x509_crt_t ca = load_in(f->ca_dir, TS_CA_CERT_FILE);
    unsigned status = 0xffff;
    assert_int_equal(gnutls_x509_crl_verify(crl, &ca, 1, 0, &status), 0);
    assert_int_equal(status, 0);
    assert_true(gnutls_x509_crl_get_next_update(crl) >= t0 + 5 * 3600);
    assert_true(gnutls_x509_crl_get_next_update(crl) <= t1 + 5 * 3600);
    assert_true(gnutls_x509_crl_get_this_update(crl) >= t0);
    assert_int_equal(gnutls_x509_crl_get_crt_count(crl), 2);
    bool saw_b = false, saw_d = false;
    for (unsigned i = 0; i < 2; i++) {
        unsigned char s[32];
        size_t slen = sizeof s;
        time_t rt = 0;
        char hex[80];
        assert_int_equal(gnutls_x509_crl_get_crt_serial(crl, i, s, &slen, &rt), 0);
        hex_of(s, slen, hex);
        if (strcmp(hex, b.serial) == 0) {
            saw_b = true;
            assert_int_equal(rt, 1750000000);
        } else if (strcmp(hex, d.serial) == 0) {
            saw_d = true;
            assert_int_equal(rt, 1750000005);
        } else {
            fail_msg("unexpected serial %s in the CRL", hex);
        }
    }
    assert_true(saw_b && saw_d);
    /* The certificates themselves are now refused by a CRL check. */
    gnutls_x509_crt_t cb = load_crt(b.cert_path), cc = load_crt(c.cert_path);
    assert_int_equal(gnutls_x509_crt_check_revocation(cb, &crl, 1), 1);
    assert_int_equal(gnutls_x509_crt_check_revocation(cc, &crl, 1), 0);
    gnutls_x509_crt_deinit(cb);
    gnutls_x509_crt_deinit(cc);

    /* A CRL signed by another CA does not verify against ours. */
    char other[4400];
    snprintf(other, sizeof other, "%s/other", f->dir);
    assert_int_equal(ts_ca_init(other, "Other", 1, default_names, err, sizeof err), 0);
    gnutls_x509_crl_t ocrl = load_crl(other);
    status = 0;
    assert_int_equal(gnutls_x509_crl_verify(ocrl, &ca, 1, 0, &status), 0);
    assert_true(status & GNUTLS_CERT_INVALID);
    gnutls_x509_crl_deinit(ocrl);

    /* Rewritten atomically: no temporary file is left behind, and the CRL
     * number grows. */
    unsigned char n1[32], n2[32];
    size_t n1len = sizeof n1, n2len = sizeof n2;
    unsigned crit = 0;
    assert_int_equal(gnutls_x509_crl_get_number(crl, n1, &n1len, &crit), 0);
    assert_int_equal(ts_store_cert_revoke(f->st, a.serial, when), 0);
    assert_int_equal(ts_ca_write_crl(f->ca, f->st, 1, err, sizeof err), 0);
    gnutls_x509_crl_deinit(crl);
    crl = load_crl(f->ca_dir);
    assert_int_equal(gnutls_x509_crl_get_crt_count(crl), 3);
    assert_int_equal(gnutls_x509_crl_get_number(crl, n2, &n2len, &crit), 0);
    assert_int_equal(n1len, n2len);
    assert_true(memcmp(n2, n1, n1len) > 0);
    assert_int_equal(count_entries(f->ca_dir), 5);
    gnutls_x509_crl_deinit(crl);
    gnutls_x509_crt_deinit(ca);
}

/* Revocations in several processes at once: whatever the order, the last CRL
 * written lists every one of them. */
static void test_crl_concurrent(void **state)
{
    fx_t *f = *state;
    char err[256];
    enum { N = 6 };
    ts_issued_t is[N];
    for (int i = 0; i < N; i++) {
        char base[16];
        snprintf(base, sizeof base, "p%d", i);
        ts_cert_request_t rq = req_for(f->site_a, base);
        assert_int_equal(
            ts_ca_issue(f->ca, f->st, &rq, f->out_dir, base, "", &is[i], err, sizeof err), 0);
    }
    pid_t pids[N];
    for (int i = 0; i < N; i++) {
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0) {
            ts_store_t *st = NULL;
            ts_ca_t *ca = NULL;
            int r = ts_store_open(f->db, &st);
            if (r == 0)
                r = ts_ca_open(f->ca_dir, &ca, NULL, 0);
            if (r == 0)
                r = ts_store_cert_revoke(st, is[i].serial, INT64_C(1750000000000000));
            if (r == 0)
                r = ts_ca_write_crl(ca, st, 24, NULL, 0);
            ts_ca_close(ca);
            ts_store_close(st);
            _exit(r == 0 ? 0 : 1);
        }
    }
    for (int i = 0; i < N; i++) {
        int ws = 0;
        assert_int_equal(waitpid(pids[i], &ws, 0), pids[i]);
        assert_true(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
    }
    gnutls_x509_crl_t crl = load_crl(f->ca_dir);
    assert_int_equal(gnutls_x509_crl_get_crt_count(crl), N);
    gnutls_x509_crl_deinit(crl);
    assert_int_equal(count_entries(f->ca_dir), 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_init_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_refusals, setup_ca, teardown),
        cmocka_unit_test_setup_teardown(test_issue_refusals, setup_ca, teardown),
        cmocka_unit_test_setup_teardown(test_ca_files, setup_ca, teardown),
        cmocka_unit_test_setup_teardown(test_issue, setup_ca, teardown),
        cmocka_unit_test_setup_teardown(test_issue_variants, setup_ca, teardown),
        cmocka_unit_test_setup_teardown(test_crl, setup_ca, teardown),
        cmocka_unit_test_setup_teardown(test_crl_concurrent, setup_ca, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
