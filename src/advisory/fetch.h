/* SPDX-License-Identifier: Apache-2.0 */
/* Fetching advisories from a CSAF provider over HTTPS (CSAF 2.0 section 7).
 *
 * ts_fetch_run() reads the provider's provider-metadata.json, picks its
 * distributions (ROLIE feeds when there are any, as section 7.3.2 prefers;
 * else each directory_url's changes.csv, else its index.txt), and downloads
 * only the documents that changed since the last run. Each document is
 * bounded (TS_ADV_DOC_MAX), checked against its .sha512 (or .sha256) and,
 * when a key is configured, against its detached OpenPGP signature (.asc),
 * then imported (advisory/import.h, one session per run). A refused document is reported and
 * never stops the others.
 *
 * What was seen is kept in a state file per provider in a directory of the
 * caller's (not in the store: it describes a remote, not the advisories),
 * replaced atomically at the end of a run: for each document URL, the date
 * the provider gave it (changes.csv current_release_date, ROLIE updated) and
 * the SHA-512 of what was imported. A document whose fetch or import failed
 * is not recorded, so the next run tries it again.
 *
 * Transport: libcurl, https only (redirects too), peer and host always
 * verified, bounded redirects, timeouts, User-Agent "tocsin/VERSION".
 *
 * The parsers below are public for the tests; they take untrusted input and
 * bound everything they keep. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "advisory/import.h"
#include "core/error.h"
#include "store/store.h"

/* ---- Fetching ------------------------------------------------------------- */

typedef struct ts_fetch_opts {
    /* https URL of provider-metadata.json, or a base URL ("https://host[:port]")
     * under which /.well-known/csaf/provider-metadata.json is read. */
    const char *provider;
    /* Armored OpenPGP public key file of the provider, or NULL: then
     * signatures are not checked. With a key, a document without a good
     * signature by that key is refused. The key goes into a private
     * temporary keyring, never the user's. */
    const char *key_file;
    /* PEM file of CA certificates to trust instead of the system's, or NULL. */
    const char *cacert;
    /* Directory of the state files (created, mode 0700, if missing). */
    const char *state_dir;
    /* At most this many documents downloaded in one run; 0 = no limit. The
     * rest are left for the next run (stats->deferred). */
    size_t limit;
    /* Time allowed for one transfer, in seconds; 0 = 300. */
    long timeout_s;
} ts_fetch_opts_t;

typedef struct ts_fetch_stats {
    uint64_t listed;     /* documents the provider lists */
    uint64_t unchanged;  /* not changed since the last run: not downloaded or not imported */
    uint64_t downloaded; /* documents downloaded */
    uint64_t refused;    /* download, digest or signature failures (reported) */
    uint64_t deferred;   /* over opts->limit: left for the next run */
    uint64_t requests;   /* HTTP requests made */
    uint64_t bytes;      /* bytes received */
    ts_adv_import_stats_t import;
} ts_fetch_stats_t;

/* Runs one fetch. stats is zeroed first. report receives every refused
 * document (its URL, the code, why) and every non-fatal problem (code 0):
 * bad lines of changes.csv, bad ROLIE entries, import problems.
 * \retval 0 the run completed (documents may have been refused: see stats).
 * \retval TS_EINVAL a URL is not https, or an option is unusable (err says).
 * \retval TS_ENET the provider metadata (or every distribution) could not be
 * read: TLS failure, HTTP error (err says).
 * \retval TS_ESYNTAX / TS_ETYPE / TS_EMISSING bad provider metadata.
 * \retval TS_ECRYPTO the key file could not be used.
 * \retval TS_EIO the state directory or file cannot be read or written.
 * \retval TS_EDB (or another store error) the import could not use the store:
 * the run stops there; what was imported before is kept and recorded. */
TS_MUSTCHECK int ts_fetch_run(ts_store_t *st, const ts_fetch_opts_t *opts,
                              ts_fetch_stats_t *stats /* OUT */, ts_adv_report_cb report, void *ctx,
                              char *err, size_t errsize);

/* ---- Parsers -------------------------------------------------------------- */

#define TS_CSAF_META_MAX (1u << 20)  /* bytes of provider-metadata.json */
#define TS_CSAF_LIST_MAX (64u << 20) /* bytes of changes.csv, index.txt, a ROLIE feed */
#define TS_CSAF_ENTRIES_MAX 1000000  /* documents listed by one distribution */
#define TS_CSAF_DISTS_MAX 64         /* distributions, and ROLIE feeds, of one provider */
#define TS_CSAF_URL_MAX 2048         /* bytes of one URL or path */

/* True when url is an absolute https URL ("https://" case-insensitive, a
 * host, no spaces or control characters), at most TS_CSAF_URL_MAX bytes. */
bool ts_csaf_url_ok(const char *url);
/* True when path (len bytes) is a safe relative document path of a
 * directory-based distribution: non-empty, at most TS_CSAF_URL_MAX bytes,
 * segments of [A-Za-z0-9._+-] (no "." or ".." segment, no empty segment, no
 * leading '/', no scheme, query or fragment), ending in ".json". */
