/* SPDX-License-Identifier: Apache-2.0 */
/* Matching benchmark on a synthetic corpus shaped like the real one:
 * 300,000 advisories of ~5 product entries each (1 to 9), products drawn
 * Zipf(1.1) from 50,000 products of 5,000 vendors; entries mostly
 * name + vls range ("<2.7.0", ">=2.3.0|<2.9.0", "=2.4.0"), 10% all versions,
 * 2% a range the parser refuses (undecided), 2% with a CPE; 10,000 sites x
 * 50 platforms, products drawn Zipf(1.1) from an independent ranking (what
 * sites run most is not what advisories name most), 16 versions per product,
 * 5% CPE platforms, 3% families.
 *
 * Reported (median of --runs runs):
 *  - index build: parsing 500,000 specs and indexing them, index memory;
 *  - full re-match in memory: ts_match_advisory() over every advisory,
 *    counting the matches (lookups, range checks, reason texts, per-platform
 *    aggregation, callback; no parsing of documents, no store writes): on one
 *    thread (wall and CPU time), then on --threads threads sharing the index
 *    (ts_match_advisory_with(), a scratch each);
 *  - one new advisory in memory: one ts_match_advisory() call (median, p99);
 *  - through the store (SQLite; skipped with --no-store): one new CSAF
 *    document imported (parse + store + match + alert decisions + commit)
 *    and one new platform added (parse + store + candidate lookup + match +
 *    commit), each on disk (commit = fsync, synchronous=FULL) and on tmpfs
 *    (/dev/shm, where the fsync costs nothing);
 *  - RSS (VmRSS, VmHWM). */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "advisory/import.h"
#include "advisory/match.h"
#include "advisory/platform.h"
#include "store/advstore.h"

static size_t n_adv = 300000, n_sites = 10000, per_site = 50, n_products = 50000, n_vendors = 5000,
              pool_size = 60000;
static int runs = 3;
static int threads = 2;
static bool with_store = true;

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}
static double unif(void)
{
    return (double)(rnd() >> 11) / 9007199254740992.0;
}

struct zipf {
    double *cdf;
    size_t n;
    uint32_t *perm; /* rank -> product */
};

static void zipf_init(struct zipf *z, size_t n, double s)
{
    z->n = n;
    z->cdf = malloc(n * sizeof *z->cdf);
    z->perm = malloc(n * sizeof *z->perm);
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        sum += 1.0 / pow((double)(i + 1), s);
        z->cdf[i] = sum;
        z->perm[i] = (uint32_t)i;
    }
    for (size_t i = 0; i < n; i++)
        z->cdf[i] /= sum;
    for (size_t i = n - 1; i > 0; i--) {
        size_t j = rnd() % (i + 1);
        uint32_t t = z->perm[i];
        z->perm[i] = z->perm[j];
        z->perm[j] = t;
    }
}

static uint32_t zipf_draw(const struct zipf *z)
{
    double u = unif();
    size_t lo = 0, hi = z->n - 1;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (z->cdf[mid] < u)
            lo = mid + 1;
        else
            hi = mid;
    }
    return z->perm[lo];
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_d);
    return n ? v[n / 2] : 0;
}

static double pct(double *v, size_t n, double p)
{
    qsort(v, n, sizeof *v, cmp_d);
    return n ? v[(size_t)((double)(n - 1) * p)] : 0;
}

static void rss(const char *when)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long rss_kb = 0, hwm_kb = 0;
    while (f && fgets(line, sizeof line, f)) {
        sscanf(line, "VmRSS: %ld", &rss_kb);
        sscanf(line, "VmHWM: %ld", &hwm_kb);
    }
    if (f)
        fclose(f);
    printf("  RSS %s: %.1f MiB (peak %.1f MiB)\n", when, rss_kb / 1024.0, hwm_kb / 1024.0);
}

static const char *vendor_of(uint32_t p, char *buf, size_t n)
{
    snprintf(buf, n, "vendor%04u", p % (uint32_t)n_vendors);
    return buf;
}

