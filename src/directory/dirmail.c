/* SPDX-License-Identifier: Apache-2.0 */
/* The directory's mails (dirmail.h). */
#include "directory/dirmail.h"

#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/event.h"
#include "notify/address.h"
#include "store/notifystore.h"

int ts_dirmail_queue(ts_store_t *st, const ts_dirmail_t *m, char *msgid, char *err, size_t errsize)
{
    char domain[TS_DOMAIN_MAX + 1], from_domain[TS_DOMAIN_MAX + 1], id[TS_MIME_MSGID_MAX];
    if (m->tpl == NULL || m->to == NULL || m->from == NULL ||
        ts_addr_check(m->to, strlen(m->to), domain, err, errsize) != 0 ||
        ts_addr_check(m->from, strlen(m->from), from_domain, err, errsize) != 0)
        return TS_EINVAL;
    const char *csirt = m->from_name && *m->from_name ? m->from_name : "CSIRT";
    char date[64];
    ts_time_format_utc(m->now, date, sizeof date);
    const char *values[TS_V_COUNT_];
    memcpy(values, m->values, sizeof values);
    values[TS_V_CSIRT] = csirt;
    values[TS_V_DATE] = date;
    const ts_tpl_t *tpl = ts_tpl_get(m->tpl, m->lang ? m->lang : "en", m->kind, NULL, NULL);
    ts_buf_t subj = TS_BUF_INIT, text = TS_BUF_INIT, msg = TS_BUF_INIT;
    ts_tpl_render_subject(tpl, values, &subj);
    ts_tpl_render(tpl, values, &text);
    ts_mime_message_id(from_domain, id);
    ts_mail_t mail = {.from = m->from,
                      .from_name = csirt,
                      .to = m->to,
                      .to_name = m->to_name ? m->to_name : "",
                      .subject = subj.data ? subj.data : "",
                      .message_id = id,
                      .date = m->now,
                      .text = text.data ? text.data : ""};
    int r = ts_mime_build(&mail, m->pgp, &msg, err, errsize);
    if (r == 0) {
        ts_out_rec_t out = {.site_id = m->site_id,
                            .contact_id = m->contact_id,
                            .message_id = id,
                            .rcpt = m->to,
                            .domain = domain,
                            .subject = mail.subject,
                            .kind = m->out_kind,
                            .data = msg.data,
                            .len = msg.len};
        int64_t oid;
        r = ts_store_out_add(st, &out, &oid);
    }
    if (r == 0 && msgid)
        memcpy(msgid, id, sizeof id);
    ts_buf_free(&subj);
    ts_buf_free(&text);
    ts_buf_free(&msg);
    return r;
}
