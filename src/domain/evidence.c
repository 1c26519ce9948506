/* SPDX-License-Identifier: Apache-2.0 */
/* Evidence classification (evidence.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "core/file.h"
#include "domain/evidence.h"

static int file_evidence(const char *path, ts_domain_evidence_t *e, char sha[65], const char **why)
{
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        *why = "evidence must be an http(s) URL, event:ID or an existing regular file";
        return TS_EINVAL;
    }
    char *data = NULL;
    size_t len = 0;
    char err[256];
    if (ts_file_read(path, TS_EVIDENCE_FILE_MAX, TS_FILE_REGULAR, &data, &len, err, sizeof err) !=
        0) {
        *why = "evidence file unreadable or larger than 64 MiB";
        return TS_EIO;
    }
    unsigned char d[32];
    int g = gnutls_hash_fast(GNUTLS_DIG_SHA256, data, len, d);
    free(data);
    if (g < 0) {
        *why = "cannot hash the evidence file";
        return TS_EIO;
    }
    for (size_t i = 0; i < 32; i++)
        snprintf(sha + 2 * i, 3, "%02x", d[i]);
    e->kind = "file";
    e->value = path;
    e->sha256 = sha;
    e->dated = (int64_t)sb.st_mtim.tv_sec * 1000000 + sb.st_mtim.tv_nsec / 1000;
    return 0;
}

int ts_domain_evidence_parse(const char *s, bool allow_file, int64_t seen, ts_domain_evidence_t *e,
                             char sha[65], const char **why)
{
    memset(e, 0, sizeof *e);
    *why = "";
    if (s == NULL || s[0] == '\0') {
        *why = "empty evidence";
        return TS_EINVAL;
    }
    const char *num = strncmp(s, "event:", 6) == 0 ? s + 6 : s;
    if (*num >= '0' && *num <= '9') {
        char *end;
        long long id = strtoll(num, &end, 10);
        if (*end == '\0') {
            e->kind = "event";
            e->value = num;
            e->event_id = id > 0 ? id : 0; /* 0: the store says why */
            return 0;
        }
    }
    if (strstr(s, "://") != NULL) {
        e->kind = "url";
        e->value = s;
        e->dated = seen;
        return 0;
    }
    if (num != s || !allow_file) {
        *why = allow_file ? "event: needs a number" : "evidence must be an http(s) URL or event:ID";
        return TS_EINVAL;
    }
    return file_evidence(s, e, sha, why);
}
