/* SPDX-License-Identifier: Apache-2.0 */
#include "ingest/feedpull.h"

#include <dirent.h>
#include <pthread.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/metrics.h"
#include "core/tlp.h"
#include "ingest/download.h"
#include "route/loader.h"

#define US 1000000LL

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * US + ts.tv_nsec / 1000;
}

bool ts_feed_due(const ts_feed_rec_t *f, int64_t now)
{
    return f->last_attempt == 0 || now - f->last_attempt >= f->every * US;
}

bool ts_feed_late(const ts_feed_rec_t *f, int64_t now)
{
    int64_t since = f->last_success ? f->last_success : f->created;
    return now - since > 2 * f->every * US;
}

/* ---- Schemas -------------------------------------------------------------------- */

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return TS_EIO;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int sync_dir(const char *path)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash == NULL)
        snprintf(dir, sizeof dir, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return TS_EIO;
    int r = fsync(fd) == 0 ? 0 : TS_EIO;
    close(fd);
    return r;
}

/* Writes len bytes to path through a temporary file and a rename. */
static int write_replace(const char *path, const char *data, size_t len)
{
    ts_buf_t tmp = TS_BUF_INIT;
    ts_buf_printf(&tmp, "%s.tmp", path);
    int fd = open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    int r = fd < 0 ? TS_EIO : write_all(fd, data, len);
    if (r == 0 && fsync(fd) != 0)
        r = TS_EIO;
    if (fd >= 0 && close(fd) != 0)
        r = TS_EIO;
    if (r == 0 && rename(tmp.data, path) != 0)
        r = TS_EIO;
    if (r != 0 && fd >= 0)
        unlink(tmp.data);
    ts_buf_free(&tmp);
    return r;
}

static int on_schema(const ts_schema_rec_t *r, void *ctx)
{
    return write_replace(ctx, r->content, r->len);
}

int ts_feed_schema_write(ts_store_t *st, const char *path)
{
    return ts_store_schema_latest(st, on_schema, (void *)path);
}

/* ---- Ingesting a body ----------------------------------------------------------- */

int ts_feed_ingest_file(ts_store_t *st, ts_constituency_t **c, const char *path, const char *dir,
                        const char *name, const char *format, const char *report,
                        const char *mapping, const char *tlp, volatile sig_atomic_t *stop,
                        ts_ingest_stats_t *stats, char *err, size_t errsize)
{
    memset(stats, 0, sizeof *stats);
    ts_ingest_opts_t o;
    ts_ingest_opts_init(&o);
    o.path = path;
    o.parser = ts_parser_find(format);
    if (o.parser == NULL) {
        ts_seterr(err, errsize, "unknown format '%s'", format);
        return TS_EINVAL;
    }
    if (tlp && *tlp && ts_tlp_parse(tlp, strlen(tlp), &o.tlp) != 0) {
        ts_seterr(err, errsize, "unknown TLP '%s'", tlp);
        return TS_EINVAL;
    }
    o.parser_cfg.report = report && *report ? report : NULL;
    o.parser_cfg.mapping = mapping && *mapping ? mapping : NULL;
    o.feed_name = name;
    o.stop = stop;
    ts_buf_t schema = TS_BUF_INIT;
    int rc = 0;
    if (strcmp(o.parser->name, "shadowserver") == 0 &&
        getenv("TOCSIN_SHADOWSERVER_SCHEMA") == NULL) {
        ts_buf_printf(&schema, "%s/schema.json", dir);
        rc = ts_feed_schema_write(st, schema.data);
        if (rc == TS_ENOENT)
            ts_seterr(err, errsize,
                      "no Shadowserver schema kept: run `tocsin feeds schema fetch` first");
        else if (rc < 0)
            ts_seterr(err, errsize, "cannot write the stored schema to %s", schema.data);
        o.parser_cfg.schema = schema.data;
    }
    if (rc == 0) {
        rc = ts_ingest_run(st, c, &o, stats);
        if (rc < 0)
            ts_seterr(err, errsize, "ingest: %s (see the log)", ts_strerror(rc));
        if (schema.data)
            unlink(schema.data);
    }
    ts_buf_free(&schema);
    return rc;
}

