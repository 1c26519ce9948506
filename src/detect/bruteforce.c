/* SPDX-License-Identifier: Apache-2.0 */
/* Brute force against login services from flows (after SSHCure, Hellemons
 * et al. 2012, Hofstede et al. 2014).
 *
 * A login attempt is a TCP flow to a watched service port whose handshake
 * completed (ACK seen, or no flags exported) and which stayed short: 3 to
 * bf_max_packets packets. SYN-only probes belong to the scan detector, and
 * long sessions are what a legitimate user (or a successful login) produces.
 * Per (source, destination, port) and window, bf_min_flows attempts raise a
 * brute-force event; longer sessions between the same hosts in that window are
 * reported as detect.long_flows, SSHCure's hint of a possible compromise. */
#include <stdio.h>
#include <string.h>

#include "detect/detect_int.h"

static const char *service_name(uint16_t port)
{
    switch (port) {
    case 21:
        return "ftp";
    case 22:
        return "ssh";
    case 23:
        return "telnet";
    case 110:
        return "pop3";
    case 143:
        return "imap";
    case 445:
        return "smb";
    case 1433:
        return "mssql";
    case 3306:
        return "mysql";
    case 3389:
        return "rdp";
    case 5432:
        return "postgresql";
    case 5900:
        return "vnc";
    default:
        return NULL;
    }
}

static void make_key(bf_key_t *k, const ts_flow_t *f)
{
    memset(k, 0, sizeof *k);
    k->sfam = f->src.family;
    k->dfam = f->dst.family;
    k->port = f->dst_port;
    memcpy(k->src, f->src.bytes, 16);
    memcpy(k->dst, f->dst.bytes, 16);
}

static uint64_t key_hash(const ts_flow_t *f)
{
    return ts_mix64(ts_det_hash_ip(&f->src, f->dst_port) ^ ts_det_hash_ip(&f->dst, 0x5bd1e995));
}

uint64_t ts_bf_entry_hash(const void *entry)
{
    const bf_entry_t *e = entry;
    ts_ip_t s, d;
    memset(&s, 0, sizeof s);
    memset(&d, 0, sizeof d);
    s.family = e->key.sfam;
    d.family = e->key.dfam;
    memcpy(s.bytes, e->key.src, 16);
    memcpy(d.bytes, e->key.dst, 16);
    return ts_mix64(ts_det_hash_ip(&s, e->key.port) ^ ts_det_hash_ip(&d, 0x5bd1e995));
}

void ts_bf_flow(ts_detector_t *d, const ts_flow_t *f, int64_t t)
{
    if (f->proto != TS_PROTO_TCP || !(d->bf_ports[f->dst_port >> 3] & (1u << (f->dst_port & 7))))
        return;
    /* The server's side of a session has the service as its source port. */
    if (f->src_port == f->dst_port)
        return;
    uint8_t fl = f->tcp_flags;
    bool handshake = fl == 0 || (fl & TS_TCP_ACK);
    if (!handshake || ((fl & TS_TCP_RST) && !(fl & TS_TCP_SYN)) || f->packets < 3)
        return;
    bf_key_t key;
    make_key(&key, f);
    uint64_t h = key_hash(f);
    bf_entry_t *e;
    if (f->packets > d->cfg.bf_max_packets) {
        e = ts_dtable_find(&d->bf, &key, h, NULL);
        if (e && e->long_flows != UINT32_MAX)
            e->long_flows++;
        return;
    }
    bool created;
    size_t slot;
    e = ts_dtable_get(&d->bf, &key, h, &created, &slot, NULL, NULL);
    if (created)
        e->first_ms = e->last_ms = t;
    ts_dtable_bump(&d->bf, &e->h, slot);
    if (e->attempts != UINT32_MAX)
        e->attempts++;
    e->packets += f->packets;
    e->bytes += f->bytes;
    if (t < e->first_ms)
        e->first_ms = t;
    if (t > e->last_ms)
        e->last_ms = t;
}

static void report(ts_detector_t *d, const bf_entry_t *e, int64_t wend, ts_arena_t *a,
                   ts_detection_cb cb, void *ctx)
{
    ts_event_t ev;
    ts_det_event_base(d, &ev, "bruteforce", d->win_start, wend, a);
    ev.type = d->t_bruteforce;
    ev.count = e->attempts;
    ev.src.ip.family = e->key.sfam;
    memcpy(ev.src.ip.bytes, e->key.src, 16);
    ev.dst.ip.family = e->key.dfam;
    memcpy(ev.dst.ip.bytes, e->key.dst, 16);
    ev.dst.port = e->key.port;
    ev.transport = TS_STR_LIT("tcp");
    const char *svc = service_name(e->key.port);
    if (svc) {
        ev.application = ts_str_c(svc);
        ev.identifier = ts_det_printf(a, "flow-bruteforce-%s", svc);
    } else {
        ev.identifier = ts_det_printf(a, "flow-bruteforce-%u", (unsigned)e->key.port);
    }
    ev.description = ts_det_printf(a, "brute force: %u short sessions to %s port %u",
                                   (unsigned)e->attempts, svc ? svc : "tcp", (unsigned)e->key.port);
    ts_det_extra_u64(&ev, a, "detect.flows", e->attempts);
    ts_det_extra_u64(&ev, a, "detect.packets", e->packets);
    ts_det_extra_u64(&ev, a, "detect.bytes", e->bytes);
    ts_det_extra_u64(&ev, a, "detect.distinct_targets", 1);
    ts_det_extra_u64(&ev, a, "detect.long_flows", e->long_flows);
    ts_det_extra_str(&ev, a, "detect.protocol", "tcp");
    ts_det_report(d, &ev, cb, ctx);
}

void ts_bf_close(ts_detector_t *d, int64_t wend, ts_arena_t *a, ts_detection_cb cb, void *ctx)
{
    size_t n = ts_dtable_slots(&d->bf);
    for (size_t i = 0; i < n; i++) {
        bf_entry_t *e = ts_dtable_at(&d->bf, i);
        if (!e)
            continue;
        if (e->attempts >= d->cfg.bf_min_flows)
            report(d, e, wend, a, cb, ctx);
        ts_dtable_remove_at(&d->bf, i);
    }
}
