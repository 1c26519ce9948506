/* SPDX-License-Identifier: Apache-2.0 */
/* The ingest pipeline runs on two threads. The caller's thread reads, parses,
 * classifies and routes records into a batch; a writer thread stores the
 * previous batch and commits it with its checkpoint. Parsing thus overlaps
 * with the store's work and its fsync, and the slower of the two stages sets
 * the pace instead of their sum.
 *
 * Two batches alternate. The reader hands a full batch to the writer only
 * when the writer is idle, so the batch it starts filling next has always
 * been committed already. Everything an item points to (event strings, the
 * head of a rejected record, the reason text) lives in its batch's arena; the
 * owner links point into the constituency, which is replaced only while the
 * writer is idle. */
#include "ingest/ingest.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bus/bus.h"
#include "core/arena.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/mem.h"
#include "ingest/csv.h"
#include "ingest/linereader.h"
#include "route/loader.h"

void ts_ingest_opts_init(ts_ingest_opts_t *o)
{
    memset(o, 0, sizeof *o);
    o->batch_max = 20000;
    o->batch_bytes = TS_INGEST_BATCH_BYTES;
    o->batch_ms = 200;
    o->poll_ms = 100;
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL); /* a signal cuts it short, which is what we want */
}

struct writer {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    ts_batch_t *job; /* handed over, not yet committed; NULL when idle */
    bool quit;
    int error;          /* first store error; the writer commits nothing after it */
    uint64_t committed; /* byte offset of the last committed checkpoint */
    uint64_t batches;
    ts_bus_t *bus; /* where batches go: the store, or a bus to a writer process */
    volatile sig_atomic_t *stop;
    ts_metric_t *m_events, *m_quarantined; /* of this input, counted per hand-over */
};

struct run {
    ts_store_t *st;
    ts_constituency_t **c;
    const ts_ingest_opts_t *o;
    ts_ingest_stats_t *stats;
    ts_batch_t batches[2];
    ts_batch_t *cur;
    struct writer w;
    ts_input_state_t input;
    bool is_stdin;
    int fd;
    ts_linereader_t *reader;
    void *pstate;                /* the format's state (parser->ops), or NULL */
    ts_parser_framing_t framing; /* how records are cut */
    ts_buf_t join;               /* a CSV record spanning lines, while it is read */
    ts_line_t join_first;        /* its first line (offset, number) */
    bool joining;
    /* JSON framing (parser->json): where the splitter is in the text. */
    struct {
        int depth;                    /* inside the record being read */
        bool str, esc, array, record; /* in a string, after '\\', in a top-level array */
        bool skip;                    /* the record outgrew TS_LINE_MAX: counted, not kept */
        uint64_t len;                 /* its length so far */
        ts_line_t first;              /* its first line */
    } js;
    int64_t batch_start_ms;
    int64_t now_us;
};

/* ---- the writer thread ------------------------------------------------------ */

/* Hands a batch on; an unreachable store or bus (TS_EBUSY) pauses the input
 * until it is back, so nothing read is lost and nothing is skipped. A stop
 * during the pause gives up: the batch was not acknowledged and is read again
 * at the next start. */
static int store_batch(struct writer *w, const ts_batch_t *b)
{
    int rc = ts_bus_publish(w->bus, b);
    if (rc != TS_EBUSY)
        return rc;
    ts_log_warn("input %s paused: %s is unavailable; retrying every second", b->input,
                ts_bus_name(w->bus));
    while (rc == TS_EBUSY && !(w->stop && __atomic_load_n(w->stop, __ATOMIC_ACQUIRE))) {
        sleep_ms(1000);
        rc = ts_bus_publish(w->bus, b);
    }
    if (rc == 0)
        ts_log_info("input %s resumed: %s is back", b->input, ts_bus_name(w->bus));
    return rc;
}

#define FEEDS_PER_BATCH 8

/* After a batch was handed over (committed in process, or acknowledged by
 * the bus): what it carried, per input and per feed. A batch
 * holds few feeds; past FEEDS_PER_BATCH distinct ones in a batch the rest go
 * uncounted per feed (the input's counter has them all). */
