/* SPDX-License-Identifier: Apache-2.0 */
/* The store a test program runs against. Every store-backed test runs once
 * per backend: ctest runs it as is (SQLite) and again as <name>@postgresql
 * with TS_TEST_BACKEND=postgresql and TS_PG_URI_FILE naming the admin URI of
 * the throwaway cluster that tests/support/pg_cluster.sh started for the run. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

/* Whether this run uses PostgreSQL. */
bool tt_pg(void);
/* A fresh, empty store location into loc (size bytes): dir/name for SQLite,
 * a new database of the test cluster for PostgreSQL. \retval 0, -1. */
int tt_store_fresh(const char *dir, const char *name, char *loc, size_t size);
/* Removes what tt_store_fresh() made (the database; SQLite files go with
 * their directory). */
void tt_store_drop(const char *loc);
/* Runs one SQL statement on the store behind tocsin's back; returns the first
 * column of the first row as an integer (0 when there is no row, -1 on
 * error) and copies it as text into text (tsize bytes) when text is not NULL. */
long long tt_store_sql(const char *loc, const char *sql, char *text, size_t tsize);
/* Runs SQL statements (no result) behind tocsin's back. \retval 0, -1. */
int tt_store_exec(const char *loc, const char *sql);
/* Holds the store's write lock from another connection, as another writer
 * would (SQLite: BEGIN IMMEDIATE; PostgreSQL: the event and exporter tables
 * locked against writers, readers still served) until tt_store_unlock().
 * NULL on failure. */
typedef struct tt_lock tt_lock_t;
tt_lock_t *tt_store_lock(const char *loc);
void tt_store_unlock(tt_lock_t *l);

/* Text forms for comparing what a read gives (need store/store.h):
 * a list as "COUNT|ENTRY ENTRY..." ("-" for NULL), and an event's links as
 * "SITE/src:SHARE;SITE/dst:SHARE;..." (SHARE "-" for none). */
struct ts_targets;
struct ts_stored_event;
void tt_targets_text(const struct ts_targets *t, char *buf, size_t size);
void tt_links_text(const struct ts_stored_event *se, char *buf, size_t size);