/* ---- The entry pool ------------------------------------------------------------- */

static ts_adv_remediation_t rem = {"vendor_fix", "Update to the latest version", ""};
static const ts_adv_remediation_t *const rems[] = {&rem};

static void make_entry(ts_adv_product_t *e, uint32_t prod, size_t serial)
{
    char v[64], p[64], text[128], err[256];
    memset(e, 0, sizeof *e);
    vendor_of(prod, v, sizeof v);
    snprintf(p, sizeof p, "product%05u", prod);
    snprintf(e->vendor, sizeof e->vendor, "%s", v);
    snprintf(e->product, sizeof e->product, "%s", p);
    char *ref = malloc(32);
    snprintf(ref, 32, "CSAFPID-%04zu", serial % 10000);
    e->ref = ref;
    e->full_name = "synthetic product";
    e->status = TS_PS_AFFECTED;
    double u = unif();
    int a = (int)(rnd() % 16), b = (int)(rnd() % 16);
    if (a > b) {
        int t = a;
        a = b;
        b = t;
    }
    if (u < 0.10)
        snprintf(text, sizeof text, "All versions");
    else if (u < 0.12)
        snprintf(text, sizeof text, "prior to the fix");
    else if (u < 0.50)
        snprintf(text, sizeof text, "<2.%d.0", b);
    else if (u < 0.80)
        snprintf(text, sizeof text, ">=2.%d.0|<2.%d.0", a, b + 1);
    else if (u < 0.92)
        snprintf(text, sizeof text, "<=2.%d.0", b);
    else {
        snprintf(text, sizeof text, "=2.%d.0", a);
        e->status = rnd() % 2 ? TS_PS_FIXED : TS_PS_NOT_AFFECTED;
    }
    e->version_text = strdup(text);
    if (ts_vrange_parse_vls(TS_VS_GENERIC, ts_str_c(text), &e->range, err, sizeof err) == 0) {
        e->range_ok = true;
        e->range_error = "";
    } else {
        e->range_ok = false;
        e->range_error = "not a range";
    }
    if (rnd() % 50 == 0) {
        char cpe[256];
        snprintf(cpe, sizeof cpe, "cpe:2.3:a:%s:%s:*:*:*:*:*:*:*:*", v, p);
        e->has_cpe = ts_cpe_parse(ts_str_c(cpe), &e->cpe, err, sizeof err) == 0;
    }
    e->n_remediations = 1;
    e->remediations = rems;
}

static void platform_spec(const struct zipf *zp, char *spec, size_t n)
{
    uint32_t prod = zipf_draw(zp);
    char v[64];
    vendor_of(prod, v, sizeof v);
    int ver = (int)(rnd() % 16);
    uint64_t k = rnd() % 100;
    if (k < 5)
        snprintf(spec, n, "cpe:2.3:a:%s:product%05u:2.%d.0:*:*:*:*:*:*:*", v, prod, ver);
    else if (k < 8)
        snprintf(spec, n, "%s:product%05u", v, prod);
    else
        snprintf(spec, n, "%s:product%05u:2.%d.0", v, prod, ver);
}

struct counts {
    uint64_t matches, alerting, undecided;
};

static int count(const ts_adv_match_t *m, void *ctx)
{
    struct counts *c = ctx;
    c->matches++;
    if (ts_match_alerts(m->status, m->undecided))
        c->alerting++;
    if (m->undecided)
        c->undecided++;
    return 0;
}

/* A share of a full re-match, for one thread: advisories i, i+n, i+2n... */
struct share {
    const ts_match_index_t *idx;
    const ts_adv_product_t *wrap;
    const size_t *adv_off;
    const uint8_t *adv_n;
    size_t first, step;
    struct counts c;
    int err;
};

static void *rematch_share(void *arg)
{
    struct share *sh = arg;
    ts_match_scratch_t *sc = ts_match_scratch_new();
    for (size_t a = sh->first; a < n_adv && sh->err == 0; a += sh->step) {
        ts_advisory_t adv = {
            .id = "x", .n_products = sh->adv_n[a], .products = sh->wrap + sh->adv_off[a]};
        sh->err = ts_match_advisory_with(sh->idx, sc, &adv, count, &sh->c);
    }
    ts_match_scratch_free(sc);
    return NULL;
}

