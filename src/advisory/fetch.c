/* SPDX-License-Identifier: Apache-2.0 */
/* One fetch run against a CSAF provider: metadata, distributions, changed
 * documents, digests and signatures, import, state. See fetch.h. */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gpgme.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "advisory/advisory.h"
#include "advisory/fetch.h"
#include "core/buf.h"
#include "core/event.h"
#include "core/json.h"
#include "core/jsonw.h"
#include "core/log.h"
#include "core/mem.h"
#include "ingest/download.h"
#include "ts_version.h"

#define STATE_MAX (256u << 20) /* bytes of one state file */
#define DIGEST_FILE_MAX 4096u  /* a .sha512 is one line */
#define SIG_MAX (64u << 10)    /* an armored detached signature */
#define KEY_MAX (1u << 20)     /* the armored public key file */
#define STATE_CHECKPOINT 200   /* documents imported between state saves */

/* ---- State: what was imported, per document URL ----------------------------- */

struct sent {
    char *url;
    int64_t date; /* as the provider listed it last time; TS_TIME_NONE */
    bool has_sha; /* imported (or found identical): sha512 valid. Entries without
                     it only mark "seen in this run" and are not saved. */
    bool seen;
    unsigned char sha512[64];
    struct sent *next;
};

struct state {
    char *path; /* the state file */
    char *provider;
    struct sent **b;
    size_t nb, n;
};

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static struct sent *state_get(struct state *S, const char *url)
{
    if (S->nb == 0) {
        S->nb = 1024;
        S->b = ts_xcalloc(S->nb, sizeof *S->b);
    }
    size_t i = fnv1a(url) & (S->nb - 1);
    for (struct sent *e = S->b[i]; e; e = e->next)
        if (strcmp(e->url, url) == 0)
            return e;
    if (S->n >= S->nb * 2) {
        size_t nb = S->nb * 4;
        struct sent **b = ts_xcalloc(nb, sizeof *b);
        for (size_t k = 0; k < S->nb; k++) {
            for (struct sent *e = S->b[k], *nx; e; e = nx) {
                nx = e->next;
                size_t j = fnv1a(e->url) & (nb - 1);
                e->next = b[j];
                b[j] = e;
            }
        }
        free(S->b);
        S->b = b;
        S->nb = nb;
        i = fnv1a(url) & (S->nb - 1);
    }
    struct sent *e = ts_xcalloc(1, sizeof *e);
    e->url = ts_xstrdup(url);
    e->date = TS_TIME_NONE;
    e->next = S->b[i];
    S->b[i] = e;
    S->n++;
    return e;
}

static void state_free(struct state *S)
{
    for (size_t k = 0; k < S->nb; k++) {
        for (struct sent *e = S->b[k], *nx; e; e = nx) {
            nx = e->next;
            free(e->url);
            free(e);
        }
    }
    free(S->b);
    free(S->path);
    free(S->provider);
    *S = (struct state){0};
}

static void hex(const unsigned char *d, size_t n, char *out)
{
    static const char x[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = x[d[i] >> 4];
        out[2 * i + 1] = x[d[i] & 15];
    }
    out[2 * n] = '\0';
}

static int read_file(const char *path, size_t max, ts_buf_t *b, char *err, size_t errsize)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        int e = errno;
        ts_seterr(err, errsize, "%s: %s", path, strerror(e));
        return e == ENOENT ? TS_ENOENT : TS_EIO;
    }
    char chunk[65536];
    size_t n;
    int rc = 0;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (b->len + n > max) {
            ts_seterr(err, errsize, "%s: larger than %zu bytes", path, (size_t)max);
            rc = TS_ETOOBIG;
            break;
        }
        ts_buf_append(b, chunk, n);
    }
    if (rc == 0 && ferror(f)) {
        ts_seterr(err, errsize, "%s: read error", path);
        rc = TS_EIO;
    }
    fclose(f);
    return rc;
}

