/* SPDX-License-Identifier: Apache-2.0 */
/* Notification benchmark: --sites sites (10,000) with 2 contacts each and
 * --items notifiable items (100,000; 10 per site, five RSIT types, random
 * priorities, 2 hosts and a CSV row each), every contact taking everything at
 * once, so that one build makes one digest per contact. Reported:
 *  - collecting the items (rows waiting per contact, one transaction);
 *  - building every digest: rendering, signing with the CSIRT's ed25519 key
 *    and encrypting to the contact's key (one of --keys keys) through gpgme,
 *    and queueing it in the outbox (SQLite, synchronous=FULL, one commit per
 *    mail): mails/s, and CPU per mail of this process and of the gpg
 *    processes gpgme runs and of the gpg-agent that signs (getrusage self
 *    and children, /proc for the agent);
 *  - then, in the same run, `gpg --sign --encrypt` of the same digest texts,
 *    one gpg process per text as a script would do: per mail wall and CPU.
 * --sample N runs gpg on the first N texts only (default: all).
 * --smime: the same with S/MIME (every contact's crypto smime, the CSIRT's
 * and the contacts' RSA-2048 certificates made with gpgsm in the same home,
 * signed then enveloped through gpgme's CMS engine), against `gpgsm --sign`
 * piped into `gpgsm --encrypt` per text.
 * Keys are made in a temporary GnuPG home (gpg --quick-gen-key). */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "core/event.h"
#include "notify/builder.h"
#include "notify/contact.h"
#include "notify/mime.h"
#include "store/notifystore.h"

/* The temporary directory, removed with its gpg-agent at exit, also after
 * an error. */
static char dir[] = "/tmp/bench-notify-XXXXXX";

static void cleanup(void)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "gpgconf --homedir '%s/gnupg' --kill all >/dev/null 2>&1; rm -rf '%s'", dir, dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_notify: could not remove %s\n", dir);
}

