/* SPDX-License-Identifier: Apache-2.0 */
#include "ttstore.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "store/store.h"

bool tt_pg(void)
{
    const char *b = getenv("TS_TEST_BACKEND");
    return b && strcmp(b, "postgresql") == 0;
}

/* The cluster's admin URI (to its "postgres" database), or NULL. */
static char *admin_uri(void)
{
    const char *file = getenv("TS_PG_URI_FILE");
    FILE *f = file ? fopen(file, "r") : NULL;
    if (f == NULL) {
        fprintf(stderr, "ttstore: TS_PG_URI_FILE (%s) unreadable\n", file ? file : "unset");
        return NULL;
    }
    char buf[1024];
    char *s = fgets(buf, sizeof buf, f) ? strdup(buf) : NULL;
    fclose(f);
    if (s)
        s[strcspn(s, "\r\n")] = '\0';
    return s;
}

/* The admin URI with its database replaced by db. */
static int uri_for(const char *db, char *out, size_t size)
{
    char *admin = admin_uri();
    if (admin == NULL)
        return -1;
    char *slash = strrchr(admin, '/');
    int n = slash ? snprintf(out, size, "%.*s/%s", (int)(slash - admin), admin, db) : -1;
    free(admin);
    return n > 0 && (size_t)n < size ? 0 : -1;
}

static int admin_exec(const char *sql)
{
    char *admin = admin_uri();
    if (admin == NULL)
        return -1;
    PGconn *c = PQconnectdb(admin);
    free(admin);
    int rc = -1;
    if (PQstatus(c) == CONNECTION_OK) {
        PGresult *r = PQexec(c, sql);
        rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : -1;
        if (rc)
            fprintf(stderr, "ttstore: %s: %s", sql, PQerrorMessage(c));
        PQclear(r);
    }
    PQfinish(c);
    return rc;
}

int tt_store_fresh(const char *dir, const char *name, char *loc, size_t size)
{
    if (!tt_pg()) {
        int n = snprintf(loc, size, "%s/%s", dir, name);
        return n > 0 && (size_t)n < size ? 0 : -1;
    }
    static unsigned counter;
    char db[64], sql[128];
    snprintf(db, sizeof db, "t%ld_%u_%u", (long)getpid(), ++counter, (unsigned)rand() % 100000);
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", db);
    if (admin_exec(sql) != 0)
        return -1;
    return uri_for(db, loc, size);
}

void tt_store_drop(const char *loc)
{
    if (loc == NULL || strncmp(loc, "postgresql://", 13) != 0)
        return;
    const char *db = strrchr(loc, '/');
    char sql[128];
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", db ? db + 1 : "none");
    (void)admin_exec(sql);
}

static long long sqlite_sql(const char *path, const char *sql, char *text, size_t tsize)
{
    sqlite3 *db = NULL;
    long long v = -1;
    if (sqlite3_open(path, &db) != SQLITE_OK) {
        sqlite3_close(db);
        return -1;
    }
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
        int rc = sqlite3_step(s);
        if (rc == SQLITE_ROW) {
            v = sqlite3_column_int64(s, 0);
            if (text)
                snprintf(text, tsize, "%s", (const char *)sqlite3_column_text(s, 0));
        } else if (rc == SQLITE_DONE) {
            v = 0;
        }
    }
    sqlite3_finalize(s);
    sqlite3_close(db);
    return v;
}

long long tt_store_sql(const char *loc, const char *sql, char *text, size_t tsize)
{
    if (strncmp(loc, "postgresql://", 13) != 0)
        return sqlite_sql(loc, sql, text, tsize);
    PGconn *c = PQconnectdb(loc);
    long long v = -1;
    if (PQstatus(c) == CONNECTION_OK) {
        PGresult *r = PQexec(c, sql);
        if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0) {
            v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
            if (text)
                snprintf(text, tsize, "%s", PQgetvalue(r, 0, 0));
        } else if (PQresultStatus(r) == PGRES_TUPLES_OK || PQresultStatus(r) == PGRES_COMMAND_OK) {
            v = 0;
        } else {
            fprintf(stderr, "ttstore: %s: %s", sql, PQerrorMessage(c));
        }
        PQclear(r);
    }
    PQfinish(c);
    return v;
}

int tt_store_exec(const char *loc, const char *sql)
{
    if (strncmp(loc, "postgresql://", 13) != 0) {
        sqlite3 *db = NULL;
        int rc = sqlite3_open(loc, &db);
        if (rc == SQLITE_OK)
            rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
        sqlite3_close(db);
        return rc == SQLITE_OK ? 0 : -1;
    }
    return tt_store_sql(loc, sql, NULL, 0) < 0 ? -1 : 0;
}

struct tt_lock {
    sqlite3 *sq;
    PGconn *pg;
};

tt_lock_t *tt_store_lock(const char *loc)
{
    tt_lock_t *l = calloc(1, sizeof *l);
    if (l == NULL)
        return NULL;
    if (strncmp(loc, "postgresql://", 13) != 0) {
        if (sqlite3_open(loc, &l->sq) == SQLITE_OK &&
            sqlite3_exec(l->sq, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK)
            return l;
    } else {
        l->pg = PQconnectdb(loc);
        PGresult *r = PQstatus(l->pg) == CONNECTION_OK
                          ? PQexec(l->pg, "BEGIN; LOCK TABLE events, event_links, exporters"
                                          " IN EXCLUSIVE MODE")
                          : NULL;
        bool ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
        if (!ok)
            fprintf(stderr, "ttstore: lock: %s", PQerrorMessage(l->pg));
        PQclear(r);
        if (ok)
            return l;
    }
    tt_store_unlock(l);
    return NULL;
}

void tt_store_unlock(tt_lock_t *l)
{
    if (l == NULL)
        return;
    if (l->sq) {
        sqlite3_exec(l->sq, "ROLLBACK", NULL, NULL, NULL);
        sqlite3_close(l->sq);
    }
    if (l->pg)
        PQfinish(l->pg); /* the transaction ends with the connection */
    free(l);
}

void tt_targets_text(const ts_targets_t *t, char *buf, size_t size)
{
    if (t == NULL) {
        snprintf(buf, size, "-");
        return;
    }
    ts_buf_t b = TS_BUF_INIT;
    ts_targets_format(t->list, t->n, &b);
    snprintf(buf, size, "%llu|%s", (unsigned long long)t->count, b.data ? b.data : "");
    ts_buf_free(&b);
}

void tt_links_text(const ts_stored_event_t *se, char *buf, size_t size)
{
    buf[0] = '\0';
    for (int i = 0; i < se->n_links; i++) {
        char share[128];
        tt_targets_text(se->links[i].own.n ? &se->links[i].own : NULL, share, sizeof share);
        size_t k = strlen(buf);
        snprintf(buf + k, size - k, "%s/%s:%s;", se->links[i].match.site_name,
                 se->links[i].role == TS_ROLE_SOURCE ? "src" : "dst", share);
    }
}