static int state_load(struct state *S, const char *dir, const char *provider, char *err,
                      size_t errsize)
{
    if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
        ts_seterr(err, errsize, "state directory %s: %s", dir, strerror(errno));
        return TS_EIO;
    }
    unsigned char d[32];
    char name[65];
    if (gnutls_hash_fast(GNUTLS_DIG_SHA256, provider, strlen(provider), d) < 0) {
        ts_seterr(err, errsize, "SHA-256 unavailable");
        return TS_ECRYPTO;
    }
    hex(d, 16, name);
    ts_buf_t p = TS_BUF_INIT;
    ts_buf_printf(&p, "%s/%s.json", dir, name);
    S->path = p.data;
    S->provider = ts_xstrdup(provider);

    ts_buf_t b = TS_BUF_INIT;
    char e[TS_JSON_ERRMAX];
    int rc = read_file(S->path, STATE_MAX, &b, e, sizeof e);
    if (rc == TS_ENOENT) {
        ts_buf_free(&b);
        return 0;
    }
    ts_json_t *root = NULL, *docs = NULL;
    size_t n = 0;
    ts_str_t prov = TS_STR_NULL;
    if (rc == 0)
        rc = ts_json_parse(b.data ? b.data : "", b.len, STATE_MAX, 8, 0, &root, e, sizeof e);
    if (rc == 0)
        rc = ts_json_as_object(root, "state", e, sizeof e);
    if (rc == 0)
        rc = ts_json_get_str(root, "provider", true, &prov, e, sizeof e);
    if (rc == 0 && !ts_str_eq_c(prov, provider)) {
        ts_seterr(e, sizeof e, "written for another provider");
        rc = TS_EINVAL;
    }
    if (rc == 0)
        rc = ts_json_get_array(root, "documents", true, &docs, &n, e, sizeof e);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        ts_json_t *o = ts_json_index(docs, i);
        ts_str_t url = TS_STR_NULL, sha = TS_STR_NULL;
        int64_t date = TS_TIME_NONE;
        size_t dl = 0;
        unsigned char dg[64];
        rc = ts_json_as_object(o, "document", e, sizeof e);
        if (rc == 0)
            rc = ts_json_get_str(o, "url", true, &url, e, sizeof e);
        if (rc == 0)
            rc = ts_json_get_str(o, "sha512", true, &sha, e, sizeof e);
        if (rc == 0)
            rc = ts_json_get_int(o, "date", false, INT64_MIN, INT64_MAX, &date, e, sizeof e);
        if (rc == 0 && (ts_csaf_digest_parse(sha.ptr, sha.len, dg, &dl) < 0 || dl != 64)) {
            ts_seterr(e, sizeof e, "documents[%zu]: bad sha512", i);
            rc = TS_EINVAL;
        }
        if (rc == 0) {
            struct sent *s = state_get(S, url.ptr);
            s->date = date;
            s->has_sha = true;
            memcpy(s->sha512, dg, 64);
        }
    }
    ts_json_free(root);
    ts_buf_free(&b);
    if (rc < 0) {
        /* Not silently reset: starting over would re-import everything. */
        ts_seterr(err, errsize, "state file %s: %s (remove it to start over)", S->path, e);
        return TS_EIO;
    }
    return 0;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* temp file + fsync + rename + fsync of the directory: a crash leaves the old
 * state or the new one, never half of one. */