static void count_batch(const struct writer *w, const ts_batch_t *b)
{
    uint64_t events = 0, quarantined = 0;
    struct feed_count {
        ts_str_t name;
        uint64_t n;
    } feeds[FEEDS_PER_BATCH];
    size_t n_feeds = 0;
    for (size_t i = 0; i < b->n; i++) {
        const ts_event_t *ev = b->items[i].ev;
        if (ev == NULL) {
            quarantined++;
            continue;
        }
        events++;
        if (ev->feed_name.ptr == NULL || ev->feed_name.len == 0)
            continue;
        size_t k = 0;
        while (k < n_feeds && !ts_str_eq(feeds[k].name, ev->feed_name))
            k++;
        if (k == n_feeds && n_feeds < FEEDS_PER_BATCH)
            feeds[n_feeds++] = (struct feed_count){ev->feed_name, 0};
        if (k < n_feeds)
            feeds[k].n++;
    }
    ts_metric_add(w->m_events, events);
    ts_metric_add(w->m_quarantined, quarantined);
    for (size_t k = 0; k < n_feeds; k++) {
        char name[129];
        size_t len = feeds[k].name.len < sizeof name - 1 ? feeds[k].name.len : sizeof name - 1;
        memcpy(name, feeds[k].name.ptr, len);
        name[len] = '\0';
        ts_metric_add(ts_metrics_counter("tocsin_feed_events_total",
                                         "Events stored, per feed.name.",
                                         (const char *[]){"feed", name, NULL}),
                      feeds[k].n);
    }
}