/* ---- Store path ------------------------------------------------------------------ */

static const char csaf_head[] =
    "{\"document\":{\"category\":\"csaf_security_advisory\",\"csaf_version\":\"2.0\","
    "\"publisher\":{\"category\":\"vendor\",\"name\":\"Bench\",\"namespace\":\"https://"
    "bench.example\"},"
    "\"title\":\"Synthetic %zu\",\"notes\":[{\"category\":\"summary\",\"text\":\"x\"}],"
    "\"tracking\":{\"id\":\"BENCH-NEW-%zu\",\"status\":\"final\",\"version\":\"1\","
    "\"initial_release_date\":\"2024-01-01T00:00:00Z\",\"current_release_date\":\"2024-01-01T00:00:"
    "00Z\","
    "\"revision_history\":[{\"date\":\"2024-01-01T00:00:00Z\",\"number\":\"1\",\"summary\":\"x\"}]}"
    "},"
    "\"product_tree\":{\"branches\":[";

static size_t csaf_doc(char *out, size_t size, size_t serial, const struct zipf *za)
{
    size_t n = (size_t)snprintf(out, size, csaf_head, serial, serial);
    int k = 1 + (int)(rnd() % 9);
    for (int i = 0; i < k; i++) {
        uint32_t prod = zipf_draw(za);
        char v[64];
        vendor_of(prod, v, sizeof v);
        n += (size_t)snprintf(
            out + n, size - n,
            "%s{\"category\":\"vendor\",\"name\":\"%s\",\"branches\":[{\"category\":"
            "\"product_name\",\"name\":\"product%05u\",\"branches\":[{\"category\":"
            "\"product_version_range\",\"name\":\"<2.%d.0\",\"product\":{\"name\":"
            "\"p\",\"product_id\":\"CSAFPID-%04d\"}}]}]}",
            i ? "," : "", v, prod, (int)(rnd() % 16), i + 1);
    }
    n += (size_t)snprintf(
        out + n, size - n,
        "]},\"vulnerabilities\":[{\"cve\":\"CVE-2099-%04zu\",\"notes\":[{\"category\":"
        "\"summary\",\"text\":\"y\"}],\"product_status\":{\"known_affected\":[",
        serial % 10000);
    for (int i = 0; i < k; i++)
        n += (size_t)snprintf(out + n, size - n, "%s\"CSAFPID-%04d\"", i ? "," : "", i + 1);
    n += (size_t)snprintf(out + n, size - n, "]}}]}");
    return n;
}

