/* SPDX-License-Identifier: Apache-2.0 */
/* Which ports a scan looks at: a spec as people write it on a command line or
 * in a request, turned into an ordered set of TCP ports.
 *
 *   top100    tocsin's own list of 100 ports where the services CSIRTs warn
 *             about usually listen (remote access, mail, web, databases,
 *             caches, file sharing, industrial control)
 *   top1000   top100, then the lowest other ports, up to 1000 ports in all
 *   all       1-65535
 *   LIST      ports and ranges: "22,80,443,8000-8100" (1-65535, no spaces)
 *
 * UDP is not part of the spec: the UDP probes (scan/udp.h) go to the ports
 * of the services they ask, when a scan asks for UDP. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define TS_PORTSPEC_MAX 256 /* longest spec text kept (bytes) */

typedef struct ts_portset {
    uint16_t *ports; /* ascending, distinct, 1-65535; owned: ts_portset_free() */
    size_t n;
} ts_portset_t;

/* Parses spec (NUL-terminated).
 * \retval 0 ok, *out filled (free with ts_portset_free()).
 * \retval TS_EINVAL empty, an unknown word, a port of 0 or over 65535, a range
 * whose end is below its start, a stray comma; err says which.
 * \retval TS_ETOOBIG longer than TS_PORTSPEC_MAX. */
TS_MUSTCHECK int ts_portset_parse(const char *spec, ts_portset_t *out /* OUT */, char *err,
                                  size_t errsize);
void ts_portset_free(ts_portset_t *s);
/* True if port is in the set (binary search). */
bool ts_portset_has(const ts_portset_t *s, uint16_t port);

/* The top100 list in tocsin's order of interest (not sorted). */
extern const uint16_t ts_ports_top100[100];
