/* SPDX-License-Identifier: Apache-2.0 */
/* How long after another connection's commit returns a PostgreSQL store's
 * ts_store_data_version() changes: the window in which the portal's answer
 * cache can still serve an answer from before that commit (SQLite's
 * PRAGMA data_version has none). Prints the median, p99 and max over N
 * commits.
 *
 * Usage: bench_pgnotify postgresql://... [N]   (an empty tocsin database) */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "store/store.h"

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s postgresql://... [N]\n", argv[0]);
        return 2;
    }
    int n = argc > 2 ? atoi(argv[2]) : 1000;
    ts_store_t *reader = NULL, *writer = NULL;
    if (n < 1 || ts_store_open(argv[1], &reader) != 0 || ts_store_open(argv[1], &writer) != 0)
        return 1;
    int64_t *delay = calloc((size_t)n, sizeof *delay);
    for (int i = 0; i < n; i++) {
        uint64_t v0, v;
        if (ts_store_data_version(reader, &v0) != 0)
            return 1;
        char name[32];
        snprintf(name, sizeof name, "bench-%d", i);
        int64_t id;
        if (ts_store_site_add(writer, name, 0, NULL, &id) != 0)
            return 1;
        int64_t t0 = now_ns();
        do {
            if (ts_store_data_version(reader, &v) != 0)
                return 1;
        } while (v == v0 && now_ns() - t0 < 1000000000);
        delay[i] = now_ns() - t0;
    }
    qsort(delay, (size_t)n, sizeof *delay, cmp);
    printf("data_version after another connection's commit, %d commits: median %.1f us, p99 "
           "%.1f us, max %.1f us\n",
           n, delay[n / 2] / 1e3, delay[(size_t)(n * 0.99)] / 1e3, delay[n - 1] / 1e3);
    free(delay);
    ts_store_close(writer);
    ts_store_close(reader);
    return 0;
}
