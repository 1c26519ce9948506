/* SPDX-License-Identifier: Apache-2.0 */
/* Site contacts as people give them (command line, API, import files):
 * every field checked and normalised before the store sees it, with a
 * message that names the field.
 *
 *   email            an address (notify/address.h), unique per site
 *   name             free text, 256 bytes, no control characters
 *   roles            comma-separated: abuse, security, technical, management
 *   phone            digits, spaces and + ( ) - / . (32 bytes)
 *   lang             en or de
 *   tz               an IANA zone (notify/hours.h)
 *   hours            working hours (notify/hours.h); outside them only
 *                    urgent mail is sent
 *   immediate        the lowest priority sent at once: low, medium, high,
 *                    critical, or none
 *   digest           hourly, daily or none: how the rest is sent
 *   immediate_types  RSIT types always sent at once (comma-separated)
 *   never_types      RSIT types never sent
 *   iodef            true or false: attach IODEF when the item has it
 *   pgp_key          an OpenPGP public key (armour): checked in a throwaway
 *                    keyring (one key, public, can encrypt, not expired)
 *   smime_cert       a PEM X.509 certificate, optionally followed by its
 *                    chain (S/MIME; checked to parse and not to have expired)
 *   crypto           auto, pgp or smime: how the mail is signed and
 *                    encrypted (auto: OpenPGP with a key, S/MIME with only a
 *                    certificate when the CSIRT has an S/MIME identity)
 *
 * Import files (ts_contact_import_parse) hold many contacts of many sites:
 * JSON {"contacts": [{"site": NAME, "email": ..., ...}]} with the field names
 * above (strings; "pgp_key" the armour itself), or CSV with a header line
 * naming columns among site and the fields above (RFC 4180 quoting). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/error.h"
#include "store/notifystore.h"

#define TS_CONTACT_NAME_MAX 256
#define TS_CONTACT_PHONE_MAX 32
#define TS_CONTACT_TYPES_MAX 512
#define TS_CONTACT_IMPORT_MAX (16u << 20)
#define TS_CONTACT_IMPORT_ROWS 100000

/* The fields given, as text; NULL = not given (the record keeps its value). */
typedef struct ts_contact_in {
    const char *email, *name, *roles, *phone, *lang, *tz, *hours, *immediate, *digest;
    const char *immediate_types, *never_types, *iodef, *pgp_key, *smime_cert, *crypto;
} ts_contact_in_t;

#define TS_CONTACT_FIELDS 15
/* The field names in the order of ts_contact_in_t ("email", "name", ...). */
extern const char *const ts_contact_field_names[TS_CONTACT_FIELDS];
/* Field i of in (the struct read as an array of TS_CONTACT_FIELDS strings). */
const char **ts_contact_in_field(ts_contact_in_t *in, size_t i);

/* A new contact's defaults: role abuse, en, UTC, any time, critical at once,
 * the rest in a daily digest. */
void ts_contact_defaults(ts_contact_rec_t *rec);

/* Checks every given field of in and writes it into rec (normalised copies
 * in a, which must outlive rec's use). A key is inspected at `now`.
 * \retval 0.  \retval TS_EINVAL a field refused (err: "pgp_key: not an
 * OpenPGP public key"), and rec is then partly written.
 * \retval TS_ECRYPTO gpg could not be run to check a key. */
TS_MUSTCHECK int ts_contact_apply(const ts_contact_in_t *in, ts_contact_rec_t *rec, ts_arena_t *a,
                                  int64_t now, char *err, size_t errsize);

/* Roles as text ("abuse,technical") into buf (size bytes); returns buf. */
const char *ts_roles_text(unsigned roles, char *buf, size_t size);
/* "hourly", "daily" or "none". */
const char *ts_digest_name(int digest);
/* "auto", "pgp" or "smime". */
const char *ts_crypto_name(int crypto);

/* A callback of ts_store_ncontact_get() that copies the contact into
 * ctx->out, its strings into ctx->a (valid while the arena is). */
typedef struct ts_contact_copy {
    ts_contact_rec_t *out;
    ts_arena_t *a;
} ts_contact_copy_t;
int ts_contact_copy_cb(const ts_contact_rec_t *c, void *ctx);

/* Adds (id 0) or changes (id > 0) a contact of site_id from in: fields not
 * given keep their value (a new contact's defaults). The one way the
 * command line, the API and imports write a contact.
 * \retval 0, *out_id set (may be NULL).  \retval TS_EINVAL a field refused
 * (err names it; email is required for a new contact).  \retval TS_EEXIST
 * the site has a contact of that address.  \retval TS_ENOENT no such site,
 * or no such contact in that site.  \retval TS_ECRYPTO, store errors. */
TS_MUSTCHECK int ts_contact_put(ts_store_t *st, int64_t site_id, int64_t id,
                                const ts_contact_in_t *in, int64_t now,
                                int64_t *out_id /* OUT, may be NULL */, char *err, size_t errsize);

typedef struct ts_contact_import_stats {
    size_t added, changed;
} ts_contact_import_stats_t;

/* The key's state at `now`: "none", "ok" or "expired". */
const char *ts_contact_key_state(const ts_contact_rec_t *c, int64_t now);
/* A contact as one JSON object (the CLI's json lines and the API's
 * contacts): id, site, email, name, roles [..], phone, lang, tz, hours,
 * immediate, digest, immediate_types [..], never_types [..], iodef,
 * pgp_fingerprint (null), pgp_expires (RFC 3339, null), key (none, ok,
 * expired), smime (bool), smime_expires (RFC 3339, null), crypto (auto, pgp,
 * smime), updated. Never the key or certificate itself. */
struct ts_jsonw;
void ts_contact_json(struct ts_jsonw *w, const ts_contact_rec_t *c, int64_t now);

/* One contact of an import file. */
typedef struct ts_contact_row {
    size_t line; /* 1-based line (CSV) or index + 1 (JSON) */
    const char *site;
    ts_contact_in_t in;
} ts_contact_row_t;

typedef struct ts_contact_import ts_contact_import_t;
/* Parses an import file (JSON when it starts with '{' after blanks, else
 * CSV). Nothing is checked but the form: ts_contact_apply() checks the
 * fields. \retval 0, *out set (ts_contact_import_free()).
 * \retval TS_ESYNTAX, TS_EUTF8, TS_ETOOBIG, TS_EINVAL (unknown column or
 * key, missing site or email) with err naming the line. */
TS_MUSTCHECK int ts_contact_import_parse(const char *data, size_t len,
                                         ts_contact_import_t **out /* OUT */, char *err,
                                         size_t errsize);
void ts_contact_import_free(ts_contact_import_t *imp);
size_t ts_contact_import_count(const ts_contact_import_t *imp);
/* Writes every row in one transaction (a contact of the row's site with the
 * same address is changed, else one is added): all rows or none.
 * \retval 0.  \retval TS_ENOENT a row names no site.  Other codes as
 * ts_contact_put(); err starts with the row's line. */
TS_MUSTCHECK int ts_contact_import_apply(ts_store_t *st, const ts_contact_import_t *imp,
                                         int64_t now, ts_contact_import_stats_t *stats /* OUT */,
                                         char *err, size_t errsize);
const ts_contact_row_t *ts_contact_import_row(const ts_contact_import_t *imp, size_t i);