static int state_save(const struct state *S, const char *dir, char *err, size_t errsize)
{
    ts_buf_t b = TS_BUF_INIT;
    ts_jsonw_t w;
    ts_jsonw_init(&w, &b);
    ts_jsonw_object_begin(&w);
    ts_jsonw_key(&w, "version");
    ts_jsonw_int(&w, 1);
    ts_jsonw_key(&w, "provider");
    ts_jsonw_cstr(&w, S->provider);
    ts_jsonw_key(&w, "documents");
    ts_jsonw_array_begin(&w);
    for (size_t k = 0; k < S->nb; k++) {
        for (const struct sent *e = S->b[k]; e; e = e->next) {
            if (!e->has_sha)
                continue;
            char h[129];
            hex(e->sha512, 64, h);
            ts_jsonw_object_begin(&w);
            ts_jsonw_key(&w, "url");
            ts_jsonw_cstr(&w, e->url);
            if (e->date != TS_TIME_NONE) {
                ts_jsonw_key(&w, "date");
                ts_jsonw_int(&w, e->date);
            }
            ts_jsonw_key(&w, "sha512");
            ts_jsonw_cstr(&w, h);
            ts_jsonw_object_end(&w);
        }
    }
    ts_jsonw_array_end(&w);
    ts_jsonw_object_end(&w);
    ts_buf_putc(&b, '\n');

    ts_buf_t tmp = TS_BUF_INIT;
    ts_buf_printf(&tmp, "%s.tmp.XXXXXX", S->path);
    int rc = 0;
    int fd = mkstemp(tmp.data);
    if (fd < 0 || write_all(fd, b.data, b.len) < 0 || fsync(fd) < 0) {
        ts_seterr(err, errsize, "cannot write %s: %s", tmp.data, strerror(errno));
        rc = TS_EIO;
    }
    if (fd >= 0 && close(fd) < 0 && rc == 0) {
        ts_seterr(err, errsize, "cannot write %s: %s", tmp.data, strerror(errno));
        rc = TS_EIO;
    }
    if (rc == 0 && rename(tmp.data, S->path) < 0) {
        ts_seterr(err, errsize, "cannot rename to %s: %s", S->path, strerror(errno));
        rc = TS_EIO;
    }
    if (rc < 0 && fd >= 0)
        unlink(tmp.data);
    if (rc == 0) {
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            (void)fsync(dfd);
            close(dfd);
        }
    }
    ts_buf_free(&tmp);
    ts_buf_free(&b);
    return rc;
}

/* ---- HTTPS ---------------------------------------------------------------------- */

struct http {
    CURL *h;
    char errbuf[CURL_ERROR_SIZE];
    ts_fetch_stats_t *stats;
    /* sink of the current transfer */
    ts_buf_t *out;
    size_t max;
    bool over;
};

static size_t on_data(char *p, size_t sz, size_t n, void *arg)
{
    struct http *H = arg;
    size_t len = sz * n;
    if (H->out->len + len > H->max) {
        H->over = true;
        return 0; /* aborts the transfer */
    }
    ts_buf_append(H->out, p, len);
    return len;
}

static int http_open(struct http *H, const ts_fetch_opts_t *o, ts_fetch_stats_t *stats, char *err,
                     size_t errsize)
{
    *H = (struct http){.stats = stats};
    H->h = curl_easy_init();
    if (H->h == NULL) {
        ts_seterr(err, errsize, "cannot initialise libcurl");
        return TS_ENET;
    }
    CURL *h = H->h;
    /* The policy of every download (ingest/download.h): https only,
     * verification never optional. */
    CURLcode c = (CURLcode)ts_download_policy(h, o->cacert, o->timeout_s, H->errbuf);
    if (c == CURLE_OK)
        c = curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    if (c == CURLE_OK)
        c = curl_easy_setopt(h, CURLOPT_WRITEDATA, H);
    if (c != CURLE_OK) {
        ts_seterr(err, errsize, "libcurl: %s", curl_easy_strerror(c));
        curl_easy_cleanup(h);
        H->h = NULL;
        return c == CURLE_UNSUPPORTED_PROTOCOL ? TS_ENOTSUP : TS_ENET;
    }
    return 0;
}

static void http_close(struct http *H)
{
    if (H->h)
        curl_easy_cleanup(H->h);
    H->h = NULL;
}

/* GET url into out (at most max bytes).
 * \retval 0 HTTP 200. \retval TS_ENOENT 404 or 410. \retval TS_ETOOBIG
 * over max. \retval TS_EINVAL not an https URL. \retval TS_ENET anything
 * else (err says: TLS, DNS, HTTP status). */
