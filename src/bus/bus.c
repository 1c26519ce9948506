/* SPDX-License-Identifier: Apache-2.0 */
/* Dispatch to the transport's operations. */
#include <string.h>

#include "bus/bus_int.h"

void ts_bus_opts_init(ts_bus_opts_t *o)
{
    memset(o, 0, sizeof *o);
    o->replicas = 3;
    o->publish_wait_ms = 5000;
}

void ts_bus_close(ts_bus_t *bus)
{
    if (bus)
        bus->ops->close(bus);
}

const char *ts_bus_name(const ts_bus_t *bus)
{
    return bus->ops->name;
}

int ts_bus_publish(ts_bus_t *bus, const ts_batch_t *batch)
{
    return bus->ops->publish(bus, batch);
}

int ts_bus_consume(ts_bus_t *bus, ts_store_t *st, volatile sig_atomic_t *stop,
                   ts_bus_stats_t *stats)
{
    return bus->ops->consume(bus, st, stop, stats);
}

int ts_bus_health(ts_bus_t *bus, ts_bus_health_t *h)
{
    memset(h, 0, sizeof *h);
    return bus->ops->health(bus, h);
}
