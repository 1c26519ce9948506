/* SPDX-License-Identifier: Apache-2.0 */
/* The ingest pipeline's batching (ingest/ingest.h): a batch is handed on when
 * it holds batch_max records or batch_bytes of memory, whichever comes first,
 * so that an input of large records (a report with 80 extra fields) does not
 * hold 20,000 of them twice in memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ingest/ingest.h"
#include "ingest/parser.h"
#include "route/constituency.h"
#include "store/store.h"
#include "testutil.h"

#define RECORDS 1000
#define EXTRAS 24
#define VALUE_LEN 180 /* each record holds more than EXTRAS * VALUE_LEN bytes of values */

typedef struct fx {
    char *dir;
    char input[4200];
    ts_store_t *st;
    ts_constituency_t *c;
} fx_t;

/* One IntelMQ record per line, every value different. */
static void write_input(const char *path)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    char value[VALUE_LEN + 1];
    for (int r = 0; r < RECORDS; r++) {
        fprintf(f, "{\"source.ip\":\"192.0.2.%d\",\"classification.type\":\"scanner\"",
                r % 250 + 1);
        for (int x = 0; x < EXTRAS; x++) {
            for (int i = 0; i < VALUE_LEN; i++)
                value[i] = (char)('a' + (r + x + i) % 26);
            value[VALUE_LEN] = '\0';
            fprintf(f, ",\"extra.k%d\":\"%s\"", x, value);
        }
        fputs("}\n", f);
    }
    assert_int_equal(fclose(f), 0);
}

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    f->dir = tt_tmpdir();
    snprintf(f->input, sizeof f->input, "%s/in.jsonl", f->dir);
    write_input(f->input);
    char db[4200];
    snprintf(db, sizeof db, "%s/t.db", f->dir);
    if (ts_store_open(db, &f->st) != 0)
        return -1;
    f->c = ts_constituency_new();
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    ts_constituency_free(f->c);
    ts_store_close(f->st);
    tt_rmtree(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

/* The largest number of records one batch carried. */
typedef struct seen {
    uint64_t last, most;
} seen_t;

static void progress(const ts_ingest_stats_t *s, void *ctx)
{
    seen_t *b = ctx;
    uint64_t n = s->events + s->quarantined - b->last;
    b->most = n > b->most ? n : b->most;
    b->last = s->events + s->quarantined;
}

static void run(fx_t *f, size_t batch_bytes, ts_ingest_stats_t *stats, seen_t *seen)
{
    ts_ingest_opts_t o;
    ts_ingest_opts_init(&o);
    o.path = f->input;
    o.parser = ts_parser_find("intelmq");
    o.from_start = true;
    o.batch_max = 100000;
    o.batch_ms = 600000; /* only the bounds under test cut batches */
    o.batch_bytes = batch_bytes;
    o.progress = progress;
    o.progress_ctx = seen;
    memset(seen, 0, sizeof *seen);
    assert_int_equal(ts_ingest_run(f->st, &f->c, &o, stats), 0);
}

static void test_records_bound_memory(void **state)
{
    fx_t *f = *state;
    const size_t bound = 2u << 20;
    ts_ingest_stats_t stats;
    seen_t seen;
    run(f, bound, &stats, &seen);
    /* Nothing is lost to the cutting, and the cuts follow the bound: no batch
     * carries more records than fit in it. */
    assert_int_equal(stats.events, RECORDS);
    assert_int_equal(stats.quarantined, 0);
    assert_true(seen.most <= bound / (EXTRAS * VALUE_LEN));
    assert_true(stats.batches >= (uint64_t)RECORDS * EXTRAS * VALUE_LEN / bound);

    /* A bound larger than the file: one batch (so the cuts above were the
     * bound's doing). */
    run(f, 64u << 20, &stats, &seen);
    assert_int_equal(stats.events, RECORDS);
    assert_int_equal(stats.batches, 1);
    assert_int_equal(seen.most, RECORDS);

    /* 0 is the default bound. */
    run(f, TS_INGEST_BATCH_BYTES, &stats, &seen);
    uint64_t batches = stats.batches;
    run(f, 0, &stats, &seen);
    assert_int_equal(stats.batches, batches);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_records_bound_memory, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
