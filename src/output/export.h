/* SPDX-License-Identifier: Apache-2.0 */
/* Exchange formats: events written for other parties (peer CSIRTs, MISP
 * communities, Warden): IDEA, IODEF 2 (RFC 7970), STIX 2.1 and MISP's core
 * format. Like format.h, streamed: begin, one call per event, end.
 *
 * TLP (core/tlp.h): these exports leave others than the CSIRT, so an event
 * at AMBER+STRICT or RED is never written (ts_export_event() says it held it
 * back); every event written carries its TLP (IDEA "TLP", IODEF's
 * restriction, STIX marking definitions, MISP tags and distribution).
 *
 * Who writes: the CSIRT named by $TOCSIN_CSIRT_NAME (default "tocsin CSIRT"),
 * as IODEF's IncidentID name and contact, STIX's identity and MISP's Orgc.
 * Identifiers (IDEA ID, STIX ids, MISP uuids) are derived from the CSIRT's
 * name and the event's id, so writing the same events again gives the same
 * document. Text is escaped for its format (JSON by core/jsonw.h, XML by
 * core/markup.h). */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/error.h"
#include "store/store.h"

typedef enum ts_export_fmt {
    TS_EXPORT_IDEA, /* one IDEA object per line (JSON lines), read back by --format idea */
    TS_EXPORT_IODEF,
    TS_EXPORT_STIX,
    TS_EXPORT_MISP,
} ts_export_fmt_t;

/* "idea", "iodef", "stix", "misp". \retval 0.  \retval TS_EINVAL another name. */
TS_MUSTCHECK int ts_export_parse(const char *name, ts_export_fmt_t *out /* OUT */);
/* The media type of a format's document: application/idea+json (JSON
 * lines), application/iodef+xml, application/stix+json, application/misp+json. */
const char *ts_export_media_type(ts_export_fmt_t fmt);

typedef struct ts_export {
    ts_export_fmt_t fmt;
    const char *csirt; /* the writer's name */
    size_t written;    /* events written so far */
    size_t withheld;   /* events held back by their TLP */
    int64_t now;       /* the document's time (us), fixed at begin */
} ts_export_t;

/* Starts a document (the STIX bundle with the identity and the marking
 * definitions, the IODEF document, MISP's response array). now: the
 * document's time in us (the caller's clock: tests fix it). */
void ts_export_begin(ts_export_t *x, ts_export_fmt_t fmt, int64_t now, ts_buf_t *out);
/* Appends one event; false (nothing written) when its TLP keeps it inside. */
bool ts_export_event(ts_export_t *x, const ts_stored_event_t *ev, ts_buf_t *out);
/* Ends the document. An IODEF document without events holds one Incident
 * saying so, as RFC 7970 wants at least one. */
void ts_export_end(ts_export_t *x, ts_buf_t *out);

/* True when an event at this TLP may go to other parties. */
bool ts_export_allowed(ts_tlp_t tlp);