/* ---- Pulls ---------------------------------------------------------------------- */

/* A feed copied out of the store's iteration. */
struct feed {
    ts_feed_rec_t r;
    char *s[10];
};

struct list {
    struct feed *v;
    size_t n, cap;
};

static int on_feed(const ts_feed_rec_t *r, void *ctx)
{
    struct list *l = ctx;
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 8;
        l->v = ts_xrealloc(l->v, l->cap * sizeof *l->v);
    }
    struct feed *f = &l->v[l->n++];
    f->r = *r;
    const char **fields[] = {&f->r.name,    &f->r.url,       &f->r.format, &f->r.report,
                             &f->r.mapping, &f->r.tlp,       &f->r.etag,   &f->r.last_modified,
                             &f->r.sha256,  &f->r.last_error};
    for (size_t i = 0; i < 10; i++)
        *fields[i] = f->s[i] = ts_xstrdup(*fields[i] ? *fields[i] : "");
    return 0;
}

static void list_free(struct list *l)
{
    for (size_t i = 0; i < l->n; i++)
        for (size_t k = 0; k < 10; k++)
            free(l->v[i].s[k]);
    free(l->v);
}

static bool is_hex64(const char *s)
{
    if (strlen(s) != 64)
        return false;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
            return false;
    return true;
}

struct pull {
    ts_store_t *st;
    ts_constituency_t **c;
    const ts_feedpull_opts_t *o;
    int64_t now;
    ts_feedpull_result_t res;
    char err[512];
};

static void metrics(const ts_feed_rec_t *f, int64_t now)
{
    const char *const labels[] = {"feed", f->name, NULL};
    ts_metric_set(ts_metrics_gauge("tocsin_feed_late",
                                   "1 when the feed had no successful pull within twice its "
                                   "interval",
                                   labels),
                  ts_feed_late(f, now) ? 1 : 0);
    ts_metric_set(
        ts_metrics_gauge("tocsin_feed_records", "Records read from the feed's pulls", labels),
        f->records);
    ts_metric_set(ts_metrics_gauge("tocsin_feed_quarantined",
                                   "Records of the feed's pulls kept in the quarantine", labels),
                  f->quarantined);
    ts_metric_set(ts_metrics_gauge("tocsin_feed_last_success_seconds",
                                   "When the feed was last pulled successfully (Unix time)",
                                   labels),
                  f->last_success / US);
}

/* Ingests the body at path; on success the feed's state takes its sha256
 * and counts, and the body is removed. */
static int ingest_body(struct pull *P, ts_feed_rec_t *f, const char *path, const char *sha)
{
    ts_ingest_stats_t stats;
    int rc = ts_feed_ingest_file(P->st, P->c, path, P->o->spool, f->name, f->format, f->report,
                                 f->mapping, f->tlp, P->o->stop, &stats, P->err, sizeof P->err);
    P->res.records += stats.lines;
    P->res.events += stats.events;
    P->res.quarantined += stats.quarantined;
    if (rc < 0)
        return rc;
    if (ts_feed_stopped(P->o->stop)) {
        ts_seterr(P->err, sizeof P->err, "stopped before the end of the body");
        return TS_EINTR;
    }
    /* The body's records: all of its lines by its checkpoint, also those
     * read before a pull that was killed (stats has this run's only). */
    char abs[PATH_MAX];
    ts_input_state_t in;
    const ts_parser_t *p = ts_parser_find(f->format);
    uint64_t lines = stats.lines;
    if (p && realpath(path, abs) && ts_store_input_get(P->st, abs, p->name, &in) == 0 &&
        in.line > lines)
        lines = in.line;
    f->sha256 = sha;
    f->records += (int64_t)lines;
    f->quarantined += (int64_t)stats.quarantined;
    P->res.new_body = true;
    return 0;
}

