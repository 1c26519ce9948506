/* SPDX-License-Identifier: Apache-2.0 */
/* Shadowserver reports: rows of event4_honeypot_brute_force, made from the
 * corpus sample (its header and rows as templates, every generated row
 * different: addresses, ports and times vary), then
 *  (1) parse + classify + route in memory, one thread (CPU time per row);
 *  (2) the whole ingest from a file into SQLite (synchronous=FULL), rows
 *      durably stored per second;
 * each in a child process whose peak RSS is reported. Medians of RUNS.
 *
 * Usage: bench_shadowserver [ROWS] [RUNS] [DIR] [parse|store|both] [BATCH] [BATCH_BYTES]
 * (BATCH_BYTES 0, the default: the ingest's own memory bound per batch)
 * Needs ../shared/corpus (or $TS_CORPUS_DIR) for the sample and the schema. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/buf.h"
#include "ingest/ingest.h"
#include "ingest/shadowserver.h"
#include "route/constituency.h"
#include "store/store.h"

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* 256 organisations with a /16 each, 38 departments with a /24 each. */
static ts_constituency_t *make_constituency(void)
{
    ts_constituency_t *c = ts_constituency_new();
    int64_t id = 1;
    const char *holder;
    for (int a = 0; a < 256; a++) {
        char name[32], txt[64];
        snprintf(name, sizeof name, "org%d", a);
        int64_t org = id++;
        ts_prefix_t p;
        snprintf(txt, sizeof txt, "10.%d.0.0/16", a);
        if (ts_constituency_add_site(c, org, name, 0) < 0 ||
            ts_prefix_parse(txt, strlen(txt), &p) < 0 ||
            ts_constituency_add_network(c, org, &p, &holder) < 0)
            abort();
        for (int d = 0; d < 38; d++) {
            snprintf(name, sizeof name, "org%d-dept%d", a, d);
            int64_t dept = id++;
            snprintf(txt, sizeof txt, "10.%d.%d.0/24", a, d * 6);
            if (ts_constituency_add_site(c, dept, name, org) < 0 ||
                ts_prefix_parse(txt, strlen(txt), &p) < 0 ||
                ts_constituency_add_network(c, dept, &p, &holder) < 0)
                abort();
        }
    }
    return c;
}

/* Replaces field k of a CSV row (no quoted commas before it in the sample's
 * first 20 fields) with text. */
static void set_field(const char *row, int k, const char *text, ts_buf_t *out)
{
    const char *p = row;
    for (int f = 0; f < k; f++)
        p = strchr(p, ',') + 1;
    const char *e = strchr(p, ',');
    ts_buf_append(out, row, (size_t)(p - row));
    ts_buf_puts(out, text);
    ts_buf_puts(out, e ? e : "");
}

/* ROWS rows from the sample's rows: timestamp (0), src_ip (2), src_port (3),
 * dst_ip (14), dst_port (15) varied per row. */
static void generate(const char *sample, size_t rows, ts_buf_t *out, size_t *header_len)
{
    char *copy = strdup(sample), *save, *line = strtok_r(copy, "\n", &save);
    ts_buf_puts(out, line);
    ts_buf_putc(out, '\n');
    *header_len = out->len;
    char *tmpl[64];
    size_t nt = 0;
    while ((line = strtok_r(NULL, "\n", &save)) && nt < 64)
        tmpl[nt++] = line;
    ts_buf_t a = TS_BUF_INIT, b = TS_BUF_INIT;
    for (size_t i = 0; i < rows; i++) {
        char v[64];
        ts_buf_reset(&a);
        snprintf(v, sizeof v, "\"2021-03-%02zu %02zu:%02zu:%02zu\"", 1 + i % 28, i / 3600 % 24,
                 i / 60 % 60, i % 60);
        set_field(tmpl[i % nt], 0, v, &a);
        ts_buf_reset(&b);
        snprintf(v, sizeof v, "\"10.%zu.%zu.%zu\"", i % 256, i / 256 % 256, i / 65536 % 250 + 1);
        set_field(a.data, 2, v, &b);
        ts_buf_reset(&a);
        snprintf(v, sizeof v, "%zu", 1024 + i % 60000);
        set_field(b.data, 3, v, &a);
        ts_buf_reset(&b);
        snprintf(v, sizeof v, "\"198.51.%zu.%zu\"", i / 250 % 256, i % 250 + 1);
        set_field(a.data, 14, v, &b);
        ts_buf_append(out, b.data, b.len);
        ts_buf_putc(out, '\n');
    }
    ts_buf_free(&a);
    ts_buf_free(&b);
    free(copy);
}