static size_t n_sites = 10000, n_items = 100000, n_keys = 4, sample = SIZE_MAX;
static bool smime;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(int who)
{
    struct rusage ru;
    getrusage(who, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* Runs a shell command; its output (cut to size) into out when not NULL. */
static int sh(const char *cmd, char *out, size_t size)
{
    FILE *p = popen(cmd, "r");
    if (p == NULL)
        return -1;
    size_t n = out ? fread(out, 1, size - 1, p) : 0;
    if (out)
        out[n] = '\0';
    char sink[256];
    while (fread(sink, 1, sizeof sink, p) > 0)
        ;
    return pclose(p) == 0 ? 0 : -1;
}

/* CPU seconds of the home's gpg-agent, which makes the signatures for
 * gpgme and gpg alike (it is no child of ours: getrusage does not see it). */
static double agent_cpu(const char *home)
{
    char cmd[1024], out[64];
    snprintf(cmd, sizeof cmd, "pgrep -f -n -- 'gpg-agent --homedir %s'", home);
    if (sh(cmd, out, sizeof out) != 0)
        return 0;
    char path[64], stat[1024];
    snprintf(path, sizeof path, "/proc/%ld/stat", strtol(out, NULL, 10));
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return 0;
    size_t n = fread(stat, 1, sizeof stat - 1, f);
    fclose(f);
    stat[n] = '\0';
    const char *p = strrchr(stat, ')');
    unsigned long ut = 0, st = 0;
    /* Fields 14 and 15 (utime, stime), counted after the command's ')'. */
    if (p == NULL ||
        sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
        return 0;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

#define GPG "gpg --homedir '%s' --batch --pinentry-mode loopback --passphrase '' "

#define GPGSM "gpgsm --homedir '%s' --batch --pinentry-mode loopback --passphrase '' "

/* A self-signed S/MIME certificate for email made with gpgsm in home and
 * trusted there; its PEM into pem (size bytes), its fingerprint into fpr. */
static int smime_cert(const char *home, const char *email, char *pem, size_t size, char *fpr)
{
    char cmd[4096], out[8192];
    snprintf(
        cmd, sizeof cmd,
        "printf 'Key-Type: RSA\\nKey-Length: 2048\\nKey-Usage: sign, encrypt\\n"
        "Serial: random\\nName-DN: CN=%s\\nName-Email: %s\\n%%%%commit\\n' >'%s/params' && " GPGSM
        "--armor --gen-key '%s/params' >'%s/%s.pem' 2>/dev/null && " GPGSM
        "--import '%s/%s.pem' 2>/dev/null && cat '%s/%s.pem'",
        email, email, dir, home, dir, dir, email, home, dir, email, dir, email);
    if (sh(cmd, pem, size) != 0)
        return -1;
    snprintf(cmd, sizeof cmd, GPGSM "--with-colons --list-keys '%s' 2>/dev/null", home, email);
    if (sh(cmd, out, sizeof out) != 0)
        return -1;
    char *f = strstr(out, "\nfpr:::::::::");
    if (f == NULL)
        return -1;
    snprintf(fpr, 64, "%.40s", f + 13);
    snprintf(cmd, sizeof cmd, "echo '%s S relax' >>'%s/trustlist.txt'", fpr, home);
    return sh(cmd, NULL, 0);
}

static int fpr_of(const char *home, const char *uid, char *fpr)
{
    char out[8192], cmd[1024];
    snprintf(cmd, sizeof cmd, GPG "--with-colons --list-keys '%s' 2>/dev/null", home, uid);
    if (sh(cmd, out, sizeof out) != 0)
        return -1;
    char *p = strstr(out, "\nfpr:::::::::");
    if (p == NULL)
        return -1;
    snprintf(fpr, 64, "%.40s", p + 13);
    return 0;
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (i + 1 < argc && strcmp(argv[i], "--sites") == 0)
            n_sites = strtoul(argv[++i], NULL, 10);
        else if (i + 1 < argc && strcmp(argv[i], "--items") == 0)
            n_items = strtoul(argv[++i], NULL, 10);
        else if (i + 1 < argc && strcmp(argv[i], "--keys") == 0)
            n_keys = strtoul(argv[++i], NULL, 10);
        else if (i + 1 < argc && strcmp(argv[i], "--sample") == 0)
            sample = strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--smime") == 0)
            smime = true;
        else {
            fprintf(stderr, "usage: bench_notify [--sites N] [--items N] [--keys N] "
                            "[--sample N] [--smime]\n");
            return 2;
        }
    }
    if (n_sites == 0 || n_keys == 0 || n_keys > 64)
        return 2;
    if (mkdtemp(dir) == NULL)
        return 1;
    atexit(cleanup);
    char home[256], db[256], tpl_dir[512], err[512] = "";
    snprintf(home, sizeof home, "%s/gnupg", dir);
    snprintf(db, sizeof db, "%s/n.db", dir);
    snprintf(tpl_dir, sizeof tpl_dir, "%s/templates", TS_SOURCE_DIR);
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "mkdir -m 700 '%s' && " GPG
             "--quick-gen-key 'CSIRT <csirt@csirt.test>' ed25519 sign never 2>/dev/null",
             home, home);
    if (sh(cmd, NULL, 0) != 0) {
        fprintf(stderr, "bench_notify: gpg cannot make keys\n");
        return 1;
    }
    char fprs[64][64], signer[64], ssigner[64];
    char *keys[64], *certs[64] = {0};
    if (fpr_of(home, "csirt@csirt.test", signer) != 0)
        return 1;
    if (smime) {
        char conf[600], pem[8192];
        snprintf(conf, sizeof conf, "echo disable-crl-checks >'%s/gpgsm.conf'", home);
        if (sh(conf, NULL, 0) != 0 ||
            smime_cert(home, "csirt@csirt.test", pem, sizeof pem, ssigner) != 0) {
            fprintf(stderr, "bench_notify: gpgsm cannot make certificates\n");
            return 1;
        }
        for (size_t k = 0; k < n_keys; k++) {
            char uid[64];
            snprintf(uid, sizeof uid, "contact%zu@site.test", k);
            certs[k] = malloc(8192);
            if (smime_cert(home, uid, certs[k], 8192, fprs[k]) != 0)
                return 1;
        }
        snprintf(conf, sizeof conf, "gpgconf --homedir '%s' --reload gpg-agent", home);
        if (sh(conf, NULL, 0) != 0)
            return 1;
    }
    for (size_t k = 0; k < n_keys && !smime; k++) {
        char uid[64], export[1024];
        snprintf(uid, sizeof uid, "contact%zu@site.test", k);
        keys[k] = malloc(16384);
        snprintf(cmd, sizeof cmd,
                 GPG "--quick-gen-key '%s' future-default default never 2>/dev/null", home, uid);
        snprintf(export, sizeof export, GPG "--armor --export '%s' 2>/dev/null", home, uid);
        if (sh(cmd, NULL, 0) != 0 || fpr_of(home, uid, fprs[k]) != 0 ||
            sh(export, keys[k], 16384) != 0)
            return 1;
    }
    ts_store_t *st = NULL;
    ts_tpl_set_t *tpl = NULL;
    ts_pgp_t *pgp = NULL;
    ts_smime_t *sm = NULL;
    if (ts_store_open(db, &st) != 0 || ts_tpl_set_load(tpl_dir, &tpl, err, sizeof err) != 0 ||
        ts_pgp_open(home, signer, &pgp, err, sizeof err) != 0 ||
        (smime && ts_smime_open(home, ssigner, &sm, err, sizeof err) != 0)) {
        fprintf(stderr, "bench_notify: %s\n", err);
        return 1;
    }
    /* Sites and contacts. */
    int64_t *site = malloc(n_sites * sizeof *site);
    if (ts_store_begin(st) != 0)
        return 1;
    for (size_t i = 0; i < n_sites; i++) {
        char name[32], email[64];
        snprintf(name, sizeof name, "site-%zu", i);
        if (ts_store_site_add(st, name, 0, NULL, &site[i]) != 0)
            return 1;
        for (int c = 0; c < 2; c++) {
            ts_contact_rec_t rec;
            ts_contact_defaults(&rec);
            rec.site_id = site[i];
            snprintf(email, sizeof email, "%s@site-%zu.test", c ? "cert" : "abuse", i);
            rec.email = email;
            rec.immediate = TS_PRIO_LOW;
            size_t k = (i * 2 + (size_t)c) % n_keys;
            if (smime) {
                rec.smime_cert = certs[k];
                rec.crypto = TS_CRYPTO_SMIME;
            } else {
                rec.pgp_fpr = fprs[k];
                rec.pgp_key = keys[k];
            }
            int64_t id;
            if (ts_store_ncontact_add(st, &rec, &id) != 0)
                return 1;
        }
    }
    if (ts_store_commit(st) != 0)
        return 1;
    /* Items. */
    static const char *const types[] = {"scanner", "brute-force", "vulnerable-system",
                                        "infected-system", "ddos"};
    ts_notify_cfg_t cfg = {.from = "csirt@csirt.test",
                           .from_name = "Example CSIRT",
                           .portal = "https://portal.csirt.test",
                           .tpl = tpl,
                           .pgp = pgp,
                           .smime = sm};
    ts_notify_stats_t stats = {0};
    int64_t t_now = ts_time_now();
    double t0 = now_s();
    if (ts_store_begin(st) != 0)
        return 1;
    uint64_t rng = 0x9e3779b97f4a7c15ull;
    for (size_t i = 0; i < n_items; i++) {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        char summary[96], h1[32], h2[32], csv[160];
        size_t s = i % n_sites;
        snprintf(summary, sizeof summary, "Incident %zu: %s seen from site %zu", i, types[rng % 5],
                 s);
        snprintf(h1, sizeof h1, "10.%zu.%zu.1", s / 256 % 256, s % 256);
        snprintf(h2, sizeof h2, "10.%zu.%zu.2", s / 256 % 256, s % 256);
        snprintf(csv, sizeof csv, "time,source.ip,type\r\n2026-12-07T10:00:00Z,%s,%s\r\n", h1,
                 types[rng % 5]);
        const char *hosts[2] = {h1, h2};
        ts_nitem_t it = {
            .site_id = site[s],
            .kind = TS_NITEM_NEW,
            .type = types[rng % 5],
            .priority = (int)((rng >> 8) % 4) + 1,
            .ref = "INC",
            .hosts = hosts,
            .n_hosts = 2,
            .summary = summary,
            .why = "the source address is in your network",
            .link = "https://portal.csirt.test/#/incidents/1",
            .events_csv = csv,
        };
        if (ts_notify_add_item(st, &it, t_now, &stats, err, sizeof err) != 0) {
            fprintf(stderr, "bench_notify: %s\n", err);
            return 1;
        }
    }
    if (ts_store_commit(st) != 0)
        return 1;
    double t1 = now_s();
    double cpu0 = cpu_s(RUSAGE_SELF), ch0 = cpu_s(RUSAGE_CHILDREN) + agent_cpu(home);
    if (ts_notify_build(st, &cfg, t_now, 0, &stats, err, sizeof err) != 0) {
        fprintf(stderr, "bench_notify: build: %s\n", err);
        return 1;
    }
    double t2 = now_s();
    double cpu1 = cpu_s(RUSAGE_SELF), ch1 = cpu_s(RUSAGE_CHILDREN) + agent_cpu(home);
    printf("sites %zu, contacts %zu, items %zu, rows waiting %" PRIu64 "\n", n_sites, 2 * n_sites,
           n_items, stats.waiting);
    printf("collect: %.2f s (%.0f items/s)\n", t1 - t0, (double)n_items / (t1 - t0));
    printf("build, sign, encrypt, queue: %" PRIu64 " mails (%" PRIu64 " encrypted) in %.2f s = "
           "%.1f mails/s; CPU per mail %.2f ms (tocsin %.2f + gpg and its agent %.2f)\n",
           stats.mails, stats.encrypted, t2 - t1, (double)stats.mails / (t2 - t1),
           1000 * ((cpu1 - cpu0) + (ch1 - ch0)) / (double)stats.mails,
           1000 * (cpu1 - cpu0) / (double)stats.mails, 1000 * (ch1 - ch0) / (double)stats.mails);

    /* gpg --sign --encrypt of the same digest texts, one process each. */
    size_t done = 0;
    double g0 = now_s(), gc0 = cpu_s(RUSAGE_CHILDREN) + agent_cpu(home);
    for (size_t i = 0; i < n_sites && done < sample; i++) {
        for (int c = 0; c < 2 && done < sample; c++) {
            ts_contact_rec_t rec;
            ts_contact_defaults(&rec);
            char email[64], path[512];
            snprintf(email, sizeof email, "%s@site-%zu.test", c ? "cert" : "abuse", i);
            rec.email = email;
            rec.site_name = "site";
            ts_nmail_t *d = ts_notify_render(&cfg, &rec, NULL, 0, true, t_now);
            snprintf(path, sizeof path, "%s/body", dir);
            FILE *f = fopen(path, "w");
            if (f == NULL)
                return 1;
            /* A text of the length of the mail built for this contact (the
             * digest's frame and its items): its size matters to gpg, its
             * exact words do not. */
            fprintf(f, "%s", ts_nmail_text(d));
            for (size_t k = 0; k < n_items / n_sites; k++)
                fprintf(f,
                        "* [high] Incident %zu: scanner seen from site %zu\n  Hosts: "
                        "10.0.0.1, 10.0.0.2\n  Why you: the source address is in your "
                        "network\n  Portal: https://portal.csirt.test/#/incidents/1\n\n",
                        k, i);
            fclose(f);
            ts_nmail_free(d);
            if (smime)
                snprintf(cmd, sizeof cmd,
                         GPGSM "--sign '%s' 2>/dev/null | " GPGSM "-r %s --encrypt >/dev/null 2>&1",
                         home, path, home, fprs[(i * 2 + (size_t)c) % n_keys]);
            else
                snprintf(cmd, sizeof cmd,
                         GPG "-r %s --trust-model always --armor --sign --encrypt -o - '%s' "
                             ">/dev/null 2>&1",
                         home, fprs[(i * 2 + (size_t)c) % n_keys], path);
            if (sh(cmd, NULL, 0) != 0) {
                fprintf(stderr, "bench_notify: %s failed\n",
                        smime ? "gpgsm --sign | gpgsm --encrypt" : "gpg --sign --encrypt");
                return 1;
            }
            done++;
        }
    }
    double g1 = now_s(), gc1 = cpu_s(RUSAGE_CHILDREN) + agent_cpu(home);
    printf("%s, one process per mail: %zu mails in %.2f s = %.1f mails/s; CPU "
           "per mail %.2f ms\n",
           smime ? "gpgsm --sign | gpgsm --encrypt" : "gpg --sign --encrypt", done, g1 - g0,
           (double)done / (g1 - g0), 1000 * (gc1 - gc0) / (double)done);
    printf("tocsin / gpg: %.2fx the mails per second, %.2fx the CPU per mail\n",
           ((double)stats.mails / (t2 - t1)) / ((double)done / (g1 - g0)),
           (((cpu1 - cpu0) + (ch1 - ch0)) / (double)stats.mails) / ((gc1 - gc0) / (double)done));
    ts_pgp_close(pgp);
    ts_smime_close(sm);
    ts_tpl_set_free(tpl);
    ts_store_close(st);
    for (size_t k = 0; k < n_keys; k++)
        free(smime ? certs[k] : keys[k]);
    free(site);
    return 0;
}