bool ts_csaf_path_ok(const char *path, size_t len);

/* provider-metadata.json, what fetching needs from it. Owned by the struct;
 * free with ts_csaf_pmd_free(). */
typedef struct ts_csaf_pmd {
    char *canonical_url;
    char *role;     /* csaf_publisher, csaf_provider or csaf_trusted_provider */
    size_t n_feeds; /* ROLIE feed URLs, all distributions together */
    char **feeds;
    size_t n_dirs; /* directory_url values, without trailing '/' */
    char **dirs;
    size_t n_key_fprs; /* fingerprints of public_openpgp_keys (informative) */
    char **key_fprs;
} ts_csaf_pmd_t;

/* \retval 0 ok, *out set.
 * \retval TS_ETOOBIG over TS_CSAF_META_MAX bytes or TS_CSAF_DISTS_MAX entries.
 * \retval TS_ESYNTAX / TS_EUTF8 / TS_ETRUNC not JSON.
 * \retval TS_EMISSING canonical_url or role missing; TS_ETYPE wrong types.
 * \retval TS_EINVAL an unknown role, a distribution with neither
 * directory_url nor rolie, a URL that is not https.
 * err says which (with the JSON path). */
TS_MUSTCHECK int ts_csaf_pmd_parse(const char *data, size_t len, ts_csaf_pmd_t **out /* OUT */,
                                   char *err, size_t errsize);
void ts_csaf_pmd_free(ts_csaf_pmd_t *p);

/* One document listed by a distribution. */
typedef struct ts_csaf_entry {
    char *url;      /* path relative to the directory (changes.csv, index.txt), or the
                       absolute document URL (ROLIE) */
    int64_t date;   /* us since the epoch; TS_TIME_NONE when the list gives none (index.txt) */
    char *hash_url; /* ROLIE rel="hash" link (.sha512 preferred), or NULL */
    char *sig_url;  /* ROLIE rel="signature" link, or NULL */
} ts_csaf_entry_t;

/* Entries in file order. Owned; free with ts_csaf_list_free(). */
typedef struct ts_csaf_list {
    size_t n;
    size_t cap;
    ts_csaf_entry_t *v;
} ts_csaf_list_t;

void ts_csaf_list_free(ts_csaf_list_t *l);
/* Appends an entry, taking ownership of the malloc'd strings (hash_url and
 * sig_url may be NULL). The caller bounds l->n. */
void ts_csaf_list_add(ts_csaf_list_t *l, char *url, int64_t date, char *hash_url, char *sig_url);

/* Receives each line (changes.csv, index.txt) or entry index (ROLIE, from 0)
 * that was skipped (code < 0) or kept with a remark (code 0: out of order). */
typedef void (*ts_csaf_bad_cb)(size_t where, int code, const char *why, void *ctx);

/* changes.csv: lines "path","current_release_date" (RFC 4180 quoting, also
 * unquoted fields), newest first; CRLF or LF; blank lines ignored. A line with
 * the wrong number of fields, a bad quote, an unsafe path or a bad date is
 * reported and skipped; a line newer than the one before it is reported
 * (code 0) and kept.
 * \retval 0 ok (out filled; bad lines reported). \retval TS_ETOOBIG over
 * TS_CSAF_LIST_MAX bytes or TS_CSAF_ENTRIES_MAX entries (out emptied). */
TS_MUSTCHECK int ts_csaf_changes_parse(const char *data, size_t len, ts_csaf_list_t *out /* OUT */,
                                       ts_csaf_bad_cb bad, void *ctx);
/* index.txt: one relative path per line. As above (no dates). */
TS_MUSTCHECK int ts_csaf_index_parse(const char *data, size_t len, ts_csaf_list_t *out /* OUT */,
                                     ts_csaf_bad_cb bad, void *ctx);
/* A ROLIE feed ({"feed":{"entry":[...]}}): per entry, the document URL
 * (content.src, else link rel="self"), "updated", and the hash and signature
 * links. A bad entry is reported and skipped.
 * \retval 0 ok. \retval TS_ETOOBIG / TS_ESYNTAX / TS_EUTF8 / TS_ETRUNC the
 * feed is not JSON or too big. \retval TS_EMISSING / TS_ETYPE no feed object
 * or entry array. err says which. */
TS_MUSTCHECK int ts_csaf_rolie_parse(const char *data, size_t len, ts_csaf_list_t *out /* OUT */,
                                     ts_csaf_bad_cb bad, void *ctx, char *err, size_t errsize);

/* A .sha512 / .sha256 file: "<hex>" optionally followed by whitespace and a
 * file name (sha512sum output). *dlen gets 64 (SHA-512) or 32 (SHA-256).
 * \retval 0 ok. \retval TS_ESYNTAX anything else. */
TS_MUSTCHECK int ts_csaf_digest_parse(const char *data, size_t len, unsigned char digest[64],
                                      size_t *dlen /* OUT */);
