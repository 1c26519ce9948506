/* SPDX-License-Identifier: Apache-2.0 */
/* Mail templates, per language and per type, in files the CSIRT can change:
 *
 *   DIR/<lang>/digest.txt        the mail: "Subject: ..." line, blank line, body
 *   DIR/<lang>/group.txt         one block per type in a digest
 *   DIR/<lang>/item.txt          one block per item
 *   DIR/<lang>/item-<name>.txt   optional: the block of items of that item kind
 *                                (advisory, scan-finding, new-incident,
 *                                priority-raised) or else of that RSIT type
 *   DIR/<lang>/verify.txt        a contact's re-verification mail ("Subject:"
 *                                line, blank line, body; directory/verify.h)
 *   DIR/<lang>/forward.txt       an event forwarded outside the constituency
 *                                (the same form; directory/forward.h)
 *
 * for every language of TS_TPL_LANGS. A placeholder is {{name}}; each file
 * may use only the names of its kind (below), and a file naming another one,
 * an unclosed "{{", a missing file or a non-UTF-8 byte is refused when the
 * set is loaded, with the file, the line and the names it may use, never
 * when a mail is being built.
 *
 *   digest: site contact count period groups key_note csirt date
 *   group:  type count items
 *   item:   kind type priority summary why link hosts ref
 *   verify: site (the site or team) contact (the address) link csirt date
 *   forward: csirt date type hosts (the address) summary (the details) tlp
 *   notice: contact csirt date why domain reason step since until procedure
 *           (a domain case's notice, domain/notice.h: a mail of its own with
 *           its "Subject: ..." line, loaded by ts_tpl_parse() from
 *           DIR/<lang>/domain-<step>.txt, not part of a set)
 *
 * Values are inserted as they are (plain text mails; no escaping needed). */
#pragma once
#include <stddef.h>

#include "core/buf.h"
#include "core/error.h"

#define TS_TPL_FILE_MAX (64u << 10)

/* The languages a set must have. */
#define TS_TPL_LANG_COUNT 2
extern const char *const ts_tpl_langs[TS_TPL_LANG_COUNT]; /* "en", "de" */

typedef enum ts_tpl_kind {
    TS_TPL_DIGEST,
    TS_TPL_GROUP,
    TS_TPL_ITEM,
    TS_TPL_VERIFY,
    TS_TPL_FORWARD,
    TS_TPL_NOTICE,
} ts_tpl_kind_t;

typedef enum ts_tpl_var {
    /* digest */
    TS_V_SITE,
    TS_V_CONTACT,
    TS_V_COUNT,
    TS_V_PERIOD,
    TS_V_GROUPS,
    TS_V_KEY_NOTE,
    TS_V_CSIRT,
    TS_V_DATE,
    /* group (and count) */
    TS_V_TYPE,
    TS_V_ITEMS,
    /* item (and type) */
    TS_V_KIND,
    TS_V_PRIORITY,
    TS_V_SUMMARY,
    TS_V_WHY,
    TS_V_LINK,
    TS_V_HOSTS,
    TS_V_REF,
    /* forward */
    TS_V_TLP,
    /* notice (and contact, csirt, date, why) */
    TS_V_DOMAIN,
    TS_V_REASON,
    TS_V_STEP,
    TS_V_SINCE,
    TS_V_UNTIL,
    TS_V_PROCEDURE,
    TS_V_COUNT_,
} ts_tpl_var_t;

typedef struct ts_tpl ts_tpl_t;
typedef struct ts_tpl_set ts_tpl_set_t;

/* Parses one template of a kind from text (len bytes); name is used in
 * messages ("de/item.txt"). \retval 0, *out set (ts_tpl_free()).
 * \retval TS_ESYNTAX an unknown placeholder, an unclosed "{{", or a digest
 * (verify, forward) without its Subject line.  \retval TS_EUTF8.  \retval TS_ETOOBIG.
 * err (errsize bytes) says where: "de/item.txt:3: unknown placeholder {{foo}}
 * (this file may use: kind type ...)". */
TS_MUSTCHECK int ts_tpl_parse(ts_tpl_kind_t kind, const char *name, const char *text, size_t len,
                              ts_tpl_t **out /* OUT */, char *err, size_t errsize);
void ts_tpl_free(ts_tpl_t *t);
/* Appends the template with values[TS_V_*] (NULL reads as ""); a digest's
 * subject line is not part of its body. */
void ts_tpl_render(const ts_tpl_t *t, const char *const values[TS_V_COUNT_], ts_buf_t *out);
/* A digest's (verify's, forward's) subject, rendered the same way. */
void ts_tpl_render_subject(const ts_tpl_t *t, const char *const values[TS_V_COUNT_], ts_buf_t *out);

/* Loads a whole set from dir. \retval 0, *out set (ts_tpl_set_free()).
 * \retval TS_ENOENT a required file is missing; other codes as ts_tpl_parse();
 * err names the file. */
TS_MUSTCHECK int ts_tpl_set_load(const char *dir, ts_tpl_set_t **out /* OUT */, char *err,
                                 size_t errsize);
void ts_tpl_set_free(ts_tpl_set_t *s);
/* The template of a kind for lang (an unknown language reads as "en"); for
 * TS_TPL_ITEM the file of the item's kind (item_kind, ts_nitem_kind_name())
 * when there is one, else its RSIT type's, else item.txt: an advisory and a
 * scan finding may share a type, not a wording. Never NULL. */
const ts_tpl_t *ts_tpl_get(const ts_tpl_set_t *s, const char *lang, ts_tpl_kind_t kind,
                           const char *item_kind, const char *type);
/* The installed templates (share/tocsin/templates beside the binary), else
 * the source tree's: written into buf (size bytes); returns buf. */
const char *ts_tpl_default_dir(char *buf, size_t size);
