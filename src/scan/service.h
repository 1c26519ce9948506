/* SPDX-License-Identifier: Apache-2.0 */
/* What listens on an open port, as the probes make it out: the service,
 * the product and version where the service says them, the Shadowserver-style
 * identifier of its exposure, and for TLS the certificate.
 *
 * Every text field is clean: at most its array's size, valid UTF-8, and no
 * control character (a byte that is not printable text is written \xNN), so
 * that it is safe in a terminal, a log line, JSON and, once escaped as any
 * text, HTML. A hostile banner (binary, 1 MiB, terminal escapes, markup)
 * comes out bounded and inert.
 *
 * The recognisers are pure functions of their input bytes (tested and
 * fuzzed); the probes that fetch those bytes are in scan/probe.h. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define TS_SVC_NAME_MAX 24
#define TS_SVC_PRODUCT_MAX 96 /* "vendor:product", as a platform spec reads it */
#define TS_SVC_VERSION_MAX 64
#define TS_SVC_INFO_MAX 256
#define TS_SVC_ID_MAX 40
#define TS_SVC_BANNER_MAX 512
#define TS_SVC_DN_MAX 256

/* TLS protocol versions, as bits of ts_tls_info_t.versions. */
enum {
    TS_TLS_1_0 = 1,
    TS_TLS_1_1 = 2,
    TS_TLS_1_2 = 4,
    TS_TLS_1_3 = 8,
};

typedef struct ts_tls_info {
    bool present; /* a TLS handshake succeeded */
    char subject[TS_SVC_DN_MAX];
    char issuer[TS_SVC_DN_MAX];
    char sans[TS_SVC_DN_MAX]; /* subject alternative names, comma-separated */
    int64_t not_before;       /* us since the epoch; 0 unknown */
    int64_t not_after;
    bool self_signed;    /* issued by its own key */
    uint8_t versions;    /* TS_TLS_* the server accepted */
    uint8_t tested;      /* TS_TLS_* tried (a version this build cannot offer is untested) */
    char negotiated[16]; /* "TLS1.3" */
} ts_tls_info_t;

typedef struct ts_service {
    char service[TS_SVC_NAME_MAX];    /* "ssh", "http", "dns", ...; "" unknown */
    char product[TS_SVC_PRODUCT_MAX]; /* "openbsd:openssh"; "" unknown */
    char version[TS_SVC_VERSION_MAX]; /* "9.2p1"; "" unknown */
    char info[TS_SVC_INFO_MAX];       /* more that the banner says ("Debian-2+deb12u3") */
    char identifier[TS_SVC_ID_MAX];   /* "accessible-ssh", "open-redis", ... */
    char title[TS_SVC_INFO_MAX];      /* an HTML page's title */
    char banner[TS_SVC_BANNER_MAX];   /* the first bytes received, clean */
    bool recursion;                   /* DNS: the server offers recursion */
    bool amplifier;                   /* UDP: answers more than it was asked */
    ts_tls_info_t tls;
} ts_service_t;

/* Appends the bytes (p, n) clean to out (size bytes, NUL-terminated, whose
 * current text is kept): printable ASCII and well-formed UTF-8 other than
 * controls are kept, anything else becomes \xNN per byte; cut at a
 * character boundary so that it fits. */
void ts_svc_clean(char *out, size_t size, const uint8_t *p, size_t n);

/* The version that starts s (a digit, then [0-9A-Za-z.+~_-], without a
 * trailing '.', '-' or '_'), cut to size; "" when s starts with no digit. */
void ts_svc_version_at(const char *s, char *out, size_t size);

/* Recognises a TCP answer: a greeting read after connecting (sent NULL) or
 * the answer to one of the probes (scan/probe.h). port is a hint when the
 * bytes say too little. Fills what it recognises; returns true when it
 * named the service. Never reads past n. */
bool ts_svc_recognise(uint16_t port, const uint8_t *p, size_t n, ts_service_t *out);

/* A UDP answer from port (the probe of scan/udp.h was sent to it). */
bool ts_svc_recognise_udp(uint16_t port, const uint8_t *p, size_t n, ts_service_t *out);

/* The HTTP response head and body in (p, n): the Server header turned into
 * a product and version, and the page title. */
void ts_svc_http(const uint8_t *p, size_t n, ts_service_t *out);

/* Sets the Shadowserver-style identifier from the service (and for DNS the
 * recursion, for TLS-wrapped HTTP "https"): "accessible-ssh", "open-rdp",
 * "accessible-smb", "open-redis", "dns-open-resolver", ... */
void ts_svc_classify(ts_service_t *s);

/* True when the identifier names an exposure CSIRTs warn about by itself
 * (a database, cache, amplifier or remote desktop reachable by anyone),
 * rather than a service that is simply open. *amplifier tells whether it is
 * a UDP amplifier (an RSIT ddos-amplifier rather than
 * potentially-unwanted-accessible). */
bool ts_svc_exposed(const char *identifier, bool *amplifier /* OUT */);
