/* SPDX-License-Identifier: Apache-2.0 */
/* Version comparison and range containment throughput, single thread.
 *
 * Each scheme compares a fixed set of realistic pairs (vendor strings, semver
 * with pre-releases, Debian and Red Hat package versions) round-robin;
 * containment tests a version against ranges of 1, 2 and 8 constraints, the
 * shapes CSAF and CVE records produce. Every figure is the median of 5 runs
 * of about 0.2 s each. A checksum of the results keeps the compiler from
 * dropping the work. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "advisory/version.h"

#define RUNS 5
#define BATCH 100000

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && cmp_dbl(&v[j - 1], &v[j]) > 0; j--) {
            double t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    return v[n / 2];
}

static long sink;

struct pairs {
    const char *name;
    ts_vscheme_t s;
    const char *const (*p)[2];
    size_t n;
};

static const char *const generic_pairs[][2] = {
    {"V3.1.0", "V3.0.29"},    {"10.2.9-h1", "10.2.9"},   {"8.7p1", "9.7p1"},
    {"V23Q4", "V23Q3"},       {"V4.1_Update_2", "V4.1"}, {"12.2(55)SE10", "12.2(55)SE9"},
    {"4.8.488.0", "4.8.488"}, {"1.0.0-rc1", "1.0.0"},
};
static const char *const semver_pairs[][2] = {
    {"1.0.0-alpha", "1.0.0-alpha.1"}, {"1.0.0-beta.2", "1.0.0-beta.11"}, {"2.17.1", "2.17.0"},
    {"1.2.3+build.5", "1.2.3"},       {"10.20.30", "10.20.31"},          {"v1.2.3", "1.2.3-rc.1"},
};
static const char *const dpkg_pairs[][2] = {
    {"1:9.2p1-2+deb12u3", "1:9.2p1-2+deb12u2"},
    {"2.30-0ubuntu1", "2.30-0ubuntu1~18.04"},
    {"1.0~rc1", "1.0"},
    {"7.88.1-10+deb12u5", "7.88.1-10+deb12u6"},
};
static const char *const rpm_pairs[][2] = {
    {"0:8.7p1-38.el9_4.1", "0:8.7p1-30.el9_2.4"},
    {"1.0~rc1", "1.0"},
    {"5.14.0-427.13.1.el9_4", "5.14.0-427.20.1.el9_4"},
    {"2.0.1a", "2.0.1"},
};

static void bench_cmp(const struct pairs *p)
{
    double rate[RUNS];
    for (int r = 0; r < RUNS; r++) {
        long done = 0;
        double t0 = now(), t;
        do {
            for (int b = 0; b < BATCH; b++) {
                const char *const *pr = p->p[(size_t)b % p->n];
                int c;
                if (ts_version_cmp(p->s, ts_str_c(pr[0]), ts_str_c(pr[1]), &c) == 0)
                    sink += c;
            }
            done += BATCH;
            t = now();
        } while (t - t0 < 0.2);
        rate[r] = (double)done / (t - t0);
    }
    printf("compare %-8s %6.2f M/s  (%zu pairs)\n", p->name, median(rate, RUNS) / 1e6, p->n);
}

static void bench_contains(const char *label, const ts_vrange_t *range, const char *const *v,
                           size_t nv)
{
    double rate[RUNS];
    for (int r = 0; r < RUNS; r++) {
        long done = 0;
        double t0 = now(), t;
        do {
            for (int b = 0; b < BATCH; b++) {
                bool in;
                if (ts_vrange_contains(range, ts_str_c(v[(size_t)b % nv]), &in) == 0)
                    sink += in;
            }
            done += BATCH;
            t = now();
        } while (t - t0 < 0.2);
        rate[r] = (double)done / (t - t0);
    }
    printf("contains %-34s %6.2f M/s\n", label, median(rate, RUNS) / 1e6);
}

int main(void)
{
#define P(name, s, arr)                                                                            \
    {                                                                                              \
        name, s, arr, sizeof arr / sizeof arr[0]                                                   \
    }
    const struct pairs sets[] = {
        P("generic", TS_VS_GENERIC, generic_pairs),
        P("semver", TS_VS_SEMVER, semver_pairs),
        P("dpkg", TS_VS_DPKG, dpkg_pairs),
        P("rpm", TS_VS_RPM, rpm_pairs),
    };
#undef P
    for (size_t k = 0; k < sizeof sets / sizeof sets[0]; k++)
        bench_cmp(&sets[k]);

    static const char *const vv[] = {"V3.0.28", "V3.1.0", "10.2.9-h1", "2.4.1", "1.9", "V4.3.7"};
    ts_vrange_t r;
    char err[128];
    if (ts_vrange_parse_vls(TS_VS_GENERIC, TS_STR_LIT("<V3.0.29"), &r, err, sizeof err) != 0)
        return 1;
    bench_contains("vls \"<V3.0.29\" (1)", &r, vv, 6);
    if (ts_vrange_from_bounds(TS_VS_GENERIC, TS_STR_LIT("10.2.0"), true, TS_STR_LIT("10.2.9-h1"),
                              false, &r, err, sizeof err) != 0)
        return 1;
    bench_contains("bounds [10.2.0, 10.2.9-h1) (2)", &r, vv, 6);
    if (ts_vrange_parse_vers(TS_STR_LIT("vers:generic/1.0|1.5|>=2.0|<2.4|!=2.4.5|>=2.5|<3.0|"
                                        "4.0"),
                             &r, NULL, err, sizeof err) != 0)
        return 1;
    bench_contains("vers, 8 constraints", &r, vv, 6);
    static const char *const sv[] = {"1.5.0", "2.0.0-rc.1", "0.9.9", "2.17.1"};
    if (ts_vrange_parse_vers(TS_STR_LIT("vers:semver/>=2.0.0-beta9|<2.17.1"), &r, NULL, err,
                             sizeof err) != 0)
        return 1;
    bench_contains("vers:semver, 2 constraints", &r, sv, 4);
    printf("(checksum %ld)\n", sink);
    return 0;
}
