/* SPDX-License-Identifier: Apache-2.0 */
/* A contact's working hours in its own time zone: outside them is the
 * contact's quiet time, when only urgent mail goes out.
 *
 * Form: "DAYS HH:MM-HH:MM", DAYS a range "Mon-Fri" or a list "Mon,Wed,Fri"
 * (English three-letter names, any case), the times 00:00-24:00 with the
 * start before the end; "" means any time. Time zones are IANA names read
 * from the system's zoneinfo (/usr/share/zoneinfo, TZif): "UTC",
 * "Europe/Berlin". */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define TS_HOURS_MAX 64
#define TS_TZ_MAX 64

typedef struct ts_hours {
    bool any;               /* "": always open */
    uint8_t days;           /* bit 0 = Monday ... bit 6 = Sunday */
    int start_min, end_min; /* minutes after local midnight, start < end <= 1440 */
} ts_hours_t;

/* \retval 0.  \retval TS_EINVAL with err saying what is wrong. */
TS_MUSTCHECK int ts_hours_parse(const char *s, ts_hours_t *h /* OUT */, char *err, size_t errsize);
/* A time zone name that exists in the zoneinfo ("UTC" always does).
 * \retval 0.  \retval TS_EINVAL malformed name.  \retval TS_ENOENT unknown zone. */
TS_MUSTCHECK int ts_tz_check(const char *tz);
/* The zone's offset from UTC at `us` (us since the epoch), in seconds;
 * 0 for UTC or a zone that cannot be read. */
int32_t ts_tz_offset(const char *tz, int64_t us);
/* When the contact may next get non-urgent mail: `now` itself when the
 * hours are open now, else the next opening (us since the epoch). */
int64_t ts_hours_next_open(const ts_hours_t *h, const char *tz, int64_t now);