static void store_path(const char *dir, const ts_adv_product_t *pool, const size_t *adv_off,
                       const uint8_t *adv_n, const struct zipf *za, const struct zipf *zp)
{
    char path[512];
    snprintf(path, sizeof path, "%s/bench_match.db", dir);
    unlink(path);
    char wal[600];
    snprintf(wal, sizeof wal, "%s-wal", path);
    unlink(wal);
    snprintf(wal, sizeof wal, "%s-shm", path);
    unlink(wal);
    ts_store_t *st;
    if (ts_store_open(path, &st) != 0) {
        printf("  cannot open %s\n", path);
        return;
    }
    double t0 = now_s();
    int64_t *site_ids = malloc(n_sites * sizeof *site_ids);
    int r = ts_store_begin(st);
    for (size_t s = 0; r == 0 && s < n_sites; s++) {
        char name[32];
        snprintf(name, sizeof name, "site%05zu", s);
        r = ts_store_site_add(st, name, 0, "", &site_ids[s]);
    }
    /* Platforms straight into the store (the index is built by the importer). */
    for (size_t s = 0; r == 0 && s < n_sites; s++)
        for (size_t k = 0; r == 0 && k < per_site; k++) {
            char spec[256], err[256];
            ts_platform_t p;
            platform_spec(zp, spec, sizeof spec);
            if (ts_platform_parse(spec, &p, err, sizeof err) != 0)
                continue;
            ts_plat_rec_t rec = {.site_id = site_ids[s],
                                 .spec = p.spec,
                                 .kind = ts_platform_kind_name(&p),
                                 .vendor = p.vendor,
                                 .product = p.product,
                                 .version = p.version,
                                 .purl_key = ""};
            int64_t id;
            int rr = ts_store_platform_add(st, &rec, &id);
            r = rr == TS_EEXIST ? 0 : rr;
        }
    /* Advisories and their entries (their matches are not needed to time one more). */
    for (size_t a = 0; r == 0 && a < n_adv; a++) {
        char id[32];
        snprintf(id, sizeof id, "BENCH-%06zu", a);
        ts_adv_rec_t rec = {.id = id,
                            .source = "csaf",
                            .revision = "1",
                            .title = "t",
                            .publisher = "Bench",
                            .cvss = -1,
                            .severity = "high",
                            .cves_json = "[]",
                            .hash = "x",
                            .document = "synthetic"};
        int64_t rowid;
        r = ts_store_adv_put(st, &rec, &rowid);
        for (size_t i = 0; r == 0 && i < adv_n[a]; i++) {
            const ts_adv_product_t *e = &pool[(adv_off[a] + i) % pool_size];
            char range[600] = "", cpe[600] = "";
            if (e->range_ok)
                ts_vrange_format(&e->range, range, sizeof range);
            if (e->has_cpe)
                ts_cpe_format(&e->cpe, cpe, sizeof cpe);
            ts_adv_prod_rec_t pr = {.adv_rowid = rowid,
                                    .ord = (int)i,
                                    .ref = e->ref,
                                    .full_name = e->full_name,
                                    .vendor = e->vendor,
                                    .product = e->product,
                                    .cpe = cpe,
                                    .purl = "",
                                    .purl_key = "",
                                    .version_text = e->version_text,
                                    .range = range,
                                    .range_error = e->range_error,
                                    .status = (int)e->status,
                                    .remediations_json = "[{\"category\":\"vendor_fix\"}]"};
            r = ts_store_adv_product_add(st, &pr);
        }
    }
    if (r == 0)
        r = ts_store_commit(st);
    else
        ts_store_rollback(st);
    if (r) {
        printf("  populate failed: %s\n", ts_store_errmsg(st));
        ts_store_close(st);
        free(site_ids);
        return;
    }
    printf("  store %s: populated in %.1f s (%zu sites, their platforms, %zu advisories)\n", dir,
           now_s() - t0, n_sites, n_adv);
    t0 = now_s();
    ts_adv_importer_t *imp;
    if (ts_adv_importer_new(st, &imp) != 0) {
        printf("  importer failed\n");
        ts_store_close(st);
        free(site_ids);
        return;
    }
    printf("  importer session (loads %zu platforms into the index): %.2f s, index %.1f MiB\n",
           ts_adv_importer_platforms(imp), now_s() - t0, ts_adv_importer_memory(imp) / 1048576.0);
    enum { N_DOCS = 40, N_PLATS = 40 };
    double td[N_DOCS], tp[N_PLATS];
    char *doc = malloc(65536);
    uint64_t alerts = 0;
    for (size_t i = 0; i < N_DOCS; i++) {
        size_t len = csaf_doc(doc, 65536, i, za);
        ts_adv_import_stats_t s = {0};
        double t = now_s();
        r = ts_adv_importer_buffer(imp, doc, len, "bench", &s, NULL, NULL);
        td[i] = now_s() - t;
        alerts += s.new_matches;
        if (r || s.imported != 1) {
            printf("  import failed: %d\n", r);
            break;
        }
    }
    printf("  one new advisory (parse+store+match+commit): median %.3f ms, p90 %.3f ms "
           "(%llu new alerts over %d documents)\n",
           median(td, N_DOCS) * 1e3, pct(td, N_DOCS, 0.9) * 1e3, (unsigned long long)alerts,
           N_DOCS);
    alerts = 0;
    for (size_t i = 0; i < N_PLATS; i++) {
        char spec[256], err[256];
        platform_spec(zp, spec, sizeof spec);
        ts_adv_import_stats_t s = {0};
        int64_t id;
        double t = now_s();
        r = ts_adv_platform_add(st, site_ids[rnd() % n_sites], spec, &id, &s, err, sizeof err);
        tp[i] = now_s() - t;
        alerts += s.new_matches;
        if (r == TS_EEXIST)
            tp[i] = 0, i--;
        else if (r) {
            printf("  platform add failed: %s\n", err);
            break;
        }
    }
    printf("  one new platform (parse+store+lookup+match+commit): median %.3f ms, p90 %.3f ms "
           "(%llu new alerts over %d platforms)\n",
           median(tp, N_PLATS) * 1e3, pct(tp, N_PLATS, 0.9) * 1e3, (unsigned long long)alerts,
           N_PLATS);
    free(doc);
    ts_adv_importer_free(imp);
    ts_store_close(st);
    free(site_ids);
    unlink(path);
    snprintf(wal, sizeof wal, "%s-wal", path);
    unlink(wal);
    snprintf(wal, sizeof wal, "%s-shm", path);
    unlink(wal);
}

