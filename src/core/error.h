/* SPDX-License-Identifier: Apache-2.0 */
/* One error convention for all of tocsin: functions return 0 on success or a
 * negative ts_err code, and ts_strerror() turns a code into a message. */
#pragma once
#include <stddef.h>

#define TS_MUSTCHECK __attribute__((warn_unused_result))
#define TS_UNUSED __attribute__((unused))
#define TS_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))

enum ts_err {
    TS_OK = 0,
    TS_ENOMEM = -1,    /* allocation failed */
    TS_EINVAL = -2,    /* invalid argument or malformed input */
    TS_ERANGE = -3,    /* value out of range */
    TS_ENOENT = -4,    /* no such object */
    TS_EEXIST = -5,    /* object already exists */
    TS_ECONFLICT = -6, /* claim conflicts with another owner */
    TS_EIO = -7,       /* input/output error, see errno/log */
    TS_ETOOBIG = -8,   /* input exceeds a size bound */
    TS_ETRUNC = -9,    /* input ended early */
    TS_ESYNTAX = -10,  /* syntax error in structured input */
    TS_EUTF8 = -11,    /* invalid UTF-8 */
    TS_ETYPE = -12,    /* field present with the wrong type */
    TS_EMISSING = -13, /* mandatory field missing */
    TS_EDB = -14,      /* database error, see log */
    TS_EBUSY = -15,    /* resource busy (locked database, running ingest) */
    TS_ESCHEMA = -16,  /* database schema newer than this program */
    TS_EAGAIN = -17,   /* nothing available yet, try again */
    TS_EINTR = -18,    /* interrupted by a signal */
    TS_ENOTSUP = -19,  /* not supported */
    TS_EADDR = -20,    /* invalid IP address or prefix */
    TS_ECYCLE = -21,   /* a parent chain would form a cycle */
    TS_EDENIED = -22,  /* access refused (certificate, tenant, CSRF) */
    TS_ECRYPTO = -23,  /* a cryptographic operation failed */
    TS_EBADSIG = -24,  /* a signature or digest does not verify */
    TS_ENET = -25,     /* a network transfer failed */
    TS_EDEPTH = -26,   /* structure nested too deep */
};

/* Message for a ts_err code; never NULL, static storage. */
const char *ts_strerror(int err);

/* Short stable identifier for a code ("syntax", "utf8", ...), used as the
 * quarantine reason key and in machine-readable output. */
const char *ts_errname(int err);

/* Formats a message into the caller's buffer err of errsize bytes, cut to fit
 * and NUL-terminated; nothing happens when err is NULL or errsize is 0, so
 * functions taking an optional (err, errsize) pair can call it unconditionally. */
void ts_seterr(char *err, size_t errsize, const char *fmt, ...) TS_PRINTF(3, 4);
