/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the test programs. Include after <cmocka.h>'s prerequisites. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

/* A fresh, empty temporary directory (mkdtemp under $TMPDIR or /tmp), removed
 * with its content by tt_rmtree(). Returned string is malloc'd. */
char *tt_tmpdir(void);
void tt_rmtree(const char *path);
/* Reads a whole file; returns malloc'd bytes (NUL-terminated) or NULL. */
char *tt_read_file(const char *path, size_t *len /* OUT, may be NULL */);
/* Writes bytes to path (truncating). Returns 0 or -1. */
int tt_write_file(const char *path, const void *data, size_t len);
/* Path of a corpus file under ../shared/corpus, or NULL (with a visible
 * "SKIP: ..." message on stderr) when the corpus is absent. malloc'd. */
char *tt_corpus_path(const char *relpath);
/* Runs a shell command, returns its exit status (or -1), capturing stdout
 * into *out (malloc'd, may be NULL) if out is non-NULL. */
int tt_run(const char *cmd, char **out);
/* Compares data with tests/data/golden/RELPATH byte for byte; with
 * TS_UPDATE_GOLDEN=1 in the environment, rewrites the file instead (review
 * `git diff tests/data/golden` before committing). Returns 0, or -1 with the
 * reason (first differing line, the output) in why. */
int tt_golden(const char *relpath, const void *data, size_t len, char *why, size_t whysize);
