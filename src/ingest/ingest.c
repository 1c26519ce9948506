/* SPDX-License-Identifier: Apache-2.0 */
#include "ingest/ingest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/log.h"
#include "ingest/linereader.h"
#include "route/loader.h"

void ts_ingest_opts_init(ts_ingest_opts_t *o)
{
    memset(o, 0, sizeof *o);
    o->batch_max = 20000;
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

struct run {
    ts_store_t *st;
    ts_constituency_t **c;
    const ts_ingest_opts_t *o;
    ts_ingest_stats_t *stats;
    ts_arena_t *arena;
    ts_input_state_t input;
    bool is_stdin;
    int fd;
    ts_linereader_t *reader;
    bool in_tx;
    size_t batch_n;
    int64_t batch_start_ms;
    int64_t now_us;
};

static int batch_open(struct run *r)
{
    if (r->in_tx)
        return 0;
    int rc = ts_store_begin(r->st);
    if (rc < 0) {
        ts_log_error("cannot start a transaction: %s", ts_store_errmsg(r->st));
        return rc;
    }
    r->in_tx = true;
    r->batch_n = 0;
    r->batch_start_ms = mono_ms();
    r->now_us = ts_time_now();
    return 0;
}

/* Commits the events of the batch together with the checkpoint just past
 * the last record they came from. */
static int batch_commit(struct run *r)
{
    if (!r->in_tx)
        return 0;
    r->input.offset = ts_linereader_offset(r->reader);
    r->input.line = ts_linereader_lines(r->reader);
    int rc = r->is_stdin ? 0 : ts_store_input_checkpoint(r->st, &r->input);
    if (rc == 0)
        rc = ts_store_commit(r->st);
    r->in_tx = false;
    if (rc < 0) {
        ts_log_error("commit failed, batch not acknowledged: %s", ts_store_errmsg(r->st));
        ts_store_rollback(r->st);
        return rc;
    }
    r->stats->batches++;
    r->stats->offset = r->input.offset;
    ts_arena_reset(r->arena);
    if (r->o->progress)
        r->o->progress(r->stats, r->o->progress_ctx);
    return 0;
}

static int quarantine(struct run *r, const ts_line_t *line, int reason, const char *detail)
{
    r->stats->quarantined++;
    int rc = ts_store_quarantine_add(r->st, r->input.id, line->number, line->offset, reason,
                                     detail, line->text.ptr, line->text.len, line->full_len);
    if (rc < 0)
        ts_log_error("cannot store a quarantined record: %s", ts_store_errmsg(r->st));
    return rc;
}

static int process_line(struct run *r, const ts_line_t *line)
{
    int rc = batch_open(r);
    if (rc < 0)
        return rc;
    r->stats->lines++;
    r->batch_n++;

    if (line->oversized) {
        char detail[128];
        snprintf(detail, sizeof detail, "line of %llu bytes exceeds the limit of %d bytes",
                 (unsigned long long)line->full_len, TS_LINE_MAX);
        return quarantine(r, line, TS_ETOOBIG, detail);
    }

    /* Blank lines carry nothing; many writers leave one at the end. */
    size_t k = 0;
    while (k < line->text.len && (line->text.ptr[k] == ' ' || line->text.ptr[k] == '\t'))
        k++;
    if (k == line->text.len) {
        r->stats->skipped++;
        return 0;
    }

    ts_event_t ev;
    ts_parse_error_t perr;
    perr.detail[0] = '\0';
    int prc = r->o->parser->parse(line->text.ptr, line->text.len, r->arena, &ev, &perr);
    if (prc == TS_PARSE_SKIP) {
        r->stats->skipped++;
        return 0;
    }
    if (prc < 0) {
        if (line->unterminated) {
            char detail[sizeof perr.detail + 64];
            snprintf(detail, sizeof detail, "last line has no newline and does not parse: %s",
                     perr.detail);
            return quarantine(r, line, TS_ETRUNC, detail);
        }
        return quarantine(r, line, prc, perr.detail[0] ? perr.detail : ts_strerror(prc));
    }

    if (ev.time_observation == TS_TIME_NONE)
        ev.time_observation = r->now_us;
    if (r->o->feed_name)
        ev.feed_name = ts_str_c(r->o->feed_name);
    if (r->o->feed_provider)
        ev.feed_provider = ts_str_c(r->o->feed_provider);

    ts_link_t links[2];
    int n = ts_constituency_route(*r->c, &ev, links);
    rc = ts_store_event_add(r->st, &ev, links, n, r->input.id, line->number, NULL);
    if (rc < 0) {
        ts_log_error("cannot store an event: %s", ts_store_errmsg(r->st));
        return rc;
    }
    r->stats->events++;
    if (n > 0)
        r->stats->linked++;
    return 0;
}

static int reload_constituency(struct run *r)
{
    ts_constituency_t *fresh = NULL;
    int rc = ts_constituency_load(r->st, &fresh);
    if (rc < 0) {
        ts_log_error("constituency reload failed, keeping the old one: %s", ts_strerror(rc));
        return 0;
    }
    ts_constituency_free(*r->c);
    *r->c = fresh;
    ts_log_info("constituency reloaded: %zu sites", ts_constituency_site_count(fresh));
    return 0;
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
                    o->path, (unsigned long long)sb.st_size,
                    (unsigned long long)r->input.offset);
        r->stats->truncations++;
    } else if (resume && r->input.offset > 0) {
        ts_log_warn("%s is another file than at the checkpoint (rotated or replaced): reading "
                    "it from the start",
                    o->path);
    }
    if (start > 0 && lseek(r->fd, (off_t)start, SEEK_SET) != (off_t)start) {
        ts_log_error("cannot seek %s: %s", o->path, strerror(errno));
        return TS_EIO;
    }
    r->input.dev = (uint64_t)sb.st_dev;
    r->input.ino = (uint64_t)sb.st_ino;
    r->input.offset = start;
    r->input.line = lines;
    r->stats->size = S_ISREG(sb.st_mode) ? (uint64_t)sb.st_size : 0;
    r->stats->offset = start;
    if (r->reader)
        ts_linereader_reset(r->reader, r->fd, start, lines);
    else
        r->reader = ts_linereader_new(r->fd, start, lines, TS_LINE_MAX);
    return 0;
}

