/* SPDX-License-Identifier: Apache-2.0 */
/* The in-process bus: a published batch is committed to the store at once,
 * by the thread that publishes it (the ingest pipeline's writer thread), as
 * before there was a bus. The dispatch in bus.c is the only cost added. */
#include <stdlib.h>

#include "bus/bus_int.h"
#include "core/mem.h"

struct local_bus {
    ts_bus_t base;
    ts_store_t *st;
};

static int local_publish(ts_bus_t *bus, const ts_batch_t *batch)
{
    return ts_batch_store(((struct local_bus *)bus)->st, batch, false, NULL);
}

static int local_consume(ts_bus_t *bus, ts_store_t *st, volatile sig_atomic_t *stop,
                         ts_bus_stats_t *stats)
{
    return TS_ENOTSUP; /* nothing to consume: publishing stored it */
}

static int local_health(ts_bus_t *bus, ts_bus_health_t *h)
{
    return TS_ENOTSUP;
}

static int local_heartbeat(ts_bus_t *bus, const char *role)
{
    return TS_ENOTSUP;
}

static void local_close(ts_bus_t *bus)
{
    free(bus);
}

static const struct ts_bus_ops local_ops = {
    .name = "the store",
    .publish = local_publish,
    .consume = local_consume,
    .health = local_health,
    .heartbeat = local_heartbeat,
    .close = local_close,
};

ts_bus_t *ts_bus_local(ts_store_t *st)
{
    struct local_bus *b = ts_xcalloc(1, sizeof *b);
    b->base.ops = &local_ops;
    b->st = st;
    return &b->base;
}
