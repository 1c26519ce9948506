/* SPDX-License-Identifier: Apache-2.0 */
#include "ingest/ssapi.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/log.h"
#include "core/mem.h"
#include "ingest/download.h"
#include "ingest/feedpull.h"
#include "store/feedstore.h"

#define SS_LIST_MAX (16u << 20)

int ts_ssapi_sign(const char *secret, size_t secret_len, const char *body, size_t len, char hex[65])
{
    unsigned char md[32];
    if (gnutls_hmac_fast(GNUTLS_MAC_SHA256, secret, secret_len, body, len, md) < 0)
        return TS_ECRYPTO;
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    gnutls_memset(md, 0, sizeof md);
    return 0;
}

static bool key_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 128)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
    }
    return true;
}

/* A report's id or file name as a path component: [A-Za-z0-9._-], not
 * starting with '.'. */
static bool component_ok(const char *s, size_t n)
{
    if (n == 0 || n > TS_SSAPI_NAME_MAX || s[0] == '.')
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            return false;
    }
    return true;
}

static bool date_ok(const char *s)
{
    struct tm tm = {0};
    const char *end = s ? strptime(s, "%Y-%m-%d", &tm) : NULL;
    return end && *end == '\0' && strlen(s) == 10;
}

static void day(char out[11], int days_ago)
{
    time_t t = time(NULL) - (time_t)days_ago * 86400;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

struct api {
    const ts_ssapi_opts_t *o;
    ts_buf_t url;
    char *err;
    size_t errsize;
};

/* POSTs the signed body to method; the answer to fd or out. */
static int call(struct api *A, const char *method, const char *body, int fd, ts_buf_t *out,
                uint64_t max)
{
    char hex[65], hdr[80];
    int rc = ts_ssapi_sign(A->o->secret, A->o->secret_len, body, strlen(body), hex);
    if (rc < 0) {
        ts_seterr(A->err, A->errsize, "cannot sign the request");
        return rc;
    }
    snprintf(hdr, sizeof hdr, "HMAC2: %s", hex);
    const char *const headers[] = {hdr, NULL};
    const char *base = A->o->base ? A->o->base : TS_SSAPI_URL_DEFAULT;
    size_t bl = strlen(base);
    ts_buf_reset(&A->url);
    ts_buf_printf(&A->url, "%s%s%s", base, bl && base[bl - 1] == '/' ? "" : "/", method);
    ts_download_opts_t dl = {.url = A->url.data,
                             .cacert = A->o->cacert,
                             .post = body,
                             .post_len = strlen(body),
                             .headers = headers,
                             .max = max,
                             .timeout_s = A->o->timeout_s};
    ts_download_t d;
    char e[512];
    rc = ts_download(&dl, fd, out, &d, e, sizeof e);
    if (rc < 0)
        ts_seterr(A->err, A->errsize, "%s: %s", method, e);
    return rc;
}

int ts_ssapi_list_parse(const char *json, size_t len, ts_ssapi_report_t **out, size_t *n, char *err,
                        size_t errsize)
{
    ts_json_t *v = NULL;
    char e[TS_JSON_ERRMAX];
    *out = NULL;
    *n = 0;
    int rc = ts_json_parse(json, len, SS_LIST_MAX, 8, 0, &v, e, sizeof e);
    size_t count = 0;
    if (rc == 0)
        rc = ts_json_as_array(v, "the list", &count, e, sizeof e);
    if (rc == 0 && count > TS_SSAPI_REPORTS_MAX) {
        snprintf(e, sizeof e, "%zu reports, more than %d: list fewer days (--since, --until)",
                 count, TS_SSAPI_REPORTS_MAX);
        rc = TS_ETOOBIG;
    }
    if (rc < 0) {
        ts_seterr(err, errsize, "%s", e);
        ts_json_free(v);
        return rc;
    }
    ts_ssapi_report_t *r = ts_xcalloc(count ? count : 1, sizeof *r);
    for (size_t i = 0; i < count; i++) {
        ts_json_t *o = ts_json_index(v, i);
        ts_str_t id = {0}, file = {0}, type = {0};
        rc = ts_json_as_object(o, "a report", e, sizeof e);
        if (rc == 0)
            rc = ts_json_get_str(o, "id", true, &id, e, sizeof e);
        if (rc == 0)
            rc = ts_json_get_str(o, "file", true, &file, e, sizeof e);
        if (rc == 0)
            rc = ts_json_get_str(o, "type", false, &type, e, sizeof e);
        if (rc == 0 && (!component_ok(id.ptr, id.len) || !component_ok(file.ptr, file.len) ||
                        (type.len && !component_ok(type.ptr, type.len)))) {
            snprintf(e, sizeof e, "an id, file or type that is not 1-%d of [A-Za-z0-9._-]",
                     TS_SSAPI_NAME_MAX);
            rc = TS_EINVAL;
        }
        if (rc < 0) {
            ts_seterr(err, errsize, "report %zu: %s", i, e);
            free(r);
            ts_json_free(v);
            return rc;
        }
        memcpy(r[i].id, id.ptr, id.len);
        memcpy(r[i].file, file.ptr, file.len);
        if (type.len)
            memcpy(r[i].type, type.ptr, type.len);
    }
    ts_json_free(v);
    *out = r;
    *n = count;
    return 0;
}

/* Downloads (unless left by an earlier run) and ingests one report. */
static int one_report(struct api *A, ts_store_t *st, ts_constituency_t **c,
                      const ts_ssapi_report_t *r, ts_ssapi_stats_t *stats)
{
    const ts_ssapi_opts_t *o = A->o;
    ts_buf_t dir = TS_BUF_INIT, path = TS_BUF_INIT, tmp = TS_BUF_INIT, body = TS_BUF_INIT;
    ts_buf_printf(&dir, "%s/ss/%s", o->spool, r->id);
    ts_buf_printf(&path, "%s/%s", dir.data, r->file);
    ts_buf_printf(&tmp, "%s/.part", dir.data);
    int rc = 0;
    struct stat sb;
    if (mkdir(dir.data, 0700) != 0 && errno != EEXIST) {
        ts_seterr(A->err, A->errsize, "cannot make %s: %s", dir.data, strerror(errno));
        rc = TS_EIO;
    } else if (stat(path.data, &sb) == 0) {
        ts_log_info("shadowserver: resuming report %s left by an unfinished run", r->id);
    } else {
        int fd = open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0) {
            ts_seterr(A->err, A->errsize, "cannot write %s: %s", tmp.data, strerror(errno));
            rc = TS_EIO;
        } else {
            ts_buf_printf(&body, "{\"apikey\":\"%s\",\"id\":\"%s\"}", o->key, r->id);
            rc = call(A, "reports/download", body.data, fd, NULL,
                      o->max_body ? o->max_body : TS_FEED_BODY_MAX_DEFAULT);
            if (rc == 0 && fsync(fd) != 0)
                rc = TS_EIO;
            close(fd);
            if (rc == 0 && rename(tmp.data, path.data) != 0) {
                ts_seterr(A->err, A->errsize, "cannot keep %s: %s", path.data, strerror(errno));
                rc = TS_EIO;
            }
            if (rc < 0)
                unlink(tmp.data);
        }
    }
    if (rc == 0) {
        ts_ingest_stats_t is;
        char e[512];
        rc = ts_feed_ingest_file(st, c, path.data, o->spool, NULL, "shadowserver", r->type, "", "",
                                 o->stop, &is, e, sizeof e);
        stats->records += is.lines;
        stats->events += is.events;
        stats->quarantined += is.quarantined;
        if (rc < 0)
            ts_seterr(A->err, A->errsize, "report %s (%s): %s", r->id, r->file, e);
        else if (ts_feed_stopped(o->stop))
            rc = TS_EINTR;
    }
    if (rc == 0) {
        rc = ts_store_feed_report_add(st, r->id, r->type, r->file);
        if (rc < 0)
            ts_seterr(A->err, A->errsize, "cannot remember report %s: %s", r->id,
                      ts_store_errmsg(st));
    }
    if (rc == 0) {
        unlink(path.data);
        rmdir(dir.data);
    }
    ts_buf_free(&dir);
    ts_buf_free(&path);
    ts_buf_free(&tmp);
    ts_buf_free(&body);
    return rc;
}

