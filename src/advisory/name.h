/* SPDX-License-Identifier: Apache-2.0 */
/* Normalised vendor and product names, for advisories without identifiers
 * (most CSAF files carry neither CPE nor purl): case-folded, trimmed, inner
 * whitespace and punctuation runs collapsed to one '_' (as CPE writes
 * "enterprise_linux"), and vendor legal suffixes dropped ("Digi International,
 * Inc. " -> "digi_international"). Two names match when their normal forms
 * are equal. */
#pragma once
#include <stddef.h>

#include "core/error.h"
#include "core/str.h"

#define TS_NAME_MAX 128

/* \retval 0 ok.  \retval TS_EINVAL empty after normalising, or "n/a".
 * \retval TS_ETOOBIG longer than TS_NAME_MAX - 1 after normalising.
 * Products also lose trailing parenthesised qualifiers (order numbers,
 * regions: "SIMATIC S7-1500 CPU 1518-4 PN/DP (6ES7518-4AP00-0AB0)" ->
 * "simatic_s7_1500_cpu_1518_4_pn_dp"), unless nothing else is left. */
TS_MUSTCHECK int ts_name_vendor(ts_str_t in, char out[TS_NAME_MAX]);
TS_MUSTCHECK int ts_name_product(ts_str_t in, char out[TS_NAME_MAX]);
/* Rewrites a normalised product to the name its vendor's CPE uses where a
 * source names it otherwise (the kernel CNA's "Linux" "Linux" is
 * linux/linux_kernel). Both arguments are normal forms. */
void ts_name_product_alias(const char *vendor, char product[TS_NAME_MAX]);
