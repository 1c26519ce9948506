/* SPDX-License-Identifier: Apache-2.0 */
/* The advisory source: one item per (site, advisory) whose match alerts and
 * changed after the watermark (the change time of its matches, in us; the
 * importer writes it). The items say what the portal's advisory page says:
 * the platform, the product entry it matched and the rule. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advisory/report.h"
#include "core/buf.h"
#include "core/mem.h"
#include "notify/item.h"

static int severity_prio(const char *sev)
{
    if (sev && strcmp(sev, "critical") == 0)
        return TS_PRIO_CRITICAL;
    if (sev && strcmp(sev, "high") == 0)
        return TS_PRIO_HIGH;
    if (sev && strcmp(sev, "medium") == 0)
        return TS_PRIO_MEDIUM;
    return TS_PRIO_LOW;
}

static int collect(ts_store_t *st, int64_t mark, int64_t now, const char *portal,
                   ts_nitem_emit_fn emit, void *ctx, int64_t *new_mark)
{
    int64_t limit = now - TS_NSOURCE_SETTLE_US;
    *new_mark = limit > mark ? limit : mark;
    ts_adv_query_t q = {0};
    ts_adv_list_t *l = NULL;
    int r = ts_adv_list_load(st, &q, &l);
    if (r)
        return r;
    ts_buf_t summary = TS_BUF_INIT, why = TS_BUF_INIT, link = TS_BUF_INIT, csv = TS_BUF_INIT;
    const char **hosts = NULL;
    size_t cap = 0;
    for (size_t g = 0; r == 0 && g < ts_adv_list_groups(l); g++) {
        size_t n;
        const ts_adv_row_t *rows = ts_adv_list_group(l, g, &n);
        int64_t pos = 0;
        for (size_t i = 0; i < n; i++)
            if (rows[i].m.changed_at > pos)
                pos = rows[i].m.changed_at;
        if (pos <= mark || pos > limit)
            continue;
        if (n > cap) {
            cap = n;
            hosts = ts_xrealloc(hosts, cap * sizeof *hosts);
        }
        size_t nh = 0;
        for (size_t i = 0; i < n; i++) {
            bool seen = false;
            for (size_t k = 0; k < nh && !seen; k++)
                seen = strcmp(hosts[k], rows[i].platform) == 0;
            if (!seen)
                hosts[nh++] = rows[i].platform;
        }
        const ts_adv_row_t *a = &rows[0];
        ts_buf_reset(&summary);
        ts_buf_reset(&why);
        ts_buf_reset(&link);
        ts_buf_reset(&csv);
        ts_nitem_one_line(&summary, a->adv.title[0] ? a->adv.title : a->adv.id, 300);
        ts_buf_printf(&summary, " (%s", a->adv.severity);
        if (a->adv.cvss >= 0)
            ts_buf_printf(&summary, ", CVSS %.1f", a->adv.cvss);
        ts_buf_putc(&summary, ')');
        ts_buf_puts(&why, "your platform ");
        ts_nitem_one_line(&why, a->platform, 200);
        ts_buf_puts(&why, " matches ");
        ts_nitem_one_line(&why, a->m.product_name, 300);
        ts_buf_puts(&why, " (");
        ts_nitem_one_line(&why, a->m.rule, 300);
        ts_buf_puts(&why, ")");
        ts_buf_printf(&link, "%s/#/advisories/", portal ? portal : "");
        ts_nitem_url_segment(&link, a->adv.id);
        ts_adv_csv_header(&csv);
        for (size_t i = 0; i < n; i++)
            ts_adv_csv_row(&csv, &rows[i]);
        char ref[257];
        snprintf(ref, sizeof ref, "%s", a->adv.id);
        for (char *c = ref; *c; c++)
            if ((unsigned char)*c < 0x20)
                *c = ' ';
        ts_nitem_t it = {
            .site_id = a->m.site_id,
            .kind = TS_NITEM_ADVISORY,
            .type = "vulnerable-system",
            .priority = severity_prio(a->adv.severity),
            .ref = ref,
            .hosts = hosts,
            .n_hosts = nh,
            .summary = summary.data,
            .why = why.data,
            .link = link.data,
            .events_csv = csv.data,
        };
        r = emit(&it, ctx);
    }
    free(hosts);
    ts_buf_free(&summary);
    ts_buf_free(&why);
    ts_buf_free(&link);
    ts_buf_free(&csv);
    ts_adv_list_free(l);
    return r;
}

const ts_nsource_t ts_nsource_advisories = {"advisories", collect};
