/* SPDX-License-Identifier: Apache-2.0 */
/* Distinct addresses of an incident (its own hosts, its peers), kept with
 * the incident from one transaction to the next as a small blob:
 *
 *   byte 0      1 = exact, 2 = sketch
 *   bytes 1-8   floor: the most targets one event named at once (a covering
 *               list's count), little endian; the count never reads below it
 *   exact:      sorted distinct 32-bit hashes, 4 bytes each, at most 256
 *   sketch:     the 1024 registers of a HyperLogLog (detect/hll.h), about
 *               3% standard error, once more than 256 values were seen
 *
 * So the counts are exact up to 256 addresses, which is what a site reads
 * ("3 peers", "249 of your hosts"), and bounded in size beyond. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/ip.h"

#define TS_DSET_EXACT_MAX 256
#define TS_DSET_BLOB_MAX (9 + 1024) /* the largest blob */

typedef struct ts_dset {
    uint8_t mode; /* 1 exact, 2 sketch; 0 empty (nothing added yet) */
    uint64_t floor;
    uint32_t n, cap; /* exact: values held in v */
    uint32_t *v;     /* exact: unsorted until encoded; NULL while empty */
    uint8_t *reg;    /* sketch registers (1024) */
    bool dirty;      /* changed since decoded */
} ts_dset_t;

#define TS_DSET_INIT                                                                               \
    {                                                                                              \
        0, 0, 0, 0, NULL, NULL, false                                                              \
    }

/* The hash an address or network is counted by. */
uint32_t ts_dset_hash(const ts_prefix_t *p);

void ts_dset_add(ts_dset_t *d, uint32_t h);
/* Raises the floor to n (the count of a covering list). */
void ts_dset_floor(ts_dset_t *d, uint64_t n);
/* Distinct values seen: exact, or the sketch's estimate; never below the floor. */
uint64_t ts_dset_count(const ts_dset_t *d);

/* Appends the blob to out (an empty set writes an exact set of nothing). */
void ts_dset_encode(ts_dset_t *d, ts_buf_t *out);
/* Replaces d's content with a blob's. \retval 0.  \retval TS_EINVAL not a
 * blob ts_dset_encode writes (d is then empty). */
TS_MUSTCHECK int ts_dset_decode(ts_dset_t *d, const uint8_t *blob, size_t len);
/* Releases d's memory and empties it. */
void ts_dset_reset(ts_dset_t *d);
