/* SPDX-License-Identifier: Apache-2.0 */
#include "incident/priority.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define HOSTS_FULL_LOG2 10.0   /* 1024 hosts */
#define REPEATS_FULL_LOG10 4.0 /* 10,000 observations */
#define DURATION_FULL ((int64_t)7 * TS_DAY_US)

static double clamp01(double v)
{
    return v < 0 ? 0 : v > 1 ? 1 : v;
}

/* Contributions are shown with one decimal: the score is their sum as shown,
 * so that a reader can add them up. */
static int32_t tenths(double v)
{
    return (int32_t)lround(v * 10.0);
}

static double factor_value(ts_factor_t f, const ts_incconf_t *c, const ts_prio_in_t *in)
{
    switch (f) {
    case TS_F_SOURCE:
        return in->role == TS_ROLE_SOURCE;
    case TS_F_HOSTS: {
        uint64_t n = in->own_hosts > in->peers ? in->own_hosts : in->peers;
        return n > 1 ? clamp01(log2((double)n) / HOSTS_FULL_LOG2) : 0;
    }
    case TS_F_REPEATS:
        return in->count > 1 ? clamp01(log10((double)in->count) / REPEATS_FULL_LOG10) : 0;
    case TS_F_DURATION:
        return in->last_seen > in->first_seen
                   ? clamp01((double)(in->last_seen - in->first_seen) / (double)DURATION_FULL)
                   : 0;
    case TS_F_TYPE:
        return in->type < TS_RSIT_TYPES ? clamp01(c->severity[in->type]) : 0;
    case TS_F_CRITICAL:
        return in->critical;
    case TS_F_ADVISORY:
        return in->advisory;
    case TS_F_TLP:
        return (unsigned)in->tlp < TS_TLP_LEVELS ? clamp01(c->tlp[in->tlp]) : 0;
    default:
        return 0;
    }
}

void ts_priority(const ts_incconf_t *c, const ts_prio_in_t *in, ts_prio_t *out)
{
    memset(out, 0, sizeof *out);
    if (in->suppressed)
        return;
    for (int f = 0; f < TS_F_COUNT_; f++) {
        out->points[f] = tenths(c->weight[f] * factor_value((ts_factor_t)f, c, in));
        out->score += out->points[f];
    }
}

static void span_text(int64_t us, char *buf, size_t size)
{
    if (us >= 2 * TS_DAY_US)
        snprintf(buf, size, "%" PRId64 " days", us / (int64_t)TS_DAY_US);
    else if (us >= 2 * 3600LL * 1000000)
        snprintf(buf, size, "%" PRId64 " hours", us / (int64_t)(3600LL * 1000000));
    else
        snprintf(buf, size, "%" PRId64 " minutes", us / (int64_t)(60LL * 1000000));
}

void ts_priority_why(ts_factor_t f, const ts_prio_in_t *in, const char *detail, char *buf,
                     size_t size)
{
    bool src = in->role == TS_ROLE_SOURCE;
    switch (f) {
    case TS_F_SOURCE:
        snprintf(buf, size, src ? "your host is the source" : "your host is the target");
        break;
    case TS_F_HOSTS:
        if (src)
            snprintf(buf, size,
                     "%" PRIu64 " of your hosts originating, %" PRIu64 " host%s targeted",
                     in->own_hosts, in->peers, in->peers == 1 ? "" : "s");
        else
            snprintf(buf, size, "%" PRIu64 " of your hosts targeted, by %" PRIu64 " host%s",
                     in->own_hosts, in->peers, in->peers == 1 ? "" : "s");
        break;
    case TS_F_REPEATS:
        snprintf(buf, size, "%" PRIu64 " observations", in->count);
        break;
    case TS_F_DURATION: {
        char span[32];
        span_text(in->last_seen > in->first_seen ? in->last_seen - in->first_seen : 0, span,
                  sizeof span);
        snprintf(buf, size, "seen over %s", span);
        break;
    }
    case TS_F_TYPE:
        snprintf(buf, size, "type %s", in->type < TS_RSIT_TYPES ? ts_type_name(in->type) : "?");
        break;
    case TS_F_CRITICAL:
        if (in->critical)
            snprintf(buf, size, "marked critical (%s)", detail ? detail : "");
        else
            snprintf(buf, size, "not marked critical");
        break;
    case TS_F_ADVISORY:
        if (in->advisory)
            snprintf(buf, size, "advisory for your platforms: %s", detail ? detail : "");
        else
            snprintf(buf, size, "no matched advisory");
        break;
    case TS_F_TLP: {
        const char *n = ts_tlp_name(in->tlp);
        snprintf(buf, size, n ? "TLP:%s" : "no TLP label", n);
        break;
    }
    default:
        snprintf(buf, size, "?");
        break;
    }
}
