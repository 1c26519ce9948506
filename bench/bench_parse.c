/* SPDX-License-Identifier: Apache-2.0 */
/* EVE alert parsing throughput: ts_eve_parse over synthetic alert lines held
 * in memory (arena reset per batch of 1024), against json-c 0.16 with
 * JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8 (reused tokener, object
 * built and freed, src_ip/dest_ip/alert.signature_id looked up) as the
 * baseline. Usage: bench_parse [LINES] [RUNS] [ours]; prints the median of RUNS
 * ("ours" skips the json-c baseline, for profiling). */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "ingest/parser.h"

static unsigned long long rng = 0x9E3779B97F4A7C15ULL;

static unsigned rnd(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

static const char *cats[] = {"A Network Trojan was detected",
                             "Potentially Bad Traffic",
                             "Attempted Information Leak",
                             "Misc activity",
                             "Not Suspicious Traffic",
                             "Potential Corporate Privacy Violation",
                             "Malware Command and Control Activity Detected",
                             "Attempted Administrator Privilege Gain"};
static const char *sigs[] = {"ET MALWARE Win32/IcedID Requesting Encoded Binary M4",
                             "ET POLICY Observed IP Lookup Domain (l2 .io in TLS SNI)",
                             "ET INFO Observed DNS Query to .cloud TLD",
                             "GPL ATTACK_RESPONSE id check returned root",
                             "ET SCAN Suspicious inbound to mySQL port 3306",
                             "ET HUNTING Suspicious Windows Commands in HTTP \\/cmd.exe"};

static void ip(char *b, size_t n, int v6)
{
    if (v6)
        snprintf(b, n, "2001:0db8:%04x:%04x:0000:0000:%04x:%04x", rnd(65536), rnd(65536),
                 rnd(65536), rnd(65536));
    else
        snprintf(b, n, "%u.%u.%u.%u", 1 + rnd(223), rnd(256), rnd(256), 1 + rnd(254));
}

static size_t gen_line(char *out, size_t cap)
{
    char src[64], dst[64];
    int v6 = rnd(100) < 15;
    ip(src, sizeof src, v6);
    ip(dst, sizeof dst, v6);
    unsigned long long flow = ((unsigned long long)rnd(1u << 30) << 20) ^ rnd(1u << 20);
    int n = snprintf(
        out, cap,
        "{\"timestamp\":\"2023-11-01T00:%02u:%02u.%06u+0100\",\"flow_id\":%llu,"
        "\"event_type\":\"alert\",\"src_ip\":\"%s\",\"src_port\":%u,\"dest_ip\":\"%s\","
        "\"dest_port\":%u,\"proto\":\"%s\",\"tx_id\":0,\"alert\":{"
        "\"action\":\"allowed\",\"gid\":1,\"signature_id\":%u,\"rev\":%u,\"signature\":\"%s\","
        "\"category\":\"%s\",\"severity\":%u,\"metadata\":{\"attack_target\":[\"Client_Endpoint\"],"
        "\"deployment\":[\"Perimeter\"]}},\"app_proto\":\"%s\",\"direction\":"
        "\"to_server\",\"flow\":{\"pkts_toserver\":%u,\"pkts_toclient\":%u,\"bytes_toserver\":%u,"
        "\"bytes_toclient\":%u,\"start\":\"2023-11-01T00:46:34.435874+0100\"}}",
        rnd(60), rnd(60), rnd(1000000), flow, src, 1024 + rnd(64000), dst, rnd(2) ? 443 : 53,
        rnd(4) ? "TCP" : "UDP", 2000000 + rnd(100000), 1 + rnd(20), sigs[rnd(6)], cats[rnd(8)],
        1 + rnd(3), rnd(2) ? "tls" : "dns", rnd(50), rnd(50), rnd(100000), rnd(1000000));
    return n < 0 ? 0 : (size_t)n;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts); /* CPU time: steadier on a shared machine */
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    size_t lines = argc > 1 ? strtoul(argv[1], NULL, 10) : 200000;
    int runs = argc > 2 ? atoi(argv[2]) : 5;
    if (lines == 0 || runs <= 0 || runs > 99)
        return 2;
    char *data = malloc(lines * 1024);
    size_t *off = malloc((lines + 1) * sizeof *off);
    size_t pos = 0, minl = (size_t)-1, maxl = 0;
    for (size_t i = 0; i < lines; i++) {
        off[i] = pos;
        size_t n = gen_line(data + pos, 1024);
        pos += n;
        minl = n < minl ? n : minl;
        maxl = n > maxl ? n : maxl;
    }
    off[lines] = pos;
    double mb = (double)pos / 1e6;
    printf("%zu lines, %.1f MB, %zu-%zu bytes per line (mean %.0f)\n", lines, mb, minl, maxl,
           (double)pos / (double)lines);

    ts_arena_t *arena = ts_arena_new(256 * 1024);
    double t_ours[99], t_jc[99];
    size_t events = 0;
    for (int r = 0; r < runs; r++) {
        events = 0;
        double t0 = now();
        ts_event_t e;
        ts_parse_error_t err;
        for (size_t i = 0; i < lines; i++) {
            if ((i & 1023) == 0)
                ts_arena_reset(arena);
            int rc = ts_eve_parse(data + off[i], off[i + 1] - off[i], arena, &e, &err);
            if (rc == TS_PARSE_EVENT)
                events++;
            else if (rc < 0) {
                fprintf(stderr, "line %zu: %s\n", i, err.detail);
                return 1;
            }
        }
        t_ours[r] = now() - t0;
    }
    if (events != lines) {
        fprintf(stderr, "only %zu of %zu lines became events\n", events, lines);
        return 1;
    }

    if (argc > 3 && strcmp(argv[3], "ours") == 0) {
        qsort(t_ours, (size_t)runs, sizeof(double), cmp_d);
        double m = t_ours[runs / 2];
        printf("ts_eve_parse:        median of %d: %10.0f lines/s  %7.1f MB/s  (%.0f ns/line)\n",
               runs, (double)lines / m, mb / m, m * 1e9 / (double)lines);
        return 0;
    }
    struct json_tokener *tok = json_tokener_new_ex(64);
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    unsigned long long check = 0;
    for (int r = 0; r < runs; r++) {
        double t0 = now();
        for (size_t i = 0; i < lines; i++) {
            json_tokener_reset(tok);
            struct json_object *o =
                json_tokener_parse_ex(tok, data + off[i], (int)(off[i + 1] - off[i]));
            struct json_object *a, *s, *d, *sid;
            if (o && json_object_object_get_ex(o, "src_ip", &s) &&
                json_object_object_get_ex(o, "dest_ip", &d) &&
                json_object_object_get_ex(o, "alert", &a) &&
                json_object_object_get_ex(a, "signature_id", &sid))
                check += (unsigned long long)json_object_get_int64(sid) +
                         (unsigned long long)json_object_get_string_len(s);
            json_object_put(o);
        }
        t_jc[r] = now() - t0;
    }
    json_tokener_free(tok);
    qsort(t_ours, (size_t)runs, sizeof(double), cmp_d);
    qsort(t_jc, (size_t)runs, sizeof(double), cmp_d);
    double mo = t_ours[runs / 2], mj = t_jc[runs / 2];
    printf("ts_eve_parse:        median of %d: %10.0f lines/s  %7.1f MB/s  (%.0f ns/line)\n", runs,
           (double)lines / mo, mb / mo, mo * 1e9 / (double)lines);
    printf("json-c strict+utf8:  median of %d: %10.0f lines/s  %7.1f MB/s  (%.0f ns/line)\n", runs,
           (double)lines / mj, mb / mj, mj * 1e9 / (double)lines);
    printf("ratio ts_eve_parse / json-c: %.1fx  (check %llu)\n", mj / mo, check);
    ts_arena_free(arena);
    free(data);
    free(off);
    return 0;
}
