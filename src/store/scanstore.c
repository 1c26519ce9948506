/* SPDX-License-Identifier: Apache-2.0 */
/* The scan store: argument checks, then the backend's operations. */
#include <string.h>

#include "store/scanstore_int.h"

#define SCAN_OPS(st, op)                                                                           \
    do {                                                                                           \
        if ((st) == NULL)                                                                          \
            return TS_EINVAL;                                                                      \
        if ((st)->ops->scan == NULL || (st)->ops->scan->op == NULL)                                \
            return TS_ENOTSUP;                                                                     \
    } while (0)

static bool state_ok(const char *s)
{
    static const char *const states[] = {"queued", "running",   "done",
                                         "failed", "cancelled", "refused"};
    for (size_t i = 0; s && i < sizeof states / sizeof states[0]; i++)
        if (strcmp(s, states[i]) == 0)
            return true;
    return false;
}

int ts_store_scan_add(ts_store_t *st, const ts_scan_rec_t *rec, int64_t *id)
{
    SCAN_OPS(st, scan_add);
    if (rec == NULL || id == NULL || rec->targets == NULL || rec->ports == NULL ||
        rec->requested_by == NULL || !state_ok(rec->state) || rec->site_id < 0)
        return TS_EINVAL;
    return st->ops->scan->scan_add(st, rec, id);
}

int ts_store_scan_get(ts_store_t *st, int64_t id, ts_scan_cb cb, void *ctx)
{
    SCAN_OPS(st, scan_get);
    if (cb == NULL)
        return TS_EINVAL;
    return st->ops->scan->scan_get(st, id, cb, ctx);
}

int ts_store_scans_foreach(ts_store_t *st, int64_t site_id, size_t limit, ts_scan_cb cb, void *ctx)
{
    SCAN_OPS(st, scans_foreach);
    if (cb == NULL || site_id < 0)
        return TS_EINVAL;
    return st->ops->scan->scans_foreach(st, site_id, limit, cb, ctx);
}

int ts_store_scan_claim(ts_store_t *st, int64_t now, ts_scan_cb cb, void *ctx)
{
    SCAN_OPS(st, scan_claim);
    if (cb == NULL)
        return TS_EINVAL;
    return st->ops->scan->scan_claim(st, now, cb, ctx);
}

int ts_store_scan_progress(ts_store_t *st, int64_t id, double progress, int64_t eta_s,
                           uint64_t open_ports, bool *cancel)
{
    SCAN_OPS(st, scan_progress);
    if (cancel == NULL || !(progress >= 0 && progress <= 1))
        return TS_EINVAL;
    return st->ops->scan->scan_progress(st, id, progress, eta_s, open_ports, cancel);
}

int ts_store_scan_state(ts_store_t *st, int64_t id, const char *state, const char *reason,
                        const char *mode, uint64_t n_addresses)
{
    SCAN_OPS(st, scan_state);
    if (!state_ok(state))
        return TS_EINVAL;
    return st->ops->scan->scan_state(st, id, state, reason ? reason : "", mode, n_addresses);
}

int ts_store_scan_cancel(ts_store_t *st, int64_t id)
{
    SCAN_OPS(st, scan_cancel);
    return st->ops->scan->scan_cancel(st, id);
}

int ts_store_scan_usage(ts_store_t *st, int64_t site_id, int64_t since, uint64_t *active,
                        uint64_t *addresses)
{
    SCAN_OPS(st, scan_usage);
    if (active == NULL || addresses == NULL)
        return TS_EINVAL;
    return st->ops->scan->scan_usage(st, site_id, since, active, addresses);
}

int ts_store_scan_previous(ts_store_t *st, int64_t id, int64_t *prev)
{
    SCAN_OPS(st, scan_previous);
    if (prev == NULL)
        return TS_EINVAL;
    return st->ops->scan->scan_previous(st, id, prev);
}

int ts_store_scan_service_add(ts_store_t *st, const ts_scan_svc_rec_t *rec)
{
    SCAN_OPS(st, service_add);
    if (rec == NULL || rec->ip == NULL || rec->transport == NULL || rec->port < 0 ||
        rec->port > 65535)
        return TS_EINVAL;
    return st->ops->scan->service_add(st, rec);
}

int ts_store_scan_services_foreach(ts_store_t *st, int64_t scan_id, ts_scan_svc_cb cb, void *ctx)
{
    SCAN_OPS(st, services_foreach);
    if (cb == NULL)
        return TS_EINVAL;
    return st->ops->scan->services_foreach(st, scan_id, cb, ctx);
}

int ts_store_scan_finding_add(ts_store_t *st, const ts_scan_finding_rec_t *rec, int64_t *id)
{
    SCAN_OPS(st, finding_add);
    if (rec == NULL || rec->ip == NULL || rec->transport == NULL || rec->kind == NULL ||
        rec->identifier == NULL || rec->type == NULL || rec->detail == NULL)
        return TS_EINVAL;
    return st->ops->scan->finding_add(st, rec, id);
}

int ts_store_scan_findings_foreach(ts_store_t *st, int64_t scan_id, ts_scan_finding_cb cb,
                                   void *ctx)
{
    SCAN_OPS(st, findings_foreach);
    if (cb == NULL)
        return TS_EINVAL;
    return st->ops->scan->findings_foreach(st, scan_id, cb, ctx);
}
