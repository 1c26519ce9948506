/* SPDX-License-Identifier: Apache-2.0 */
#include "scan/scope.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

bool ts_scope_unicast(const ts_ip_t *ip)
{
    const uint8_t *b = ip->bytes;
    if (ip->family == TS_AF_INET) {
        if (b[0] == 0 || b[0] == 127 || b[0] >= 224)
            return false; /* this network, loopback, multicast, reserved, broadcast */
        return !(b[0] == 169 && b[1] == 254);
    }
    if (ip->family != TS_AF_INET6)
        return false;
    static const uint8_t zero[16];
    if (memcmp(b, zero, 15) == 0 && b[15] <= 1)
        return false; /* :: and ::1 */
    if (b[0] == 0xff || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80))
        return false; /* multicast, link-local */
    return true;
}

/* Addresses in a prefix, saturating at UINT64_MAX. */
static uint64_t prefix_size(const ts_prefix_t *p)
{
    unsigned bits = (p->addr.family == TS_AF_INET ? 32u : 128u) - p->len;
    return bits >= 64 ? UINT64_MAX : (uint64_t)1 << bits;
}

/* The i-th address of p (i below prefix_size). */
static ts_ip_t nth(const ts_prefix_t *p, uint64_t i)
{
    ts_ip_t ip = p->addr;
    int last = ip.family == TS_AF_INET ? 3 : 15;
    for (int k = last; k >= 0 && i; k--) {
        uint64_t sum = ip.bytes[k] + (i & 0xff);
        ip.bytes[k] = (uint8_t)sum;
        i = (i >> 8) + (sum >> 8);
    }
    return ip;
}

static void refuse(ts_scope_t *out, const char *target, const char *why, const ts_ip_t *ip)
{
    char a[TS_IP_STRLEN];
    ts_ip_format(ip, a, sizeof a);
    out->refused = ts_xrealloc(out->refused, (out->n_refused + 1) * sizeof *out->refused);
    ts_scope_refusal_t *r = &out->refused[out->n_refused++];
    snprintf(r->target, sizeof r->target, "%s", target);
    snprintf(r->reason, sizeof r->reason, "%s %s", a, why);
}

static int cmp_ip(const void *a, const void *b)
{
    return ts_ip_compare(a, b);
}

/* Why ip may not be scanned by the requester (what follows the address in
 * the reason); NULL when it may. */
static const char *why_not(ts_constituency_t *c, int64_t site_id, bool csirt, const ts_ip_t *ip)
{
    if (!ts_scope_unicast(ip))
        return "is not a unicast address";
    ts_match_t m;
    if (ts_constituency_lookup_ip(c, ip, &m) != 0)
        return "is not in the constituency";
    if (!csirt && !ts_constituency_is_ancestor(c, site_id, m.site_id))
        return "is outside the site's address space";
    return NULL;
}

int ts_scope_check(ts_constituency_t *c, const ts_scan_settings_t *settings, int64_t site_id,
                   bool csirt, const char *const *targets, size_t n_targets, ts_scope_t *out,
                   char *err, size_t errsize)
{
    memset(out, 0, sizeof *out);
    if (n_targets == 0) {
        ts_seterr(err, errsize, "no target given");
        return TS_EINVAL;
    }
    if (n_targets > TS_SCOPE_TARGETS_MAX) {
        ts_seterr(err, errsize, "more than %d targets", TS_SCOPE_TARGETS_MAX);
        return TS_EINVAL;
    }
    ts_prefix_t *nets = ts_xmalloc(n_targets * sizeof *nets);
    uint64_t total = 0;
    uint32_t max = ts_scan_settings_max_addresses(settings);
    for (size_t i = 0; i < n_targets; i++) {
        const char *t = targets[i];
        if (ts_prefix_parse(t, strlen(t), &nets[i]) != 0) {
            ts_seterr(err, errsize, "'%.64s' is not an address or a prefix (host bits must be 0)",
                      t);
            free(nets);
            return TS_EINVAL;
        }
        uint64_t n = prefix_size(&nets[i]);
        total = n > UINT64_MAX - total ? UINT64_MAX : total + n;
    }
    if (total > max) {
        ts_seterr(err, errsize, "the targets hold more than %u addresses (the most in one scan)",
                  max);
        free(nets);
        return TS_ETOOBIG;
    }
    out->addrs = ts_xmalloc((size_t)total * sizeof *out->addrs);
    for (size_t i = 0; i < n_targets; i++) {
        uint64_t n = prefix_size(&nets[i]);
        for (uint64_t k = 0; k < n; k++) {
            ts_ip_t ip = nth(&nets[i], k);
            const char *why = why_not(c, site_id, csirt, &ip);
            if (why) {
                refuse(out, targets[i], why, &ip);
                break; /* the first address outside says enough */
            }
            if (ts_scan_settings_opted_out(settings, &ip))
                out->n_opted_out++;
            else
                out->addrs[out->n_addrs++] = ip;
        }
    }
    free(nets);
    if (out->n_refused) {
        free(out->addrs);
        out->addrs = NULL;
        out->n_addrs = 0;
        out->n_opted_out = 0;
        return TS_EDENIED;
    }
    qsort(out->addrs, out->n_addrs, sizeof *out->addrs, cmp_ip);
    size_t w = 0;
    for (size_t i = 0; i < out->n_addrs; i++)
        if (w == 0 || !ts_ip_equal(&out->addrs[w - 1], &out->addrs[i]))
            out->addrs[w++] = out->addrs[i];
    out->n_addrs = w;
    return 0;
}

void ts_scope_free(ts_scope_t *s)
{
    if (s == NULL)
        return;
    free(s->addrs);
    free(s->refused);
    memset(s, 0, sizeof *s);
}
