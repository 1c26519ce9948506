/* SPDX-License-Identifier: Apache-2.0 */
/* IPv4/IPv6 addresses and CIDR prefixes: strict parsing, canonical formatting.
 *
 * Strict means: IPv4 is exactly four decimal octets 0-255 without leading zeros
 * ("010.1.1.1" is refused: inet_aton would read it as octal), IPv6 follows RFC
 * 4291 section 2.2 (one "::" at most, embedded IPv4 only in the last 32 bits),
 * no zone index, no surrounding whitespace. A prefix's host bits must be zero
 * ("192.0.2.1/24" is refused with TS_EADDR so that typos in a constituency file
 * are caught, not silently widened). Formatting is RFC 5952 for IPv6. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

enum { TS_AF_NONE = 0, TS_AF_INET = 4, TS_AF_INET6 = 6 };

/* Longest text form: "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255/128". */
#define TS_IP_STRLEN 64

/* An address. IPv4 is held in bytes[0..3], network order, rest zero. */
typedef struct ts_ip {
    uint8_t family; /* TS_AF_INET or TS_AF_INET6; TS_AF_NONE = no address */
    uint8_t bytes[16];
} ts_ip_t;

typedef struct ts_prefix {
    ts_ip_t addr; /* host bits zero */
    uint8_t len;  /* 0-32 or 0-128 */
} ts_prefix_t;

/* Parses an address from (s, n); no NUL needed.
 * \retval 0 ok, *out set.  \retval TS_EADDR not a valid address. */
TS_MUSTCHECK int ts_ip_parse(const char *s, size_t n, ts_ip_t *out /* OUT */);

/* Parses "ADDR/LEN" or a bare address (taken as /32 or /128).
 * \retval 0 ok.  \retval TS_EADDR malformed, length out of range, or host bits set. */
TS_MUSTCHECK int ts_prefix_parse(const char *s, size_t n, ts_prefix_t *out /* OUT */);

/* Canonical text into buf (at least TS_IP_STRLEN bytes); returns its length.
 * IPv4-mapped IPv6 (::ffff:a.b.c.d) is written in that mixed form. */
size_t ts_ip_format(const ts_ip_t *ip, char *buf, size_t size);
size_t ts_prefix_format(const ts_prefix_t *p, char *buf, size_t size);

/* True if ip lies inside prefix p (same family). */
bool ts_prefix_contains(const ts_prefix_t *p, const ts_ip_t *ip);
/* True if a contains b entirely (same family, a.len <= b.len, b inside a). */
bool ts_prefix_covers(const ts_prefix_t *a, const ts_prefix_t *b);
bool ts_ip_equal(const ts_ip_t *a, const ts_ip_t *b);
/* The inclusive range of 16-byte addresses p covers, IPv4 as ::ffff:a.b.c.d
 * (the form the store keeps addresses in, so that ranges compare as bytes). */
void ts_prefix_range16(const ts_prefix_t *p, uint8_t lo[16] /* OUT */, uint8_t hi[16] /* OUT */);
/* Clears every bit of p->addr from position p->len on (for IPv4 also bytes
 * 4-15), making p a valid prefix; p->len must not exceed the family's 32 or
 * 128 bits. Returns true if any bit was set, i.e. p was not valid before. */
bool ts_prefix_clear_host_bits(ts_prefix_t *p);
/* Total order: family, then bytes. For sorting. */
int ts_ip_compare(const ts_ip_t *a, const ts_ip_t *b);
/* Total order of prefixes: family, then address, then length (shorter
 * first), so that a network comes before everything inside it. */
int ts_prefix_compare(const ts_prefix_t *a, const ts_prefix_t *b);

/* IPv4 address as a host-order integer (only for TS_AF_INET). */
static inline uint32_t ts_ip_v4(const ts_ip_t *ip)
{
    return ((uint32_t)ip->bytes[0] << 24) | ((uint32_t)ip->bytes[1] << 16) |
           ((uint32_t)ip->bytes[2] << 8) | ip->bytes[3];
}