/* Bodies of the feed left in the spool by a pull that did not finish. */
static int resume_left(struct pull *P, ts_feed_rec_t *f, char *sha_keep)
{
    DIR *d = opendir(P->o->spool);
    if (d == NULL)
        return 0;
    size_t nl = strlen(f->name);
    int rc = 0;
    struct dirent *e;
    ts_buf_t path = TS_BUF_INIT;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, f->name, nl) != 0 || e->d_name[nl] != '-' ||
            !is_hex64(e->d_name + nl + 1))
            continue;
        ts_buf_reset(&path);
        ts_buf_printf(&path, "%s/%s", P->o->spool, e->d_name);
        ts_log_info("feed %s: resuming %s left by an unfinished pull", f->name, path.data);
        snprintf(sha_keep, 65, "%s", e->d_name + nl + 1);
        rc = ingest_body(P, f, path.data, sha_keep);
        if (rc == 0) {
            f->last_success = P->now;
            f->last_error = "";
            rc = ts_store_feed_state(P->st, f);
            if (rc == 0)
                unlink(path.data);
        }
    }
    closedir(d);
    ts_buf_free(&path);
    return rc;
}

static int pull_one(struct pull *P, ts_feed_rec_t *f)
{
    char sha_left[65] = "", sha_new[65] = "";
    ts_buf_t tmp = TS_BUF_INIT, final = TS_BUF_INIT;
    int rc = resume_left(P, f, sha_left);
    if (rc < 0)
        goto out; /* the body stays for the next pull */
    ts_buf_printf(&tmp, "%s/.%s.part", P->o->spool, f->name);
    int fd = open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        ts_seterr(P->err, sizeof P->err, "cannot write %s: %s", tmp.data, strerror(errno));
        rc = TS_EIO;
        goto out;
    }
    ts_download_opts_t dl = {.url = f->url,
                             .cacert = P->o->cacert,
                             .etag = f->etag,
                             .last_modified = f->last_modified,
                             .max = P->o->max_body ? P->o->max_body : TS_FEED_BODY_MAX_DEFAULT,
                             .timeout_s = P->o->timeout_s};
    ts_download_t d;
    rc = ts_download(&dl, fd, NULL, &d, P->err, sizeof P->err);
    if (rc == 0 && fsync(fd) != 0) {
        ts_seterr(P->err, sizeof P->err, "cannot write %s: %s", tmp.data, strerror(errno));
        rc = TS_EIO;
    }
    close(fd);
    if (rc < 0 || d.not_modified || strcmp(d.sha256, f->sha256) == 0) {
        unlink(tmp.data);
        if (rc == 0 && !d.not_modified) { /* the same body: its validators may be new */
            f->etag = d.etag;
            f->last_modified = d.last_modified;
        }
        goto out;
    }
    snprintf(sha_new, sizeof sha_new, "%s", d.sha256);
    ts_buf_printf(&final, "%s/%s-%s", P->o->spool, f->name, sha_new);
    if (rename(tmp.data, final.data) != 0 || sync_dir(final.data) != 0) {
        ts_seterr(P->err, sizeof P->err, "cannot keep the body as %s: %s", final.data,
                  strerror(errno));
        unlink(tmp.data);
        rc = TS_EIO;
        goto out;
    }
    rc = ingest_body(P, f, final.data, sha_new);
    if (rc == 0) {
        f->etag = d.etag;
        f->last_modified = d.last_modified;
    }
out:
    if (rc == 0) {
        f->last_success = P->now;
        f->last_error = "";
    } else {
        f->last_error = P->err;
    }
    f->last_attempt = P->now;
    int sr = ts_store_feed_state(P->st, f);
    if (rc == 0 && sr == 0 && final.data)
        unlink(final.data);
    if (rc == 0 && sr < 0) {
        ts_seterr(P->err, sizeof P->err, "cannot save the feed's state: %s",
                  ts_store_errmsg(P->st));
        rc = sr;
    }
    ts_buf_free(&tmp);
    ts_buf_free(&final);
    return rc;
}

