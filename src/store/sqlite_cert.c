/* SPDX-License-Identifier: Apache-2.0 */
/* SQLite: the certificate registry (placeholder until implemented). */
#include "store/certreg_int.h"
#include "store/sqlite_int.h"

const char ts_sq_migration_certs[] = "PRAGMA user_version = 5;";

const struct ts_store_cert_ops ts_sq_cert_ops = {0};