/* Follow mode, at the end of the data: has the file been rotated or
 * truncated? Returns 1 if the reader was switched. */
static int check_rotation(struct run *r)
{
    struct stat now, cur;
    if (fstat(r->fd, &cur) == 0 && (uint64_t)cur.st_size < ts_linereader_offset(r->reader)) {
        ts_log_warn("%s was truncated: reading from the start", r->o->path);
        r->stats->truncations++;
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
    return 2; /* rotated: caller drains the old file, then reopens */
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
    r.arena = ts_arena_new(1 << 20);

    char name[4096];
    if (r.is_stdin) {
        snprintf(name, sizeof name, "-");
    } else if (realpath(o->path, name) == NULL) {
        ts_log_error("cannot open %s: %s", o->path, strerror(errno));
        ts_arena_free(r.arena);
        return TS_EIO;
    }
    int rc = ts_store_input_get(st, name, o->parser->name, &r.input);
    if (rc < 0) {
        ts_log_error("cannot read the checkpoint of %s: %s", name, ts_store_errmsg(st));
        ts_arena_free(r.arena);
        return rc;
    }

    if (r.is_stdin) {
        r.fd = STDIN_FILENO;
        r.reader = ts_linereader_new(r.fd, 0, 0, TS_LINE_MAX);
    } else {
        rc = open_input(&r, !o->from_start);
        if (rc < 0)
            goto out;
    }

    size_t batch_max = o->batch_max ? o->batch_max : 20000;
    int batch_ms = o->batch_ms > 0 ? o->batch_ms : 200;
    int poll_ms = o->poll_ms > 0 ? o->poll_ms : 100;
    bool draining = false; /* old file after rotation: read to its end, then switch */

    for (;;) {
        if (o->stop && *o->stop)
            break;
        if (o->reload && *o->reload) {
            *o->reload = 0;
            if ((rc = batch_commit(&r)) < 0)
                goto out;
            reload_constituency(&r);
        }
        ts_line_t line;
        bool final = !o->follow || draining;
        int n = ts_linereader_next(r.reader, final, &line);
        if (n == TS_EINTR)
            continue;
        if (n < 0) {
            ts_log_error("read error on %s: %s", o->path, strerror(errno));
            rc = TS_EIO;
            goto out;
        }
        if (n == 1) {
            if ((rc = process_line(&r, &line)) < 0)
                goto out;
            if (r.batch_n >= batch_max || mono_ms() - r.batch_start_ms >= batch_ms)
                if ((rc = batch_commit(&r)) < 0)
                    goto out;
            continue;
        }
        /* No complete record available. */
        if ((rc = batch_commit(&r)) < 0)
            goto out;
        if (!o->follow || r.is_stdin)
            break;
        if (draining) {
            close(r.fd);
            r.fd = -1;
            draining = false;
            r.input.dev = r.input.ino = 0;
            if ((rc = open_input(&r, false)) < 0)
                goto out;
            stats->rotations++;
            ts_log_info("%s was rotated: now reading the new file", o->path);
            continue;
        }
        int rot = check_rotation(&r);
        if (rot < 0) {
            rc = rot;
            goto out;
        }
        if (rot == 2) {
            draining = true;
            continue;
        }
        if (rot == 0)
            sleep_ms(poll_ms);
    }
    rc = batch_commit(&r);
out:
    if (r.in_tx) {
        ts_store_rollback(st);
        r.in_tx = false;
    }
    if (r.fd >= 0 && !r.is_stdin)
        close(r.fd);
    ts_linereader_free(r.reader);
    ts_arena_free(r.arena);
    return rc;
}