static int http_get(struct http *H, const char *url, size_t max, ts_buf_t *out, char *err,
                    size_t errsize)
{
    ts_buf_reset(out);
    if (!ts_csaf_url_ok(url)) {
        ts_seterr(err, errsize, "%s: not an https URL", url);
        return TS_EINVAL;
    }
    H->out = out;
    H->max = max;
    H->over = false;
    H->errbuf[0] = '\0';
    curl_easy_setopt(H->h, CURLOPT_URL, url);
    curl_easy_setopt(H->h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max);
    CURLcode c = curl_easy_perform(H->h);
    H->stats->requests++;
    H->stats->bytes += out->len;
    if (c == CURLE_FILESIZE_EXCEEDED || (c == CURLE_WRITE_ERROR && H->over)) {
        ts_seterr(err, errsize, "%s: larger than %zu bytes", url, max);
        return TS_ETOOBIG;
    }
    if (c != CURLE_OK) {
        ts_seterr(err, errsize, "%s: %s", url, H->errbuf[0] ? H->errbuf : curl_easy_strerror(c));
        return TS_ENET;
    }
    long status = 0;
    curl_easy_getinfo(H->h, CURLINFO_RESPONSE_CODE, &status);
    if (status == 404 || status == 410) {
        ts_seterr(err, errsize, "%s: HTTP %ld", url, status);
        return TS_ENOENT;
    }
    if (status != 200) {
        ts_seterr(err, errsize, "%s: HTTP %ld", url, status);
        return TS_ENET;
    }
    if (out->data == NULL)
        ts_buf_append(out, "", 0);
    return 0;
}

/* ---- OpenPGP ------------------------------------------------------------------- */

struct gpg {
    gpgme_ctx_t ctx;
    char home[PATH_MAX];
};

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    (void)remove(path);
    return 0;
}