static void *writer_main(void *arg)
{
    struct writer *w = arg;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (w->job == NULL && !w->quit)
            pthread_cond_wait(&w->cv, &w->mu);
        if (w->job == NULL)
            break;
        ts_batch_t *b = w->job;
        bool failed = w->error != 0;
        pthread_mutex_unlock(&w->mu);
        int rc = failed ? 0 : store_batch(w, b);
        if (rc == 0 && !failed)
            count_batch(w, b);
        pthread_mutex_lock(&w->mu);
        if (rc < 0 && w->error == 0)
            w->error = rc;
        if (rc == 0 && !failed) {
            w->committed = b->checkpoint.offset;
            w->batches++;
        }
        w->job = NULL;
        pthread_cond_broadcast(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

/* Waits until the writer has committed everything handed to it.
 * Returns the writer's error, if any. */
static int writer_drain(struct run *r)
{
    pthread_mutex_lock(&r->w.mu);
    while (r->w.job != NULL)
        pthread_cond_wait(&r->w.cv, &r->w.mu);
    int err = r->w.error;
    r->stats->batches = r->w.batches;
    r->stats->offset = r->w.committed;
    pthread_mutex_unlock(&r->w.mu);
    return err;
}

/* Hands the current batch to the writer (waiting until it is idle) and starts
 * filling the other one, which is therefore committed already. */
static int batch_submit(struct run *r)
{
    ts_batch_t *b = r->cur;
    ts_input_state_t pos = r->input;
    pos.offset = ts_linereader_offset(r->reader);
    pos.line = ts_linereader_lines(r->reader);
    if (r->joining) {
        /* A record still being read is read again after a restart. */
        pos.offset = r->join_first.offset;
        pos.line = r->join_first.number - 1;
    }
    /* b->checkpoint holds the last position handed over: an empty batch is
     * worth a transaction only if the position moved (records that were all
     * skipped, a new file after rotation or truncation). */
    bool moved = pos.offset != b->checkpoint.offset || pos.line != b->checkpoint.line ||
                 pos.dev != b->checkpoint.dev || pos.ino != b->checkpoint.ino;
    if (b->n == 0 && (r->is_stdin || !moved))
        return writer_drain(r);
    b->start = b->checkpoint;
    b->checkpoint = pos;
    b->save_checkpoint = !r->is_stdin;
    int err = writer_drain(r);
    if (err < 0)
        return err;
    pthread_mutex_lock(&r->w.mu);
    r->w.job = b;
    pthread_cond_broadcast(&r->w.cv);
    pthread_mutex_unlock(&r->w.mu);

    r->cur = b == &r->batches[0] ? &r->batches[1] : &r->batches[0];
    ts_batch_reset(r->cur);
    r->cur->checkpoint = b->checkpoint;
    r->cur->rewound = false;
    r->batch_start_ms = mono_ms();
    r->now_us = ts_time_now();
    if (r->o->progress) {
        /* Progress shows what is read; the committed offset lags by a batch. */
        ts_ingest_stats_t snap = *r->stats;
        snap.offset = b->checkpoint.offset;
        r->o->progress(&snap, r->o->progress_ctx);
    }
    return 0;
}

/* ---- the reader side ------------------------------------------------------------ */

static void quarantine(struct run *r, const ts_line_t *line, int reason, const char *detail)
{
    r->stats->quarantined++;
    ts_batch_t *b = r->cur;
    ts_batch_item_t *it = ts_batch_add(b);
    it->line = line->number;
    it->offset = line->offset;
    it->full_len = line->full_len;
    it->reason = reason;
    it->detail = ts_arena_strdup(b->arena, ts_str_c(detail)).ptr;
    size_t keep = line->text.len < TS_QUARANTINE_DATA_MAX ? line->text.len : TS_QUARANTINE_DATA_MAX;
    it->data = ts_arena_strdup(b->arena, ts_str(line->text.ptr, keep)).ptr;
    it->len = keep;
}

static void process_line(struct run *r, const ts_line_t *line)
{
    r->stats->lines++;
    if (line->oversized) {
        char detail[128];
        snprintf(detail, sizeof detail, "line of %llu bytes exceeds the limit of %d bytes",
                 (unsigned long long)line->full_len, TS_LINE_MAX);
        quarantine(r, line, TS_ETOOBIG, detail);
        return;
    }

    /* Blank lines carry nothing; many writers leave one at the end. */
    size_t k = 0;
    while (k < line->text.len && (line->text.ptr[k] == ' ' || line->text.ptr[k] == '\t'))
        k++;
    if (k == line->text.len) {
        r->stats->skipped++;
        return;
    }

    ts_batch_t *b = r->cur;
    ts_event_t ev;
    ts_parse_error_t perr;
    perr.detail[0] = '\0';
    const ts_parser_t *p = r->o->parser;
    if (r->framing.header && line->offset == 0) {
        /* The first record of a file: its header. */
        int hrc = p->ops->header(r->pstate, line->text.ptr, line->text.len, &perr);
        if (hrc < 0)
            quarantine(r, line, hrc, perr.detail[0] ? perr.detail : ts_strerror(hrc));
        else
            r->stats->skipped++;
        return;
    }
    int prc = p->ops
                  ? p->ops->parse(r->pstate, line->text.ptr, line->text.len, b->arena, &ev, &perr)
                  : p->parse(line->text.ptr, line->text.len, b->arena, &ev, &perr);
    if (prc == TS_PARSE_SKIP) {
        r->stats->skipped++;
        return;
    }
    if (prc < 0) {
        if (line->unterminated) {
            char detail[sizeof perr.detail + 64];
            snprintf(detail, sizeof detail, "last line has no newline and does not parse: %s",
                     perr.detail);
            quarantine(r, line, TS_ETRUNC, detail);
        } else {
            quarantine(r, line, prc, perr.detail[0] ? perr.detail : ts_strerror(prc));
        }
        return;
    }

    if (ev.time_observation == TS_TIME_NONE)
        ev.time_observation = r->now_us;
    if (ev.tlp == TS_TLP_NONE)
        ev.tlp = r->o->tlp != TS_TLP_NONE ? r->o->tlp : p->tlp;
    if (r->o->feed_name)
        ev.feed_name = ts_str_c(r->o->feed_name);
    if (r->o->feed_provider)
        ev.feed_provider = ts_str_c(r->o->feed_provider);

    ts_batch_item_t *it = ts_batch_add(b);
    it->line = line->number;
    it->n_links = ts_constituency_route(*r->c, &ev, b->arena, &it->links);
    /* Keep only the extras in use: the fixed array is most of the struct.
     * Readers never look past n_extra. */
    size_t size = offsetof(ts_event_t, extra) + ev.n_extra * sizeof(ts_extra_t);
    ts_event_t *copy = ts_arena_alloc(b->arena, size);
    memcpy(copy, &ev, size);
    it->ev = copy;
    r->stats->events++;
    if (it->n_links > 0)
        r->stats->linked++;
}

static int reload_constituency(struct run *r)
{
    /* The writer may still hold links into the old constituency. */
    int rc = writer_drain(r);
    if (rc < 0)
        return rc;
    ts_constituency_t *fresh = NULL;
    rc = ts_constituency_load(r->st, &fresh);
    if (rc < 0) {
        ts_log_error("constituency reload failed, keeping the old one: %s", ts_strerror(rc));
        return 0;
    }
    ts_constituency_free(*r->c);
    *r->c = fresh;
    ts_log_info("constituency reloaded: %zu sites", ts_constituency_site_count(fresh));
    return 0;
}

/* Resuming past the first record of a file whose first record is its
 * header: the header is read again (it was committed, so it is not counted
 * or quarantined twice). */
static void reread_header(struct run *r)
{
    int fd = open(r->o->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    ts_linereader_t *lr = ts_linereader_new(fd, 0, 0, TS_LINE_MAX);
    ts_buf_t rec = TS_BUF_INIT;
    ts_line_t line;
    while (ts_linereader_next(lr, true, &line) == 1 && !line.oversized) {
        if (rec.len)
            ts_buf_putc(&rec, '\n');
        ts_buf_append(&rec, line.text.ptr, line.text.len);
        if (!ts_csv_open_quote(rec.data, rec.len, r->framing.csv_delim))
            break;
    }
    ts_parse_error_t perr;
    if (r->o->parser->ops->header(r->pstate, rec.data ? rec.data : "", rec.len, &perr) < 0)
        ts_log_warn("%s: the header does not read: %s", r->o->path, perr.detail);
    ts_buf_free(&rec);
    ts_linereader_free(lr);
    close(fd);
}

/* Opens the file and positions it at the checkpoint if it is still the same
 * file and still long enough; otherwise at its start. */
static int open_input(struct run *r, bool resume)
{
    const ts_ingest_opts_t *o = r->o;
    r->fd = open(o->path, O_RDONLY | O_CLOEXEC);
    if (r->fd < 0) {
        ts_log_error("cannot open %s: %s", o->path, strerror(errno));
        return TS_EIO;
    }
    struct stat sb;
    if (fstat(r->fd, &sb) != 0) {
        ts_log_error("cannot stat %s: %s", o->path, strerror(errno));
        return TS_EIO;
    }
    uint64_t start = 0, lines = 0;
    bool same = r->input.dev == (uint64_t)sb.st_dev && r->input.ino == (uint64_t)sb.st_ino;
    if (resume && same && (uint64_t)sb.st_size >= r->input.offset) {
        start = r->input.offset;
        lines = r->input.line;
    } else if (resume && same && r->input.offset > 0) {
        ts_log_warn("%s is shorter than the checkpoint (%llu < %llu): truncated, reading from "
                    "the start",
                    o->path, (unsigned long long)sb.st_size, (unsigned long long)r->input.offset);
        r->stats->truncations++;
        r->cur->rewound = true;
    } else if (resume && r->input.offset > 0) {
        ts_log_warn("%s is another file than at the checkpoint (rotated or replaced): reading "
                    "it from the start",
                    o->path);
    }
    if (start > 0 && lseek(r->fd, (off_t)start, SEEK_SET) != (off_t)start) {
        ts_log_error("cannot seek %s: %s", o->path, strerror(errno));
        return TS_EIO;
    }
    if (start > 0 && r->framing.header)
        reread_header(r);
    r->input.dev = (uint64_t)sb.st_dev;
    r->input.ino = (uint64_t)sb.st_ino;
    r->input.offset = start;
    r->input.line = lines;
    r->stats->size = S_ISREG(sb.st_mode) ? (uint64_t)sb.st_size : 0;
    if (r->reader)
        ts_linereader_reset(r->reader, r->fd, start, lines);
    else
        r->reader = ts_linereader_new(r->fd, start, lines, TS_LINE_MAX);
    /* The position handed over last, against which batch_submit() decides
     * whether a batch without records still moves the checkpoint. */
    r->cur->checkpoint = r->input;
    return 0;
}

/* Follow mode, at the end of the data: 0 nothing changed, 1 truncated and
 * rewound, 2 rotated (the caller drains the old file, then reopens). */
static int check_rotation(struct run *r)
{
    struct stat now, cur;
    if (fstat(r->fd, &cur) == 0 && (uint64_t)cur.st_size < ts_linereader_offset(r->reader)) {
        ts_log_warn("%s was truncated: reading from the start", r->o->path);
        r->stats->truncations++;
        r->cur->rewound = true;
        if (lseek(r->fd, 0, SEEK_SET) != 0)
            return TS_EIO;
        ts_linereader_reset(r->reader, r->fd, 0, 0);
        r->input.offset = 0;
        r->input.line = 0;
        r->stats->size = (uint64_t)cur.st_size;
        return 1;
    }
    if (stat(r->o->path, &now) != 0)
        return 0; /* between rename and create: look again later */
    if ((uint64_t)now.st_ino == r->input.ino && (uint64_t)now.st_dev == r->input.dev) {
        r->stats->size = (uint64_t)now.st_size;
        return 0;
    }
    return 2;
}

/* CSV framing: a line that leaves a quoted field open is joined with the
 * lines after it into one record. True when *line is a whole record to
 * process now (possibly the joined one, held in r->join). */
static bool csv_record(struct run *r, ts_line_t *line)
{
    char delim = r->framing.csv_delim;
    if (!r->joining) {
        if (line->oversized || !ts_csv_open_quote(line->text.ptr, line->text.len, delim))
            return true;
        r->joining = true;
        r->join_first = *line;
        ts_buf_reset(&r->join);
        ts_buf_append(&r->join, line->text.ptr, line->text.len);
        return false;
    }
    ts_line_t jl = r->join_first;
    if (line->oversized || r->join.len + 1 + line->text.len > TS_LINE_MAX) {
        r->joining = false;
        jl.text = ts_str(r->join.data, r->join.len);
        jl.full_len = r->join.len + 1 + line->full_len;
        jl.oversized = true;
        *line = jl;
        return true;
    }
    ts_buf_putc(&r->join, '\n');
    ts_buf_append(&r->join, line->text.ptr, line->text.len);
    if (ts_csv_open_quote(r->join.data, r->join.len, delim) && !line->unterminated)
        return false;
    r->joining = false;
    jl.text = ts_str(r->join.data, r->join.len);
    jl.full_len = r->join.len;
    jl.end = line->end;
    jl.unterminated = line->unterminated;
    *line = jl;
    return true;
}

/* Ends the JSON record in r->join (or skipped) and processes it. */
static void json_emit(struct run *r)
{
    ts_line_t rec = r->js.first;
    rec.text = ts_str(r->join.data ? r->join.data : "", r->join.len);
    rec.full_len = r->js.len;
    rec.oversized = r->js.skip;
    r->js.record = r->js.skip = false;
    r->js.len = 0;
    process_line(r, &rec);
    ts_buf_reset(&r->join);
}

static void json_keep(struct run *r, const char *p, size_t n)
{
    r->js.len += n;
    if (r->js.skip)
        return;
    if (r->join.len + n > TS_LINE_MAX) {
        r->js.skip = true;
        if (r->join.len > TS_QUARANTINE_DATA_MAX)
            r->join.len = TS_QUARANTINE_DATA_MAX;
        return;
    }
    ts_buf_append(&r->join, p, n);
}

/* JSON framing: the records are the objects of a JSON-lines file, of a file
 * of objects written over several lines, or the elements of a top-level
 * array (an n6 REST answer, Warden's getEvents). While a document is open
 * nothing is committed (r->joining), so that a restart reads it again whole
 * and nothing is stored twice. Text at the top level that is none of these
 * is a record of its own, refused by the parser. */
static void json_records(struct run *r, const ts_line_t *line)
{
    const char *t = line->text.ptr;
    size_t n = line->text.len, start = 0;
    if (line->oversized && !r->joining) {
        process_line(r, line);
        return;
    }
    if (r->js.record)
        json_keep(r, "\n", 1);
    for (size_t i = 0; i < n; i++) {
        char c = t[i];
        if (r->js.record) {
            if (r->js.str) {
                if (r->js.esc)
                    r->js.esc = false;
                else if (c == '\\')
                    r->js.esc = true;
                else if (c == '"')
                    r->js.str = false;
            } else if (c == '"') {
                r->js.str = true;
            } else if (c == '{' || c == '[') {
                r->js.depth++;
            } else if ((c == '}' || c == ']') && --r->js.depth == 0) {
                json_keep(r, t + start, i + 1 - start);
                json_emit(r);
            }
            continue;
        }
        if (c == ' ' || c == '\t' || c == ',' || c == '\r')
            continue;
        if (c == '[' && !r->js.array) {
            r->js.array = true;
            r->join_first = *line;
            continue;
        }
        if (c == ']' && r->js.array) {
            r->js.array = false;
            continue;
        }
        r->js.record = true;
        r->js.first = *line;
        r->js.depth = 1;
        r->js.str = r->js.esc = false;
        start = i;
        if (c != '{') {
            /* Not an object: the rest of the line, for the parser to refuse. */
            json_keep(r, t + i, n - i);
            json_emit(r);
            break;
        }
    }
    if (r->js.record)
        json_keep(r, t + start, n - start);
    if (r->js.record && !r->js.array && !r->joining)
        r->join_first = r->js.first;
    r->joining = r->js.record || r->js.array;
}

static int read_loop(struct run *r)
{
    const ts_ingest_opts_t *o = r->o;
    size_t batch_max = o->batch_max ? o->batch_max : 20000;
    size_t batch_bytes = o->batch_bytes ? o->batch_bytes : TS_INGEST_BATCH_BYTES;
    int batch_ms = o->batch_ms > 0 ? o->batch_ms : 200;
    int poll_ms = o->poll_ms > 0 ? o->poll_ms : 100;
    bool draining = false; /* old file after rotation: read to its end, then switch */
    int rc;

    for (;;) {
        /* The flags are set by a signal handler or by another thread (the
         * serve daemon's main loop): atomic accesses, not just volatile. */
        if (o->stop && __atomic_load_n(o->stop, __ATOMIC_ACQUIRE))
            return 0;
        if (o->reload && __atomic_exchange_n(o->reload, 0, __ATOMIC_ACQ_REL)) {
            if ((rc = batch_submit(r)) < 0 || (rc = reload_constituency(r)) < 0)
                return rc;
        }
        ts_line_t line;
        bool final = !o->follow || draining;
        int n = ts_linereader_next(r->reader, final, &line);
        if (n == TS_EINTR)
            continue;
        if (n < 0) {
            ts_log_error("read error on %s: %s", o->path, strerror(errno));
            return TS_EIO;
        }
        if (n == 1) {
            if (r->o->parser->json) {
                json_records(r, &line);
                if (r->joining)
                    continue;
            } else if (r->framing.csv_delim && !csv_record(r, &line)) {
                continue;
            } else {
                process_line(r, &line);
            }
            if (r->cur->n >= batch_max || ts_arena_size(r->cur->arena) >= batch_bytes ||
                mono_ms() - r->batch_start_ms >= batch_ms)
                if ((rc = batch_submit(r)) < 0)
                    return rc;
            continue;
        }
        /* No complete record available now. */
        if (r->joining && r->o->parser->json) {
            if (!final) {
                sleep_ms(poll_ms); /* a document is being written: wait for its end */
                continue;
            }
            r->joining = r->js.array = false;
            if (r->js.record) {
                ts_line_t rec = r->js.first;
                rec.text = ts_str(r->join.data, r->join.len);
                rec.full_len = r->js.len;
                quarantine(r, &rec, TS_ETRUNC, "the input ends inside a JSON record");
                r->js.record = r->js.skip = false;
                r->js.len = 0;
                ts_buf_reset(&r->join);
            }
        } else if (r->joining && final) {
            r->joining = false;
            ts_line_t jl = r->join_first;
            jl.text = ts_str(r->join.data, r->join.len);
            jl.full_len = r->join.len;
            quarantine(r, &jl, TS_ETRUNC, "the input ends inside a quoted field");
        }
        if ((rc = batch_submit(r)) < 0)
            return rc;
        if (!o->follow || r->is_stdin)
            return 0;
        if (draining) {
            if ((rc = writer_drain(r)) < 0)
                return rc;
            close(r->fd);
            r->fd = -1;
            draining = false;
            r->input.dev = r->input.ino = 0;
            if ((rc = open_input(r, false)) < 0)
                return rc;
            r->stats->rotations++;
            ts_log_info("%s was rotated: now reading the new file", o->path);
            continue;
        }
        int rot = check_rotation(r);
        if (rot < 0)
            return rot;
        if (rot == 2)
            draining = true;
        else if (rot == 0)
            sleep_ms(poll_ms);
    }
}

/* Follow mode on a file that is not there yet (a sensor not started, a log
 * not rotated in): waits for it, so that a service can start first. Returns
 * false when stopped meanwhile. Any error but ENOENT is left to the open. */
static bool wait_for_file(const ts_ingest_opts_t *o)
{
    bool said = false;
    while (access(o->path, F_OK) != 0 && errno == ENOENT) {
        if (o->stop && __atomic_load_n(o->stop, __ATOMIC_ACQUIRE))
            return false;
        if (!said)
            ts_log_info("%s does not exist yet: waiting for it", o->path);
        said = true;
        sleep_ms(o->poll_ms > 0 ? o->poll_ms : 100);
    }
    if (said)
        ts_log_info("%s appeared: reading it", o->path);
    return true;
}

int ts_ingest_run(ts_store_t *st, ts_constituency_t **c, const ts_ingest_opts_t *o,
                  ts_ingest_stats_t *stats)
{
    struct run r;
    memset(&r, 0, sizeof r);
    memset(stats, 0, sizeof *stats);
    r.st = st;
    r.c = c;
    r.o = o;
    r.stats = stats;
    r.fd = -1;
    r.is_stdin = strcmp(o->path, "-") == 0;
    for (int i = 0; i < 2; i++)
        ts_batch_init(&r.batches[i]);
    r.cur = &r.batches[0];
    r.batch_start_ms = mono_ms();
    r.now_us = ts_time_now();

    char name[4096];
    int rc = 0;
    if (o->parser->ops) {
        char err[512] = "";
        ts_parser_cfg_t cfg = o->parser_cfg;
        cfg.path = o->path;
        rc = o->parser->ops->open(&cfg, &r.pstate, &r.framing, err, sizeof err);
        if (rc < 0) {
            ts_log_error("%s: %s", o->parser->name, err);
            goto free_batches;
        }
    }
    if (r.is_stdin) {
        snprintf(name, sizeof name, "-");
    } else if (o->follow && !wait_for_file(o)) {
        goto free_batches; /* stopped before the file appeared: nothing read */
    } else if (realpath(o->path, name) == NULL) {
        ts_log_error("cannot open %s: %s", o->path, strerror(errno));
        rc = TS_EIO;
        goto free_batches;
    }
    rc = ts_store_input_get(st, name, o->parser->name, &r.input);
    if (rc < 0) {
        ts_log_error("cannot read the checkpoint of %s: %s", name, ts_store_errmsg(st));
        goto free_batches;
    }
    if (r.is_stdin) {
        r.fd = STDIN_FILENO;
        r.reader = ts_linereader_new(r.fd, 0, 0, TS_LINE_MAX);
        r.cur->checkpoint = r.input;
    } else if ((rc = open_input(&r, !o->from_start)) < 0) {
        goto free_batches;
    }

    for (int i = 0; i < 2; i++) {
        r.batches[i].input = name;
        r.batches[i].format = o->parser->name;
        r.batches[i].input_id = r.input.id;
    }
    ts_bus_t *local = o->bus ? NULL : ts_bus_local(st);
    r.w.bus = o->bus ? o->bus : local;
    r.w.stop = o->stop;
    const char *labels[] = {"input", name, "format", o->parser->name, NULL};
    r.w.m_events = ts_metrics_counter("tocsin_input_events_total",
                                      "Events stored, per input (file) and format.", labels);
    r.w.m_quarantined =
        ts_metrics_counter("tocsin_input_quarantined_total",
                           "Records quarantined, per input (file) and format.", labels);
    pthread_mutex_init(&r.w.mu, NULL);
    pthread_cond_init(&r.w.cv, NULL);
    if (pthread_create(&r.w.thread, NULL, writer_main, &r.w) != 0) {
        ts_log_error("cannot start the writer thread");
        rc = TS_ENOMEM;
        goto destroy;
    }
    rc = read_loop(&r);
    /* Whatever was read before a stop is committed with its checkpoint. */
    if (rc == 0)
        rc = batch_submit(&r);
    int werr = writer_drain(&r);
    if (rc == 0)
        rc = werr;
    pthread_mutex_lock(&r.w.mu);
    r.w.quit = true;
    pthread_cond_broadcast(&r.w.cv);
    pthread_mutex_unlock(&r.w.mu);
    pthread_join(r.w.thread, NULL);
destroy:
    pthread_cond_destroy(&r.w.cv);
    pthread_mutex_destroy(&r.w.mu);
    ts_bus_close(local);
free_batches:
    if (r.fd >= 0 && !r.is_stdin)
        close(r.fd);
    ts_linereader_free(r.reader);
    for (int i = 0; i < 2; i++)
        ts_batch_free(&r.batches[i]);
    if (r.pstate)
        o->parser->ops->close(r.pstate);
    ts_buf_free(&r.join);
    return rc;
}
