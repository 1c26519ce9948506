/* SPDX-License-Identifier: Apache-2.0 */
/* E-mail addresses as tocsin accepts them for contacts, senders and
 * recipients: an RFC 5322 addr-spec of the dot-atom form, ASCII only, with a
 * DNS domain (no quoted local part, no address literal, no comment, no
 * display name). Anything that could end a header or an SMTP command (CR,
 * LF, NUL, space, '<', '>') is refused, so an address that passes can be
 * written into a header and an SMTP envelope as it is. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "route/constituency.h"

#define TS_ADDR_MAX 254 /* RFC 5321 path limit less the angle brackets */
#define TS_ADDR_LOCAL_MAX 64

/* Checks an address (len bytes at s, no NUL needed) and writes its domain,
 * lower case, into domain (TS_DOMAIN_MAX + 1 bytes; may be NULL).
 * \retval 0 ok.  \retval TS_EINVAL not an address; err (errsize bytes, may
 * be NULL) says why ("no '@'", "a control character", ...). */
TS_MUSTCHECK int ts_addr_check(const char *s, size_t len, char *domain /* OUT, may be NULL */,
                               char *err, size_t errsize);