int main(int argc, char **argv)
{
    const char *disk_dir = "/tmp";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--advisories") == 0 && i + 1 < argc)
            n_adv = strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--sites") == 0 && i + 1 < argc)
            n_sites = strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
            runs = atoi(argv[++i]);
        else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
            threads = atoi(argv[++i]);
        else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
            disk_dir = argv[++i];
        else if (strcmp(argv[i], "--no-store") == 0)
            with_store = false;
        else {
            fprintf(stderr,
                    "usage: bench_match [--advisories N] [--sites N] [--runs N] [--threads N] "
                    "[--dir DISKDIR] "
                    "[--no-store]\n");
            return 2;
        }
    }
    if (n_adv == 0 || n_sites == 0 || runs < 1 || threads < 1 || threads > 64)
        return 2;
    printf("bench_match: %zu advisories, %zu sites x %zu platforms, %zu products of %zu vendors\n",
           n_adv, n_sites, per_site, n_products, n_vendors);
    struct zipf za, zp;
    zipf_init(&za, n_products, 1.1);
    zipf_init(&zp, n_products, 1.1);

    double t0 = now_s();
    ts_adv_product_t *pool = malloc(pool_size * sizeof *pool);
    for (size_t i = 0; i < pool_size; i++)
        make_entry(&pool[i], zipf_draw(&za), i);
    size_t *adv_off = malloc(n_adv * sizeof *adv_off);
    uint8_t *adv_n = malloc(n_adv);
    size_t entries = 0;
    for (size_t a = 0; a < n_adv; a++) {
        adv_off[a] = rnd() % pool_size;
        adv_n[a] = (uint8_t)(1 + rnd() % 9);
        entries += adv_n[a];
    }
    /* Advisories are windows of the pool (wrapping), so the corpus costs the
     * pool's memory, not 1.5 million entries of ~4 KB. */
    ts_adv_product_t *wrap = malloc((pool_size + 9) * sizeof *wrap);
    memcpy(wrap, pool, pool_size * sizeof *pool);
    memcpy(wrap + pool_size, pool, 9 * sizeof *pool);
    printf("  corpus generated in %.2f s: %zu product entries (%.1f per advisory), pool of %zu\n",
           now_s() - t0, entries, (double)entries / (double)n_adv, pool_size);
    rss("after generating the corpus");

    double tb[16];
    ts_match_index_t *idx = NULL;
    for (int run = 0; run < runs && run < 16; run++) {
        uint64_t saved = rng;
        rng = 0x1234567ull;
        ts_match_index_free(idx);
        t0 = now_s();
        idx = ts_match_index_new();
        for (size_t s = 0; s < n_sites; s++)
            for (size_t k = 0; k < per_site; k++) {
                char spec[256], err[256];
                ts_platform_t p;
                platform_spec(&zp, spec, sizeof spec);
                if (ts_platform_parse(spec, &p, err, sizeof err) == 0 &&
                    ts_match_index_add(idx, (int64_t)(s * per_site + k + 1), (int64_t)s + 1, &p) !=
                        0)
                    return 1;
            }
        tb[run] = now_s() - t0;
        rng = saved;
    }
    printf("  index build (parse + add %zu platforms): median %.3f s; index memory %.1f MiB\n",
           ts_match_index_count(idx), median(tb, (size_t)runs),
           ts_match_index_memory(idx) / 1048576.0);
    rss("after building the index");

    double tf[16], tc[16];
    struct counts c = {0};
    for (int run = 0; run < runs && run < 16; run++) {
        memset(&c, 0, sizeof c);
        t0 = now_s();
        double c0 = cpu_s();
        for (size_t a = 0; a < n_adv; a++) {
            ts_advisory_t adv = {.id = "x", .n_products = adv_n[a], .products = wrap + adv_off[a]};
            if (ts_match_advisory(idx, &adv, count, &c) != 0)
                return 1;
        }
        tf[run] = now_s() - t0;
        tc[run] = cpu_s() - c0;
    }
    printf("  full re-match in memory, one thread: median %.3f s wall, %.3f s CPU over %d runs "
           "(%llu matches: %llu alerting, %llu undecided)\n",
           median(tf, (size_t)runs), median(tc, (size_t)runs), runs, (unsigned long long)c.matches,
           (unsigned long long)c.alerting, (unsigned long long)c.undecided);

    if (threads > 1) {
        double tt[16];
        uint64_t total = 0;
        for (int run = 0; run < runs && run < 16; run++) {
            struct share sh[64];
            pthread_t th[64];
            t0 = now_s();
            for (int k = 0; k < threads; k++) {
                sh[k] = (struct share){idx,       wrap, adv_off, adv_n, (size_t)k, (size_t)threads,
                                       {0, 0, 0}, 0};
                if (pthread_create(&th[k], NULL, rematch_share, &sh[k]) != 0)
                    return 1;
            }
            total = 0;
            for (int k = 0; k < threads; k++) {
                pthread_join(th[k], NULL);
                total += sh[k].c.matches;
                if (sh[k].err)
                    return 1;
            }
            tt[run] = now_s() - t0;
        }
        printf("  full re-match in memory, %d threads (one index, a scratch each): median %.3f s "
               "wall over %d runs (%llu matches)\n",
               threads, median(tt, (size_t)runs), runs, (unsigned long long)total);
    }

    enum { N_ONE = 20000 };
    double *t1 = malloc(N_ONE * sizeof *t1);
    for (size_t i = 0; i < N_ONE; i++) {
        size_t a = rnd() % n_adv;
        ts_advisory_t adv = {.id = "x", .n_products = adv_n[a], .products = wrap + adv_off[a]};
        struct counts c1 = {0};
        double t = now_s();
        if (ts_match_advisory(idx, &adv, count, &c1) != 0)
            return 1;
        t1[i] = now_s() - t;
    }
    printf("  one new advisory in memory: median %.1f us, p99 %.1f us, max %.1f us\n",
           median(t1, N_ONE) * 1e6, pct(t1, N_ONE, 0.99) * 1e6, pct(t1, N_ONE, 1.0) * 1e6);
    free(t1);
    rss("after matching");
    ts_match_index_free(idx);

    if (with_store) {
        store_path(disk_dir, pool, adv_off, adv_n, &za, &zp);
        store_path("/dev/shm", pool, adv_off, adv_n, &za, &zp);
        rss("at the end");
    }
    for (size_t i = 0; i < pool_size; i++) {
        free((char *)pool[i].ref);
        free((char *)pool[i].version_text);
    }
    free(pool);
    free(wrap);
    free(adv_off);
    free(adv_n);
    free(za.cdf);
    free(za.perm);
    free(zp.cdf);
    free(zp.perm);
    return 0;
}
