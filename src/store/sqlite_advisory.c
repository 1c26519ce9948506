/* SPDX-License-Identifier: Apache-2.0 */
/* SQLite: advisories, platforms and matches (placeholder until implemented). */
#include "store/advstore_int.h"
#include "store/sqlite_int.h"

const char ts_sq_migration_advisory[] = "PRAGMA user_version = 7;";

const struct ts_store_advisory_ops ts_sq_advisory_ops = {0};
