/* SPDX-License-Identifier: Apache-2.0 */
/* Notifiable items: what a notification is built from, whatever produced it.
 *
 * A source (advisories, scan findings; incidents later) turns what
 * happened since its watermark into items; the builder (notify/builder.h)
 * sends each item to the contacts of its site that want it, at once or in
 * their hourly or daily digest, and the watermark moves in the same
 * transaction that queues the items, so an item is never notified twice nor
 * lost by a crash between the two.
 *
 * ---- The source contract (how a new source is wired in) ----------------------
 *
 * A source is a ts_nsource_t: a name (the key of its watermark in the store,
 * never changed once released) and a function `collect` that calls `emit`
 * once per item that appeared or changed after `mark`, and returns the new
 * watermark. Rules:
 *  1. collect only reads; it runs inside the builder's write transaction.
 *  2. The watermark is any int64 that grows (a time in us, a row id). An
 *     item is emitted when its own position is > mark and <= the returned
 *     mark; the next run starts after the returned mark. When positions are
 *     times written by other processes, hold back the last seconds (return
 *     at most now - TS_NSOURCE_SETTLE_US) so that a row committed late with
 *     an earlier time is not skipped.
 *  3. Every string of an item is borrowed for the emit call; the builder
 *     copies what it keeps.
 *  4. site_id is the site the item is about; the builder sends it only to
 *     that site's contacts (the store refuses anything else), so a source
 *     cannot make a mail cross sites.
 *
 * The incident source (issue "From events to incidents") is expected as
 * notify/incsource.c, about 80 lines:
 *   - name "incidents"; position: the incident's last-change sequence (a
 *     row version or a monotonic id of the change), so re-prioritised
 *     incidents come back;
 *   - kind TS_NITEM_NEW for an incident first seen after the mark;
 *     TS_NITEM_RAISED when its priority rose past a threshold since it was
 *     last notified (the builder compares with each contact's own threshold
 *     through `priority` and `prev_priority`);
 *   - type: the RSIT type of the incident; priority 1..4; hosts: the site's
 *     addresses involved; summary and why: the portal's own texts for the
 *     incident (so the mail says exactly what the portal says); link: the
 *     incident's portal URL; events_csv: its events as output/format.h writes
 *     CSV (and events_iodef when available);
 *   - collect reads the incidents store only, never the events table per
 *     item (a digest of 100k incidents must stay a few queries).
 * See docs/notify.md for the same contract in prose. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"
#include "store/store.h"

#define TS_NSOURCE_SETTLE_US (INT64_C(2) * 1000000)
#define TS_NITEM_HOSTS_MAX 64 /* hosts kept per item; the rest counted */
#define TS_NITEM_TEXT_MAX 2048

typedef enum ts_nitem_kind {
    TS_NITEM_NEW = 1,      /* a new incident */
    TS_NITEM_RAISED = 2,   /* an incident whose priority rose */
    TS_NITEM_ADVISORY = 3, /* a new (or changed) matched advisory */
    TS_NITEM_FINDING = 4,  /* a scan finding */
} ts_nitem_kind_t;

/* Priorities, as contacts set their thresholds. */
enum { TS_PRIO_LOW = 1, TS_PRIO_MEDIUM = 2, TS_PRIO_HIGH = 3, TS_PRIO_CRITICAL = 4 };

typedef struct ts_nitem {
    int64_t site_id;
    ts_nitem_kind_t kind;
    const char *type;         /* RSIT type ("vulnerable-system", "scanner", ...) */
    int priority;             /* 1..4 */
    int prev_priority;        /* RAISED: the priority last notified; else 0 */
    const char *ref;          /* the source's id of the thing (advisory id, incident id) */
    const char *const *hosts; /* n_hosts strings */
    size_t n_hosts;
    const char *summary;      /* one line */
    const char *why;          /* why the site gets it, as the portal says it */
    const char *link;         /* portal URL of the thing */
    const char *events_csv;   /* CSV with its header line; "" or NULL when none */
    const char *events_iodef; /* IODEF XML; NULL when none */
} ts_nitem_t;

/* Checks an item: site > 0, kind, type and summary present, priority 1..4,
 * no control characters but in the CSV, lengths bounded.
 * \retval 0.  \retval TS_EINVAL with err saying which field. */
TS_MUSTCHECK int ts_nitem_check(const ts_nitem_t *it, char *err, size_t errsize);

/* The item as one JSON object (the form digests keep it in the store). */
void ts_nitem_write(const ts_nitem_t *it, ts_buf_t *out);
/* An item read back from that JSON; its strings live in *owner (free with
 * ts_nitem_free()). \retval TS_ESYNTAX not such an object. */
typedef struct ts_nitem_owned ts_nitem_owned_t;
TS_MUSTCHECK int ts_nitem_read(const char *json, size_t len, ts_nitem_t *it /* OUT */,
                               ts_nitem_owned_t **owner /* OUT */);
void ts_nitem_free(ts_nitem_owned_t *owner);

const char *ts_nitem_kind_name(ts_nitem_kind_t k);
/* "low", "medium", "high", "critical"; "?" otherwise. */
const char *ts_prio_name(int p);
/* 1..4 for a name (also "none" = 0); -1 when unknown. */
int ts_prio_parse(const char *s);

typedef int (*ts_nitem_emit_fn)(const ts_nitem_t *it, void *ctx);

typedef struct ts_nsource {
    const char *name;
    /* Emits the items after mark; *new_mark gets the watermark to store.
     * portal: the base URL for links ("https://portal.example"). A non-zero
     * return of emit stops and is returned. */
    int (*collect)(ts_store_t *st, int64_t mark, int64_t now, const char *portal,
                   ts_nitem_emit_fn emit, void *ctx, int64_t *new_mark /* OUT */);
} ts_nsource_t;

/* For sources. Appends s (at most max bytes of it) with control characters
 * turned into spaces: texts from documents and banners may hold line ends,
 * an item's texts are one line. */
void ts_nitem_one_line(ts_buf_t *b, const char *s, size_t max);
/* Appends s percent-encoded as one URL path segment (RFC 3986 unreserved
 * characters kept). */
void ts_nitem_url_segment(ts_buf_t *b, const char *s);

/* The advisory source (notify/advsource.c): one item per (site, advisory)
 * whose match alerts and changed after the mark. */
extern const ts_nsource_t ts_nsource_advisories;
/* The scan source (notify/scansource.c): for each scan of a site that ended
 * (done) after the mark with findings, one item per RSIT type of its
 * findings (exposed services, matched advisories, certificates, and the
 * changes since the site's previous scan of the same targets), to the site
 * that asked for it. Position: the scan's end time. */
extern const ts_nsource_t ts_nsource_scans;
/* The incident source (notify/incsource.c): the incidents new since the
 * mark (TS_NITEM_NEW) or whose priority rose since (TS_NITEM_RAISED), one
 * item each. Position: the incident store's change sequence. */
extern const ts_nsource_t ts_nsource_incidents;