int ts_feedpull_run(ts_store_t *st, ts_constituency_t **c, const ts_feedpull_opts_t *o)
{
    if (st == NULL || c == NULL || o == NULL || o->spool == NULL)
        return TS_EINVAL;
    if (mkdir(o->spool, 0700) != 0 && errno != EEXIST) {
        ts_log_error("cannot make the feed spool %s: %s", o->spool, strerror(errno));
        return TS_EIO;
    }
    /* One pull at a time per spool (the CLI and serve may both run). */
    ts_buf_t lock = TS_BUF_INIT;
    ts_buf_printf(&lock, "%s/.lock", o->spool);
    int lfd = open(lock.data, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    ts_buf_free(&lock);
    if (lfd < 0) {
        ts_log_error("cannot open the lock of the feed spool %s: %s", o->spool, strerror(errno));
        return TS_EIO;
    }
    if (flock(lfd, LOCK_EX | LOCK_NB) != 0) {
        close(lfd);
        ts_log_error("feeds: another pull is running on %s", o->spool);
        return TS_EBUSY;
    }
    struct list l = {0};
    int rc = o->only ? ts_store_feed_get(st, o->only, on_feed, &l)
                     : ts_store_feeds_foreach(st, on_feed, &l);
    int first = rc;
    for (size_t i = 0; rc == 0 && i < l.n && !ts_feed_stopped(o->stop); i++) {
        ts_feed_rec_t *f = &l.v[i].r;
        struct pull P = {.st = st, .c = c, .o = o, .now = o->now ? o->now : now_us()};
        P.res.name = f->name;
        P.res.err = "";
        if (o->force || o->only || ts_feed_due(f, P.now)) {
            P.res.pulled = true;
            P.res.rc = pull_one(&P, f);
            P.res.err = P.res.rc ? P.err : "";
            if (P.res.rc < 0) {
                ts_log_warn("feed %s: %s", f->name, P.err);
                ts_metric_add(ts_metrics_counter("tocsin_feed_pull_errors_total",
                                                 "Pulls of the feed that failed",
                                                 (const char *const[]){"feed", f->name, NULL}),
                              1);
                if (first == 0)
                    first = P.res.rc;
            }
        }
        metrics(f, P.now);
        if (o->report)
            o->report(&P.res, o->ctx);
    }
    list_free(&l);
    close(lfd);
    return first;
}

/* ---- The worker of serve -------------------------------------------------------- */

struct ts_feedpull_worker {
    char *location;
    ts_feedpull_opts_t o;
    int poll_s;
    pthread_t thread;
};

static void *worker_main(void *arg)
{
    ts_feedpull_worker_t *w = arg;
    ts_store_t *st = NULL;
    int rc = ts_store_open(w->location, &st);
    if (rc < 0)
        ts_log_error("feeds: cannot open the store: %s", ts_strerror(rc));
    ts_log_info("feeds: pulling the feeds that are due every %d s (spool %s)", w->poll_s,
                w->o.spool);
    while (rc == 0 && !ts_feed_stopped(w->o.stop)) {
        ts_constituency_t *c = NULL;
        int r = ts_constituency_load(st, &c);
        if (r < 0)
            ts_log_error("feeds: cannot load the constituency: %s", ts_strerror(r));
        else if ((r = ts_feedpull_run(st, &c, &w->o)) < 0 && r != TS_EBUSY)
            ts_log_warn("feeds: a pull failed: %s (see `tocsin feeds list`)", ts_strerror(r));
        ts_constituency_free(c);
        for (int i = 0; i < w->poll_s * 10 && !ts_feed_stopped(w->o.stop); i++)
            nanosleep(&(struct timespec){0, 100000000}, NULL);
    }
    ts_store_close(st);
    return NULL;
}

int ts_feedpull_worker_start(const char *location, const ts_feedpull_opts_t *o, int poll_s,
                             ts_feedpull_worker_t **out)
{
    *out = NULL;
    if (location == NULL || o == NULL || o->stop == NULL || o->spool == NULL || poll_s < 1)
        return TS_EINVAL;
    ts_feedpull_worker_t *w = ts_xcalloc(1, sizeof *w);
    w->location = ts_xstrdup(location);
    w->o = *o;
    w->o.only = NULL;
    w->o.force = false;
    w->o.report = NULL;
    w->o.ctx = NULL;
    w->poll_s = poll_s;
    if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
        free(w->location);
        free(w);
        return TS_EIO;
    }
    *out = w;
    return 0;
}

void ts_feedpull_worker_join(ts_feedpull_worker_t *w)
{
    if (w == NULL)
        return;
    pthread_join(w->thread, NULL);
    free(w->location);
    free(w);
}