/* Runs fn in a child; *rss gets its peak RSS (KiB). The child writes its
 * rate into a pipe. */
static double in_child(double (*fn)(void *), void *arg, long *rss)
{
    int fd[2];
    if (pipe(fd) != 0)
        abort();
    pid_t pid = fork();
    if (pid == 0) {
        double r = fn(arg);
        if (write(fd[1], &r, sizeof r) != sizeof r)
            _exit(1);
        _exit(0);
    }
    double r = 0;
    if (read(fd[0], &r, sizeof r) != sizeof r)
        r = -1;
    int status;
    struct rusage ru;
    wait4(pid, &status, 0, &ru);
    *rss = ru.ru_maxrss;
    close(fd[0]);
    close(fd[1]);
    return r;
}

typedef struct job {
    const char *schema, *data_path, *dir;
    const char *data;
    size_t len, header_len, rows, batch, batch_bytes;
} job_t;

static double parse_route(void *arg)
{
    job_t *j = arg;
    ts_ss_schema_t *s;
    char err[256];
    if (ts_ss_schema_load(j->schema, &s, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    ts_ss_reader_t *r = ts_ss_reader_new(s, ts_ss_report_find(s, "event_honeypot_brute_force"));
    ts_constituency_t *c = make_constituency();
    ts_arena_t *arena = ts_arena_new(1 << 20);
    ts_parse_error_t pe;
    if (ts_ss_reader_header(r, j->data, j->header_len - 1, &pe) != 0)
        return -1;
    uint64_t linked = 0;
    double t0 = cpu_s();
    const char *p = j->data + j->header_len, *end = j->data + j->len;
    size_t n = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        ts_event_t ev;
        if (ts_ss_reader_row(r, p, (size_t)(nl - p), arena, &ev, &pe) != TS_PARSE_EVENT) {
            fprintf(stderr, "row %zu: %s\n", n, pe.detail);
            return -1;
        }
        ts_link_t *links;
        linked += (uint64_t)ts_constituency_route(c, &ev, arena, &links);
        if ((++n & 1023) == 0)
            ts_arena_reset(arena);
        p = nl + 1;
    }
    double t = cpu_s() - t0;
    if (linked < n)
        fprintf(stderr, "only %llu of %zu rows routed\n", (unsigned long long)linked, n);
    return (double)n / t;
}

static double store(void *arg)
{
    job_t *j = arg;
    char db[4200];
    snprintf(db, sizeof db, "%s/bench_shadowserver_%d.db", j->dir, (int)getpid());
    ts_store_t *st;
    if (ts_store_open(db, &st) < 0)
        return -1;
    ts_constituency_t *c = make_constituency();
    ts_ingest_opts_t o;
    ts_ingest_opts_init(&o);
    o.path = j->data_path;
    o.parser = ts_parser_find("shadowserver");
    o.parser_cfg.schema = j->schema;
    o.parser_cfg.report = "event_honeypot_brute_force";
    o.batch_ms = 2000;
    o.batch_max = j->batch;
    o.batch_bytes = j->batch_bytes;
    ts_ingest_stats_t stats;
    double t0 = now_s();
    int rc = ts_ingest_run(st, &c, &o, &stats);
    double t = now_s() - t0;
    ts_constituency_free(c);
    ts_store_close(st);
    char f[4300];
    unlink(db);
    snprintf(f, sizeof f, "%s-wal", db);
    unlink(f);
    snprintf(f, sizeof f, "%s-shm", db);
    unlink(f);
    if (rc < 0 || stats.events != j->rows) {
        fprintf(stderr, "ingest: rc %d, %llu events of %zu rows, %llu quarantined\n", rc,
                (unsigned long long)stats.events, j->rows, (unsigned long long)stats.quarantined);
        return -1;
    }
    return (double)stats.events / t;
}

int main(int argc, char **argv)
{
    size_t rows = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 200000;
    int runs = argc > 2 ? atoi(argv[2]) : 5;
    const char *dir = argc > 3 ? argv[3] : "/tmp";
    const char *only = argc > 4 ? argv[4] : "";
    size_t batch = argc > 5 ? (size_t)strtoull(argv[5], NULL, 10) : 20000;
    size_t batch_bytes = argc > 6 ? (size_t)strtoull(argv[6], NULL, 10) : 0;
    if (runs < 1 || runs > 20)
        runs = 5;
    const char *corpus = getenv("TS_CORPUS_DIR");
    if (corpus == NULL)
        corpus = TS_CORPUS_DIR;
    char sample_path[4096], schema[4096];
    snprintf(sample_path, sizeof sample_path,
             "%s/feeds/shadowserver_event4_honeypot_brute_force.csv", corpus);
    snprintf(schema, sizeof schema, "%s/feeds/shadowserver-schema/intelmq.json", corpus);
    FILE *f = fopen(sample_path, "rb");
    if (f == NULL) {
        fprintf(stderr, "SKIP: %s is absent\n", sample_path);
        return 77;
    }
    char sample[65536];
    size_t sn = fread(sample, 1, sizeof sample - 1, f);
    fclose(f);
    sample[sn] = '\0';
    ts_buf_t data = TS_BUF_INIT;
    job_t j = {
        .schema = schema, .dir = dir, .rows = rows, .batch = batch, .batch_bytes = batch_bytes};
    generate(sample, rows, &data, &j.header_len);
    j.data = data.data;
    j.len = data.len;
    char path[4200];
    snprintf(path, sizeof path, "%s/bench_shadowserver_%d.csv", dir, (int)getpid());
    f = fopen(path, "wb");
    if (f == NULL || fwrite(data.data, 1, data.len, f) != data.len || fclose(f) != 0) {
        perror(path);
        return 1;
    }
    j.data_path = path;
    printf("bench_shadowserver: %zu rows of event4_honeypot_brute_force, %.1f MB (%.0f B/row), "
           "batches of %zu records or %zu bytes\n",
           rows, (double)data.len / 1e6, (double)(data.len - j.header_len) / (double)rows, batch,
           batch_bytes ? batch_bytes : (size_t)TS_INGEST_BATCH_BYTES);
    double r1[20], r2[20];
    long rss1 = 0, rss2 = 0, rss = 0;
    for (int r = 0; r < runs; r++) {
        r1[r] = strcmp(only, "store") ? in_child(parse_route, &j, &rss) : 0;
        rss1 = rss > rss1 ? rss : rss1;
        if (r1[r] < 0)
            return 1;
    }
    /* The ingest reads the file: its process must not carry the rows made
     * here, or their pages would count in its RSS. */
    ts_buf_free(&data);
    j.data = NULL;
    for (int r = 0; r < runs; r++) {
        r2[r] = strcmp(only, "parse") ? in_child(store, &j, &rss) : 0;
        rss2 = rss > rss2 ? rss : rss2;
        if (r2[r] < 0)
            return 1;
    }
    qsort(r1, (size_t)runs, sizeof r1[0], cmp_double);
    qsort(r2, (size_t)runs, sizeof r2[0], cmp_double);
    printf("parse+classify+route, one core: median %.0f rows/s (CPU time), min %.0f, max %.0f, "
           "peak RSS %.1f MiB\n",
           r1[runs / 2], r1[0], r1[runs - 1], (double)rss1 / 1024);
    printf("durably stored (SQLite, synchronous=FULL): median %.0f rows/s, min %.0f, max %.0f, "
           "peak RSS %.1f MiB\n",
           r2[runs / 2], r2[0], r2[runs - 1], (double)rss2 / 1024);
    unlink(path);
    return 0;
}