int ts_ssapi_pull(ts_store_t *st, ts_constituency_t **c, const ts_ssapi_opts_t *o,
                  ts_ssapi_stats_t *stats, char *err, size_t errsize)
{
    memset(stats, 0, sizeof *stats);
    if (o == NULL || !key_ok(o->key)) {
        ts_seterr(err, errsize, "the API key must be 1 to 128 of [A-Za-z0-9_-]");
        return TS_EINVAL;
    }
    if (o->secret == NULL || o->secret_len == 0) {
        ts_seterr(err, errsize, "the API secret is empty");
        return TS_EINVAL;
    }
    char since[11], until[11];
    day(since, 2);
    day(until, 0);
    if (o->since && !date_ok(o->since)) {
        ts_seterr(err, errsize, "--since takes a date YYYY-MM-DD");
        return TS_EINVAL;
    }
    if (o->until && !date_ok(o->until)) {
        ts_seterr(err, errsize, "--until takes a date YYYY-MM-DD");
        return TS_EINVAL;
    }
    if (o->since)
        snprintf(since, sizeof since, "%s", o->since);
    if (o->until)
        snprintf(until, sizeof until, "%s", o->until);
    ts_buf_t ssdir = TS_BUF_INIT;
    ts_buf_printf(&ssdir, "%s/ss", o->spool);
    if ((mkdir(o->spool, 0700) != 0 && errno != EEXIST) ||
        (mkdir(ssdir.data, 0700) != 0 && errno != EEXIST)) {
        ts_seterr(err, errsize, "cannot make %s: %s", ssdir.data, strerror(errno));
        ts_buf_free(&ssdir);
        return TS_EIO;
    }
    ts_buf_free(&ssdir);

    struct api A = {.o = o, .url = TS_BUF_INIT, .err = err, .errsize = errsize};
    ts_buf_t body = TS_BUF_INIT, list = TS_BUF_INIT;
    ts_buf_printf(&body, "{\"apikey\":\"%s\",\"date\":\"%s:%s\"}", o->key, since, until);
    int rc = call(&A, "reports/list", body.data, -1, &list, SS_LIST_MAX);
    ts_ssapi_report_t *r = NULL;
    size_t n = 0;
    char e[512];
    if (rc == 0 && (rc = ts_ssapi_list_parse(list.data, list.len, &r, &n, e, sizeof e)) < 0)
        ts_seterr(err, errsize, "reports/list: %s", e);
    int first = 0;
    char e1[512] = "";
    for (size_t i = 0; rc == 0 && i < n && !ts_feed_stopped(o->stop); i++) {
        stats->listed++;
        bool seen = false;
        int x = ts_store_feed_report_seen(st, r[i].id, &seen);
        if (x == 0 && seen) {
            stats->seen++;
            continue;
        }
        if (x == 0)
            x = one_report(&A, st, c, &r[i], stats);
        if (x < 0) {
            stats->failed++;
            ts_log_warn("shadowserver: %s", err);
            if (first == 0) {
                first = x;
                snprintf(e1, sizeof e1, "%s", err);
            }
        } else {
            stats->ingested++;
        }
    }
    if (rc == 0 && first < 0) {
        rc = first;
        ts_seterr(err, errsize, "%s", e1);
    }
    free(r);
    ts_buf_free(&A.url);
    ts_buf_free(&body);
    ts_buf_free(&list);
    return rc;
}
