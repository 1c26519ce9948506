/* SPDX-License-Identifier: Apache-2.0 */
/* Inside the bus: the operations a transport provides (local.c, nats.c). */
#pragma once
#include "bus/bus.h"

struct ts_bus_ops {
    const char *name;
    int (*publish)(ts_bus_t *bus, const ts_batch_t *batch);
    int (*consume)(ts_bus_t *bus, ts_store_t *st, volatile sig_atomic_t *stop,
                   ts_bus_stats_t *stats);
    int (*health)(ts_bus_t *bus, ts_bus_health_t *h);
    int (*heartbeat)(ts_bus_t *bus, const char *role);
    void (*close)(ts_bus_t *bus);
};

struct ts_bus {
    const struct ts_bus_ops *ops;
};
