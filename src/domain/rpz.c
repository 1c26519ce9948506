/* SPDX-License-Identifier: Apache-2.0 */
/* The RPZ file (rpz.h). Names come from the store in normalised form
 * (lower-case LDH labels), so they need no escaping in a zone file; the
 * renderer checks that again rather than trust it, since a stray character
 * in a zone file would change what the resolver loads. */
#include <string.h>

#include "core/file.h"
#include "domain/name.h"
#include "domain/rpz.h"
#include "store/domainstore.h"

/* SOA timers: a short refresh so that a secondary sees a deactivation soon. */
#define RPZ_HEAD                                                                                   \
    "$TTL 300\n"                                                                                   \
    "@ IN SOA localhost. hostmaster.localhost. %lld 300 60 604800 60\n"                            \
    "@ IN NS localhost.\n"

struct render {
    ts_buf_t *out;
    bool reported;
    int err;
};

static int on_case(const ts_domain_case_t *c, void *ctx)
{
    struct render *r = ctx;
    bool listed =
        strcmp(c->state, "deactivated") == 0 || (r->reported && !ts_domain_state_final(c->state));
    if (!listed)
        return 0;
    char norm[TS_DOMAIN_NAME_MAX + 1];
    if (ts_domain_name_norm(c->domain, norm, sizeof norm, NULL) != 0 ||
        strcmp(norm, c->domain) != 0) {
        r->err = TS_EINVAL; /* never write it; say so */
        return 0;
    }
    ts_buf_printf(r->out, "; case %lld %s %s\n%s CNAME .\n*.%s CNAME .\n", (long long)c->id,
                  c->state, c->reason, c->domain, c->domain);
    return 0;
}

int ts_rpz_render(ts_store_t *st, const ts_rpz_opts_t *o, ts_buf_t *out)
{
    const char *origin = o && o->origin ? o->origin : TS_RPZ_ORIGIN_DEFAULT;
    char norm[TS_DOMAIN_NAME_MAX + 1];
    if (out == NULL || ts_domain_name_norm(origin, norm, sizeof norm, NULL) != 0 ||
        strcmp(norm, origin) != 0)
        return TS_EINVAL;
    int max_days = 0;
    int64_t serial = 0;
    int r = ts_store_domain_settings(st, &max_days, &serial);
    if (r != 0)
        return r;
    ts_buf_printf(out, "$ORIGIN %s.\n", origin);
    ts_buf_printf(out, RPZ_HEAD, (long long)serial);
    struct render rd = {.out = out, .reported = o && o->reported};
    r = ts_store_domain_cases_foreach(st, NULL, 0, on_case, &rd);
    return r ? r : rd.err;
}

int ts_rpz_write(ts_store_t *st, const ts_rpz_opts_t *o, const char *path)
{
    if (path == NULL)
        return TS_EINVAL;
    ts_buf_t b = TS_BUF_INIT;
    int r = ts_rpz_render(st, o, &b);
    if (r == 0)
        r = ts_file_replace(path, b.data ? b.data : "", b.len, 0644);
    ts_buf_free(&b);
    return r;
}
