/* SPDX-License-Identifier: Apache-2.0 */
/* The UDP probes: for each service CSIRTs warn about, a datagram that asks
 * for an answer, written from the protocol's specification:
 *
 *   53    DNS        a CHAOS TXT query for version.bind, recursion desired (RFC 1035)
 *   123   NTP        a mode 3 client request (RFC 5905); then mode 6 READVAR
 *   161   SNMP       v2c GetRequest, community "public": sysDescr.0, sysObjectID.0
 *   389   CLDAP      a search of the root DSE (RFC 4511 over UDP, RFC 1798)
 *   1900  SSDP       M-SEARCH ssdp:all (UPnP Device Architecture 1.1)
 *   5353  mDNS       a unicast query for _services._dns-sd._udp.local (RFC 6762/6763)
 *   11211 memcached  "version" in the UDP frame (memcached protocol.txt)
 *   19    chargen    one byte (RFC 864)
 *   17    QOTD       one byte (RFC 865)
 *
 * Answers are read by ts_svc_recognise_udp() (scan/service.h). */
#pragma once
#include <stddef.h>
#include <stdint.h>

typedef struct ts_udp_probe {
    uint16_t port;
    const char *service;
    const uint8_t *payload;
    size_t len;
} ts_udp_probe_t;

/* The probe for a port, or NULL. */
const ts_udp_probe_t *ts_udp_probe_for(uint16_t port);
/* The ports that have a probe, ascending; *n receives their number. */
const uint16_t *ts_udp_ports(size_t *n /* OUT */);
/* NTP mode 6 READVAR of the system variables (the server's version string). */
extern const uint8_t ts_udp_ntp_readvar[12];
