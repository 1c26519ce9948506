/* SPDX-License-Identifier: Apache-2.0 */
/* Record parsers: one line of an input in, one normalised event out.
 *
 * A parser never allocates with malloc on its hot path: strings it keeps are
 * either slices of the input line or copies in the batch arena (a slice into
 * the line is only valid while the line buffer is, so parsers copy into the
 * arena whatever the event keeps). Every parser bounds what it reads
 * (TS_EVENT_STR_MAX, TS_EVENT_EXTRA_MAX, nesting depth) and never reads past
 * len. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/error.h"
#include "core/event.h"

/* Longest line (record) accepted by any line-based input. */
#define TS_LINE_MAX (1024 * 1024)

enum {
    TS_PARSE_EVENT = 0, /* *out holds an event */
    TS_PARSE_SKIP = 1,  /* a valid record that is not a security event (EVE stats, ...) */
};

/* Why a record was refused: detail is a short human sentence naming the field
 * ("src_ip: not an IP address"). */
typedef struct ts_parse_error {
    char detail[192];
} ts_parse_error_t;

/* Parses one record (line without its newline).
 * \retval TS_PARSE_EVENT or TS_PARSE_SKIP.
 * \retval negative ts_err (TS_ESYNTAX, TS_EUTF8, TS_EMISSING, TS_ETYPE, TS_EADDR,
 *         TS_ETOOBIG, TS_EINVAL, ...) with err->detail filled: quarantine it. */
typedef int (*ts_parse_fn)(const char *line, size_t len, ts_arena_t *arena,
                           ts_event_t *out /* OUT */, ts_parse_error_t *err /* OUT */);

/* What a format that keeps state per input (a CSV header, a schema, a
 * mapping file) is opened with. Strings are borrowed for the open call. */
typedef struct ts_parser_cfg {
    const char *path;    /* the input ("-" for stdin): a report's type may follow from its name */
    const char *report;  /* shadowserver: the report type; NULL = from the file name */
    const char *schema;  /* shadowserver: the schema file; NULL = $TOCSIN_SHADOWSERVER_SCHEMA */
    const char *mapping; /* mapped: the mapping file */
} ts_parser_cfg_t;

/* How the input is cut into records. */
typedef struct ts_parser_framing {
    char csv_delim; /* 0: a record per line; else CSV records (a quoted field may span lines) */
    bool header;    /* the first record of a file is a header, given to header() */
} ts_parser_framing_t;

/* A format with state. open() refuses a configuration it cannot use
 * (unknown report type, bad schema or mapping) with err, before any record
 * is read. header() takes the first record of every file (again after a
 * resume, a rotation or a truncation); a header it refuses makes every
 * record of that file fail. parse() is ts_parse_fn with the state. */
typedef struct ts_parser_ops {
    int (*open)(const ts_parser_cfg_t *cfg, void **state /* OUT */,
                ts_parser_framing_t *framing /* OUT */, char *err, size_t errsize);
    void (*close)(void *state);
    int (*header)(void *state, const char *rec, size_t len, ts_parse_error_t *err);
    int (*parse)(void *state, const char *rec, size_t len, ts_arena_t *arena,
                 ts_event_t *out /* OUT */, ts_parse_error_t *err /* OUT */);
} ts_parser_ops_t;

typedef struct ts_parser {
    const char *name;        /* "eve", "intelmq" */
    const char *description; /* one line for --help */
    ts_parse_fn parse;       /* stateless formats; NULL when ops is set */
    const ts_parser_ops_t *ops;
    ts_tlp_t tlp; /* the format's TLP for records that carry none (TS_TLP_NONE: none) */
    bool json;    /* records are JSON objects: one per line, over several lines, or the
                     elements of a top-level array (the whole file one document) */
} ts_parser_t;

/* Parser by format name, or NULL. */
const ts_parser_t *ts_parser_find(const char *name);
/* NULL-terminated list of all parsers. */
const ts_parser_t *const *ts_parser_list(void);

/* The parsers themselves (eve.c, intelmq.c, cowrie.c, sshd.c). */
int ts_eve_parse(const char *line, size_t len, ts_arena_t *arena, ts_event_t *out,
                 ts_parse_error_t *err);
int ts_intelmq_parse(const char *line, size_t len, ts_arena_t *arena, ts_event_t *out,
                     ts_parse_error_t *err);
int ts_cowrie_parse(const char *line, size_t len, ts_arena_t *arena, ts_event_t *out,
                    ts_parse_error_t *err);
int ts_sshd_parse(const char *line, size_t len, ts_arena_t *arena, ts_event_t *out,
                  ts_parse_error_t *err);
/* IDEA (idea.c) and n6 (n6.c): one JSON object per record. */
int ts_idea_parse(const char *line, size_t len, ts_arena_t *arena, ts_event_t *out,
                  ts_parse_error_t *err);
int ts_n6_parse(const char *line, size_t len, ts_arena_t *arena, ts_event_t *out,
                ts_parse_error_t *err);
/* blocklist.c: line-based third-party feeds. */
int ts_spamhaus_drop_parse(const char *line, size_t len, ts_arena_t *arena, ts_event_t *out,
                           ts_parse_error_t *err);
int ts_dshield_block_parse(const char *line, size_t len, ts_arena_t *arena, ts_event_t *out,
                           ts_parse_error_t *err);
int ts_dataplane_parse(const char *line, size_t len, ts_arena_t *arena, ts_event_t *out,
                       ts_parse_error_t *err);
int ts_cymru_cap_parse(const char *line, size_t len, ts_arena_t *arena, ts_event_t *out,
                       ts_parse_error_t *err);
