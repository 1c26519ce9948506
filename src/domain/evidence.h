/* SPDX-License-Identifier: Apache-2.0 */
/* Evidence as people give it (the CLI's --evidence, the API's "evidence"
 * strings): "event:ID" or a bare number names a stored event; text with
 * "://" is a URL (the store refuses what is not http or https); anything
 * else is a file, hashed here (SHA-256) and dated by its modification time.
 * The store checks the rest (the event exists, the URL's form). */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "store/domainstore.h"

#define TS_EVIDENCE_FILE_MAX (64u << 20)

/* Fills e from s (borrowed: e->value points into s; e->sha256 into sha,
 * 65 bytes). A URL is dated seen (0: when it is stored). allow_file false
 * (the API): a file name is refused, files are given on the server's
 * command line only.
 * \retval 0.  \retval TS_EINVAL with *why: not a URL, event or regular file.
 * \retval TS_EIO the file could not be read (*why says so). */
TS_MUSTCHECK int ts_domain_evidence_parse(const char *s, bool allow_file, int64_t seen,
                                          ts_domain_evidence_t *e /* OUT */, char sha[65],
                                          const char **why /* OUT */);
