/* SPDX-License-Identifier: Apache-2.0 */
/* SQLite: the portal's event queries (placeholder until implemented). */
#include "store/eventq_int.h"
#include "store/sqlite_int.h"

const char ts_sq_migration_portal[] = "PRAGMA user_version = 6;";

const struct ts_store_portal_ops ts_sq_portal_ops = {0};