static void gpg_close(struct gpg *G)
{
    if (G->ctx)
        gpgme_release(G->ctx);
    G->ctx = NULL;
    if (G->home[0])
        (void)nftw(G->home, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    G->home[0] = '\0';
}

/* A private keyring in a temporary directory holding only the provider's
 * key: the user's keyring and its trust settings play no part. */
static int gpg_open(struct gpg *G, const char *key_file, char *err, size_t errsize)
{
    *G = (struct gpg){0};
    gpgme_check_version(NULL);
    if (gpgme_engine_check_version(GPGME_PROTOCOL_OpenPGP) != 0) {
        ts_seterr(err, errsize, "no usable OpenPGP engine (gpg)");
        return TS_ECRYPTO;
    }
    ts_buf_t key = TS_BUF_INIT;
    int rc = read_file(key_file, KEY_MAX, &key, err, errsize);
    if (rc < 0) {
        ts_buf_free(&key);
        return rc == TS_ETOOBIG ? TS_ECRYPTO : TS_EIO;
    }
    const char *tmp = getenv("TMPDIR");
    if (tmp == NULL || *tmp == '\0' || strlen(tmp) > 200)
        tmp = "/tmp";
    snprintf(G->home, sizeof G->home, "%s/tocsin-gpg-XXXXXX", tmp);
    if (mkdtemp(G->home) == NULL) {
        ts_seterr(err, errsize, "cannot create a temporary keyring: %s", strerror(errno));
        G->home[0] = '\0';
        ts_buf_free(&key);
        return TS_EIO;
    }
    gpgme_data_t kd = NULL;
    gpgme_error_t ge = gpgme_new(&G->ctx);
    if (!ge)
        ge = gpgme_ctx_set_engine_info(G->ctx, GPGME_PROTOCOL_OpenPGP, NULL, G->home);
    if (!ge)
        ge = gpgme_data_new_from_mem(&kd, key.data ? key.data : "", key.len, 0);
    if (!ge)
        ge = gpgme_op_import(G->ctx, kd);
    rc = 0;
    if (ge) {
        ts_seterr(err, errsize, "%s: cannot import the key: %s", key_file, gpgme_strerror(ge));
        rc = TS_ECRYPTO;
    } else {
        gpgme_import_result_t r = gpgme_op_import_result(G->ctx);
        if (r == NULL || r->imported + r->unchanged < 1) {
            ts_seterr(err, errsize, "%s: no OpenPGP public key in it", key_file);
            rc = TS_ECRYPTO;
        }
    }
    gpgme_data_release(kd);
    ts_buf_free(&key);
    if (rc < 0)
        gpg_close(G);
    return rc;
}

/* \retval 0 a good signature by the configured key. \retval TS_EBADSIG
 * otherwise (*why says). */
static int gpg_verify(struct gpg *G, const ts_buf_t *doc, const ts_buf_t *sig, const char **why)
{
    gpgme_data_t dd = NULL, sd = NULL;
    gpgme_error_t ge = gpgme_data_new_from_mem(&dd, doc->data, doc->len, 0);
    if (!ge)
        ge = gpgme_data_new_from_mem(&sd, sig->data, sig->len, 0);
    if (!ge)
        ge = gpgme_op_verify(G->ctx, sd, dd, NULL);
    int rc = TS_EBADSIG;
    *why = "signature unreadable";
    if (!ge) {
        gpgme_verify_result_t r = gpgme_op_verify_result(G->ctx);
        gpgme_signature_t s = r ? r->signatures : NULL;
        *why = "no signature in the .asc file";
        for (; s; s = s->next) {
            gpgme_err_code_t code = gpgme_err_code(s->status);
            const unsigned bad = GPGME_SIGSUM_KEY_REVOKED | GPGME_SIGSUM_KEY_EXPIRED |
                                 GPGME_SIGSUM_SIG_EXPIRED | GPGME_SIGSUM_RED;
            if (code == GPG_ERR_NO_ERROR && !(s->summary & bad)) {
                rc = 0;
                break;
            }
            if (code == GPG_ERR_NO_PUBKEY)
                *why = "signed by another key than the configured one";
            else if (code == GPG_ERR_BAD_SIGNATURE)
                *why = "bad signature";
            else
                *why = "signature not valid (expired or revoked key or signature)";
        }
    }
    gpgme_data_release(dd);
    gpgme_data_release(sd);
    return rc;
}

/* ---- The run ------------------------------------------------------------------- */

struct run {
    ts_store_t *st;
    const ts_fetch_opts_t *o;
    ts_fetch_stats_t *stats;
    ts_adv_report_cb report;
    void *ctx;
    struct http http;
    struct gpg gpg;
    bool have_gpg;
    bool trusted; /* role csaf_trusted_provider: digests are mandatory */
    struct state state;
    ts_adv_importer_t *imp; /* created at the first document to import */
    int fatal;              /* a store error: stop importing */
    char fatal_msg[256];
    uint64_t since_save;
    const char *list_name; /* for bad-line reports */
    bool list_lines;       /* list_name is a text file (lines), not a feed (entries) */
};

static void report(struct run *R, const char *name, int code, const char *why)
{
    if (R->report)
        R->report(name, code, why, R->ctx);
}

static void on_bad_line(size_t where, int code, const char *why, void *arg)
{
    struct run *R = arg;
    char name[TS_CSAF_URL_MAX + 64];
    snprintf(name, sizeof name, "%s: %s %zu", R->list_name, R->list_lines ? "line" : "entry",
             where);
    report(R, name, code, why);
}

/* The metadata URL: as given when it names a .json file, else the
 * well-known location under the given base. */
static char *pmd_url(const char *url)
{
    size_t n = strlen(url);
    const char *q = strpbrk(url, "?#");
    size_t pl = q ? (size_t)(q - url) : n;
    if (pl >= 5 && memcmp(url + pl - 5, ".json", 5) == 0)
        return ts_xstrdup(url);
    while (n > 8 && url[n - 1] == '/')
        n--;
    ts_buf_t b = TS_BUF_INIT;
    ts_buf_append(&b, url, n);
    ts_buf_puts(&b, "/.well-known/csaf/provider-metadata.json");
    return b.data;
}

/* Expected digest of url: the listed hash link, else url.sha512, else
 * url.sha256. *dlen = 0 when the provider publishes none.
 * \retval 0 (digest or none) \retval < 0 could not be read or parsed. */
static int fetch_digest(struct run *R, const char *url, const char *hash_url, unsigned char d[64],
                        size_t *dlen, char *err, size_t errsize)
{
    ts_buf_t b = TS_BUF_INIT;
    *dlen = 0;
    int rc = TS_ENOENT;
    char *u = NULL;
    if (hash_url) {
        rc = http_get(&R->http, hash_url, DIGEST_FILE_MAX, &b, err, errsize);
    } else {
        static const char *const ext[] = {".sha512", ".sha256"};
        for (size_t i = 0; i < 2 && rc == TS_ENOENT; i++) {
            free(u);
            u = ts_xmalloc(strlen(url) + 8);
            strcpy(u, url);
            strcat(u, ext[i]);
            rc = http_get(&R->http, u, DIGEST_FILE_MAX, &b, err, errsize);
        }
    }
    if (rc == TS_ENOENT && !hash_url) {
        rc = 0; /* none published */
    } else if (rc == 0 && ts_csaf_digest_parse(b.data, b.len, d, dlen) < 0) {
        ts_seterr(err, errsize, "%s: not a SHA-512 or SHA-256 digest file",
                  hash_url ? hash_url : u);
        rc = TS_ESYNTAX;
    }
    free(u);
    ts_buf_free(&b);
    return rc;
}

static void maybe_checkpoint(struct run *R)
{
    if (++R->since_save < STATE_CHECKPOINT)
        return;
    char e[256];
    if (state_save(&R->state, R->o->state_dir, e, sizeof e) < 0)
        ts_log_warn("csaf fetch: %s", e);
    R->since_save = 0;
}

static void one_document(struct run *R, const char *url, int64_t date, const char *hash_url,
                         const char *sig_url, ts_buf_t *doc)
{
    if (R->fatal)
        return;
    struct sent *e = state_get(&R->state, url);
    if (e->seen)
        return; /* listed twice (several feeds or lines): once is enough */
    e->seen = true;
    R->stats->listed++;
    if (date != TS_TIME_NONE && e->has_sha && e->date != TS_TIME_NONE && e->date >= date) {
        R->stats->unchanged++;
        return;
    }
    if (R->o->limit && R->stats->downloaded >= R->o->limit) {
        R->stats->deferred++;
        return;
    }
    char err[TS_CSAF_URL_MAX + 256];
    unsigned char want[64], got[64];
    size_t dlen = 0;
    int rc = fetch_digest(R, url, hash_url, want, &dlen, err, sizeof err);
    if (rc < 0) {
        R->stats->refused++;
        report(R, url, rc, err);
        return;
    }
    /* Without a date (index.txt) the published digest tells whether the
     * document changed, sparing the download. */
    if (date == TS_TIME_NONE && e->has_sha && dlen == 64 && memcmp(want, e->sha512, 64) == 0) {
        R->stats->unchanged++;
        return;
    }
    rc = http_get(&R->http, url, TS_ADV_DOC_MAX, doc, err, sizeof err);
    if (rc < 0) {
        R->stats->refused++;
        report(R, url, rc, err);
        return;
    }
    R->stats->downloaded++;
    if (dlen > 0) {
        gnutls_digest_algorithm_t alg = dlen == 64 ? GNUTLS_DIG_SHA512 : GNUTLS_DIG_SHA256;
        if (gnutls_hash_fast(alg, doc->data, doc->len, got) < 0 || memcmp(got, want, dlen) != 0) {
            R->stats->refused++;
            report(R, url, TS_EBADSIG,
                   dlen == 64 ? "SHA-512 digest does not match" : "SHA-256 digest does not match");
            return;
        }
    } else if (R->trusted) {
        R->stats->refused++;
        report(R, url, TS_EBADSIG, "no .sha512 or .sha256 file (a trusted provider must have one)");
        return;
    } else {
        report(R, url, 0, "no .sha512 or .sha256 file: integrity rests on TLS alone");
    }
    if (R->have_gpg) {
        ts_buf_t sig = TS_BUF_INIT;
        char *su = NULL;
        if (sig_url == NULL) {
            su = ts_xmalloc(strlen(url) + 5);
            strcpy(su, url);
            strcat(su, ".asc");
        }
        rc = http_get(&R->http, sig_url ? sig_url : su, SIG_MAX, &sig, err, sizeof err);
        const char *why = err;
        if (rc == TS_ENOENT) {
            rc = TS_EBADSIG;
            why = "no signature (.asc) while a key is configured";
        } else if (rc == 0) {
            rc = gpg_verify(&R->gpg, doc, &sig, &why);
        }
        free(su);
        ts_buf_free(&sig);
        if (rc < 0) {
            R->stats->refused++;
            report(R, url, rc, why);
            return;
        }
    }
    if (gnutls_hash_fast(GNUTLS_DIG_SHA512, doc->data, doc->len, got) < 0) {
        R->stats->refused++;
        report(R, url, TS_ECRYPTO, "SHA-512 unavailable");
        return;
    }
    if (e->has_sha && memcmp(got, e->sha512, 64) == 0) {
        /* Same bytes under a new date: nothing to import. */
        R->stats->unchanged++;
        e->date = date;
        return;
    }
    if (R->imp == NULL) {
        rc = ts_adv_importer_new(R->st, &R->imp);
        if (rc < 0) {
            R->fatal = rc;
            ts_seterr(R->fatal_msg, sizeof R->fatal_msg, "cannot start the import: %s",
                      ts_strerror(rc));
            return;
        }
    }
    rc = ts_adv_importer_buffer(R->imp, doc->data, doc->len, url, &R->stats->import, R->report,
                                R->ctx);
    if (rc < 0)
        return; /* reported by the import; not recorded, so tried again next run */
    e->has_sha = true;
    e->date = date;
    memcpy(e->sha512, got, 64);
    maybe_checkpoint(R);
}

static void run_list(struct run *R, const ts_csaf_list_t *l, const char *dir)
{
    ts_buf_t doc = TS_BUF_INIT, url = TS_BUF_INIT;
    for (size_t i = 0; i < l->n; i++) {
        const ts_csaf_entry_t *en = &l->v[i];
        const char *u = en->url;
        if (dir) {
            ts_buf_reset(&url);
            ts_buf_printf(&url, "%s/%s", dir, en->url);
            u = url.data;
        }
        one_document(R, u, en->date, en->hash_url, en->sig_url, &doc);
        /* Documents are up to TS_ADV_DOC_MAX: do not keep the largest one's
         * memory for the rest of the run. */
        if (doc.cap > (4u << 20)) {
            ts_buf_free(&doc);
            doc = (ts_buf_t)TS_BUF_INIT;
        }
    }
    ts_buf_free(&doc);
    ts_buf_free(&url);
}

/* \retval 0 the feed was read and its documents processed. */
static int run_feed(struct run *R, const char *feed, ts_buf_t *b)
{
    char err[TS_CSAF_URL_MAX + 256];
    int rc = http_get(&R->http, feed, TS_CSAF_LIST_MAX, b, err, sizeof err);
    ts_csaf_list_t l = {0};
    if (rc == 0) {
        R->list_name = feed;
        R->list_lines = false;
        char e[TS_JSON_ERRMAX];
        rc = ts_csaf_rolie_parse(b->data, b->len, &l, on_bad_line, R, e, sizeof e);
        if (rc < 0)
            ts_seterr(err, sizeof err, "ROLIE feed: %s", e);
    }
    if (rc < 0) {
        report(R, feed, rc, err);
        return rc;
    }
    run_list(R, &l, NULL);
    ts_csaf_list_free(&l);
    return 0;
}

static int run_directory(struct run *R, const char *dir, ts_buf_t *b)
{
    char err[TS_CSAF_URL_MAX + 256];
    ts_buf_t u = TS_BUF_INIT;
    ts_buf_printf(&u, "%s/changes.csv", dir);
    int rc = http_get(&R->http, u.data, TS_CSAF_LIST_MAX, b, err, sizeof err);
    bool csv = true;
    if (rc == TS_ENOENT) {
        ts_buf_reset(&u);
        ts_buf_printf(&u, "%s/index.txt", dir);
        rc = http_get(&R->http, u.data, TS_CSAF_LIST_MAX, b, err, sizeof err);
        csv = false;
    }
    ts_csaf_list_t l = {0};
    if (rc == 0) {
        R->list_name = u.data;
        R->list_lines = true;
        rc = csv ? ts_csaf_changes_parse(b->data, b->len, &l, on_bad_line, R)
                 : ts_csaf_index_parse(b->data, b->len, &l, on_bad_line, R);
        if (rc < 0)
            ts_seterr(err, sizeof err, "%s: too many entries or too large", u.data);
    }
    if (rc < 0) {
        report(R, u.data, rc, err);
        ts_buf_free(&u);
        return rc;
    }
    run_list(R, &l, dir);
    ts_csaf_list_free(&l);
    ts_buf_free(&u);
    return 0;
}

int ts_fetch_run(ts_store_t *st, const ts_fetch_opts_t *o, ts_fetch_stats_t *stats,
                 ts_adv_report_cb report_cb, void *ctx, char *err, size_t errsize)
{
    memset(stats, 0, sizeof *stats);
    if (o == NULL || o->provider == NULL || o->state_dir == NULL) {
        ts_seterr(err, errsize, "provider URL and state directory are required");
        return TS_EINVAL;
    }
    if (!ts_csaf_url_ok(o->provider)) {
        ts_seterr(err, errsize, "%s: not an https URL (only https is accepted)", o->provider);
        return TS_EINVAL;
    }
    struct run R = {.st = st, .o = o, .stats = stats, .report = report_cb, .ctx = ctx};
    char *meta_url = pmd_url(o->provider);
    ts_buf_t b = TS_BUF_INIT;
    ts_csaf_pmd_t *pmd = NULL;
    bool curl_up = false;
    int rc = state_load(&R.state, o->state_dir, meta_url, err, errsize);
    if (rc == 0 && o->key_file) {
        rc = gpg_open(&R.gpg, o->key_file, err, errsize);
        R.have_gpg = rc == 0;
    }
    if (rc == 0) {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
            ts_seterr(err, errsize, "cannot initialise libcurl");
            rc = TS_ENET;
        } else {
            curl_up = true;
            rc = http_open(&R.http, o, stats, err, errsize);
        }
    }
    if (rc == 0) {
        char e[TS_CSAF_URL_MAX + 256];
        rc = http_get(&R.http, meta_url, TS_CSAF_META_MAX, &b, e, sizeof e);
        if (rc < 0) {
            ts_seterr(err, errsize, "provider metadata: %s", e);
            if (rc != TS_EINVAL)
                rc = TS_ENET;
        }
    }
    if (rc == 0) {
        char e[TS_JSON_ERRMAX];
        rc = ts_csaf_pmd_parse(b.data, b.len, &pmd, e, sizeof e);
        if (rc < 0)
            ts_seterr(err, errsize, "%s: %s", meta_url, e);
    }
    if (rc == 0 && pmd->n_feeds == 0 && pmd->n_dirs == 0) {
        ts_seterr(err, errsize, "%s: no distribution listed", meta_url);
        rc = TS_EINVAL;
    }
    if (rc == 0) {
        R.trusted = strcmp(pmd->role, "csaf_trusted_provider") == 0;
        if (!R.have_gpg && pmd->n_key_fprs > 0)
            report(&R, meta_url, 0,
                   "the provider publishes an OpenPGP key; signatures are not checked without one");
        size_t ok = 0, tried = 0;
        /* ROLIE when there is any (CSAF 2.0 section 7.3.2). */
        if (pmd->n_feeds > 0) {
            for (size_t i = 0; i < pmd->n_feeds; i++, tried++)
                ok += run_feed(&R, pmd->feeds[i], &b) == 0;
        } else {
            for (size_t i = 0; i < pmd->n_dirs; i++, tried++)
                ok += run_directory(&R, pmd->dirs[i], &b) == 0;
        }
        if (ok == 0) {
            ts_seterr(err, errsize, "%s: none of its %zu distributions could be read", meta_url,
                      tried);
            rc = TS_ENET;
        }
        if (R.fatal) {
            ts_seterr(err, errsize, "%s", R.fatal_msg);
            rc = R.fatal;
        }
        /* Saved even after a store error: what was imported stays known. */
        char e[512];
        int src = state_save(&R.state, o->state_dir, e, sizeof e);
        if (src < 0 && rc == 0) {
            ts_seterr(err, errsize, "%s", e);
            rc = src;
        }
    }
    ts_adv_importer_free(R.imp);
    ts_csaf_pmd_free(pmd);
    ts_buf_free(&b);
    http_close(&R.http);
    if (curl_up)
        curl_global_cleanup();
    if (R.have_gpg)
        gpg_close(&R.gpg);
    state_free(&R.state);
    free(meta_url);
    return rc;
}
