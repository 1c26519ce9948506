/* SPDX-License-Identifier: Apache-2.0 */
/* The CSIRT's scan settings: a small text file (TOCSIN_SCAN_CONFIG, or
 * `--scan-config FILE`), read when a scan is requested and again when it
 * starts, so that a change applies without a restart.
 *
 *   # comment
 *   url = https://csirt.example.org/scanning    named in the HTTP User-Agent
 *   rate = 2000              probes per second, all hosts together
 *   host_rate = 200          probes per second to one host
 *   max_addresses = 65536    addresses in one scan
 *   concurrent = 1           a site's scans queued or running at once
 *   addresses_per_day = 65536  addresses a site may have scanned in 24 hours
 *   opt_out = 192.0.2.7 198.51.100.0/28   never scanned (repeatable)
 *   [site NAME]              what follows, up to the next section, is
 *   concurrent = 2           that site's own limits
 *   addresses_per_day = 1024
 *
 * A site without a section of its own has the limits of the top of the file;
 * only concurrent and addresses_per_day may appear in a section. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/ip.h"

#define TS_SCAN_SETTINGS_MAX (1024 * 1024) /* bytes of a settings file */
#define TS_SCAN_URL_MAX 256

typedef struct ts_scan_limits {
    uint32_t concurrent;        /* scans queued or running at once */
    uint64_t addresses_per_day; /* addresses requested in the last 24 hours */
} ts_scan_limits_t;

typedef struct ts_scan_settings ts_scan_settings_t;

/* The built-in settings (no file). Never NULL; free with ts_scan_settings_free(). */
ts_scan_settings_t *ts_scan_settings_default(void);
/* Parses the text of a settings file (len bytes, no NUL needed).
 * \retval 0 ok, *out set.  \retval TS_ESYNTAX a line that is not "key = value"
 * or a section; TS_EINVAL an unknown key, a bad value (a number out of range,
 * an address or prefix that does not parse, a URL with spaces or controls, a
 * site name that is not one); TS_ETOOBIG over TS_SCAN_SETTINGS_MAX. err names
 * the line. */
TS_MUSTCHECK int ts_scan_settings_parse(const char *text, size_t len,
                                        ts_scan_settings_t **out /* OUT */, char *err,
                                        size_t errsize);
/* Reads and parses a file; path NULL or "" gives the defaults.
 * \retval as ts_scan_settings_parse(); TS_EIO the file cannot be read. */
TS_MUSTCHECK int ts_scan_settings_load(const char *path, ts_scan_settings_t **out /* OUT */,
                                       char *err, size_t errsize);
void ts_scan_settings_free(ts_scan_settings_t *s);

const char *ts_scan_settings_url(const ts_scan_settings_t *s); /* "" when none */
uint32_t ts_scan_settings_rate(const ts_scan_settings_t *s);
uint32_t ts_scan_settings_host_rate(const ts_scan_settings_t *s);
uint32_t ts_scan_settings_max_addresses(const ts_scan_settings_t *s);
/* The limits of a site (its section, else the top of the file). */
ts_scan_limits_t ts_scan_settings_limits(const ts_scan_settings_t *s, const char *site);
/* True when ip lies in an opt_out entry. */
bool ts_scan_settings_opted_out(const ts_scan_settings_t *s, const ts_ip_t *ip);
/* The User-Agent of the HTTP probes: "tocsin/VERSION (+URL)" or, without a
 * URL, "tocsin/VERSION". */
void ts_scan_user_agent(const ts_scan_settings_t *s, char *out, size_t size);
