/* SPDX-License-Identifier: Apache-2.0 */
#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>

struct errdesc {
    int code;
    const char *name;
    const char *msg;
};

static const struct errdesc errors[] = {
    {TS_OK, "ok", "success"},
    {TS_ENOMEM, "nomem", "out of memory"},
    {TS_EINVAL, "invalid", "invalid argument or malformed input"},
    {TS_ERANGE, "range", "value out of range"},
    {TS_ENOENT, "notfound", "no such object"},
    {TS_EEXIST, "exists", "object already exists"},
    {TS_ECONFLICT, "conflict", "claimed by another owner"},
    {TS_EIO, "io", "input/output error"},
    {TS_ETOOBIG, "too-big", "input exceeds the size limit"},
    {TS_ETRUNC, "truncated", "input ended early"},
    {TS_ESYNTAX, "syntax", "syntax error"},
    {TS_EUTF8, "utf8", "invalid UTF-8"},
    {TS_ETYPE, "type", "field has the wrong type"},
    {TS_EMISSING, "missing", "mandatory field missing"},
    {TS_EDB, "db", "database error"},
    {TS_EBUSY, "busy", "resource busy"},
    {TS_ESCHEMA, "schema", "database schema is newer than this program"},
    {TS_EAGAIN, "again", "no data available yet"},
    {TS_EINTR, "interrupted", "interrupted"},
    {TS_ENOTSUP, "unsupported", "not supported"},
    {TS_EADDR, "address", "invalid IP address or prefix"},
    {TS_ECYCLE, "cycle", "parent chain would form a cycle"},
    {TS_EDENIED, "denied", "access refused"},
    {TS_ECRYPTO, "crypto", "cryptographic operation failed"},
    {TS_EBADSIG, "bad-signature", "signature or digest does not verify"},
    {TS_ENET, "network", "network transfer failed"},
    {TS_EDEPTH, "depth", "structure nested too deep"},
};

static const struct errdesc *find(int err)
{
    for (unsigned i = 0; i < sizeof errors / sizeof errors[0]; i++)
        if (errors[i].code == err)
            return &errors[i];
    return 0;
}

const char *ts_strerror(int err)
{
    const struct errdesc *d = find(err);
    return d ? d->msg : "unknown error";
}

const char *ts_errname(int err)
{
    const struct errdesc *d = find(err);
    return d ? d->name : "unknown";
}

void ts_seterr(char *err, size_t errsize, const char *fmt, ...)
{
    if (err == NULL || errsize == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errsize, fmt, ap);
    va_end(ap);
}
