/* SPDX-License-Identifier: Apache-2.0 */
/* Recognising services from their bytes (TCP greetings and answers, UDP
 * answers), and the cleaning that makes hostile banners inert. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "scan/service.h"
#include "scan/udp.h"

static ts_service_t tcp(uint16_t port, const void *p, size_t n, bool *ok)
{
    ts_service_t s;
    memset(&s, 0, sizeof s);
    *ok = ts_svc_recognise(port, p, n, &s);
    return s;
}

#define TCP(port, lit, ok) tcp(port, lit, sizeof lit - 1, ok)

static void test_clean(void **state)
{
    (void)state;
    char out[32] = "";
    ts_svc_clean(out, sizeof out, (const uint8_t *)"a\x1b[2Jb\\c", 8);
    assert_string_equal(out, "a\\x1b[2Jb\\x5cc");
    /* Appends; cuts whole escapes and whole characters. */
    char small[10] = "ab";
    ts_svc_clean(small, sizeof small, (const uint8_t *)"\x01\x02\x03", 3);
    assert_string_equal(small, "ab\\x01");
    char u[8] = "";
    ts_svc_clean(u, sizeof u, (const uint8_t *)"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 8);
    assert_string_equal(u, "\xc3\xa9\xc3\xa9\xc3\xa9"); /* 6 bytes, not half of the 4th */
    /* Ill-formed UTF-8, C1 controls, U+2028 are escaped byte by byte. */
    char v[64] = "";
    ts_svc_clean(v, sizeof v, (const uint8_t *)"\xff\xc2\x9b\xe2\x80\xa8", 6);
    assert_string_equal(v, "\\xff\\xc2\\x9b\\xe2\\x80\\xa8");
    char z[1] = "";
    ts_svc_clean(z, sizeof z, (const uint8_t *)"abc", 3);
    assert_string_equal(z, "");
}

static void test_unknown_and_hostile(void **state)
{
    (void)state;
    bool ok;
    ts_service_t s = tcp(9999, "", 0, &ok);
    assert_false(ok);
    s = TCP(9999, "\x1b]0;pwned\x07SSH-2.0-Evil\r\n", &ok);
    assert_false(ok); /* an SSH greeting starts the line */
    assert_string_equal(s.banner, "\\x1b]0;pwned\\x07SSH-2.0-Evil\\x0d\\x0a");
    /* A 1 MiB greeting: bounded fields whatever its size. */
    size_t n = 1 << 20;
    uint8_t *big = malloc(n);
    memset(big, 'A', n);
    memcpy(big, "SSH-2.0-", 8);
    s = tcp(22, big, n, &ok);
    assert_true(ok);
    assert_true(strlen(s.banner) < TS_SVC_BANNER_MAX);
    assert_true(strlen(s.info) < TS_SVC_INFO_MAX);
    memcpy(big, "HTTP/1.1 200 OK\r\nServer: ", 25);
    s = tcp(80, big, n, &ok);
    assert_true(strlen(s.info) < TS_SVC_INFO_MAX);
    free(big);
    /* Truncated binary answers read nothing past their end. */
    s = TCP(3306,
            "\x4a\x00\x00\x00\x0a"
            "8.0",
            &ok); /* no NUL after the version */
    assert_false(ok);
    s = TCP(445, "\x00\x00\x00\x40\xfeSMB", &ok);
    assert_true(ok);
    assert_string_equal(s.service, "smb");
    assert_string_equal(s.info, "");
}

static void test_ssh(void **state)
{
    (void)state;
    bool ok;
    ts_service_t s = TCP(22, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n", &ok);
    assert_true(ok);
    assert_string_equal(s.service, "ssh");
    assert_string_equal(s.product, "openbsd:openssh");
    assert_string_equal(s.version, "9.2p1");
    assert_string_equal(s.info, "Debian-2+deb12u3");
    assert_string_equal(s.identifier, "accessible-ssh");
    s = TCP(2222, "SSH-2.0-dropbear_2022.83\r\n", &ok);
    assert_string_equal(s.product, "dropbear_ssh_project:dropbear_ssh");
    assert_string_equal(s.version, "2022.83");
    s = TCP(22, "SSH-2.0-Cisco-1.25\r\n", &ok);
    assert_true(ok);
    assert_string_equal(s.product, "");
    assert_string_equal(s.info, "Cisco-1.25");
}

static void test_mail_ftp(void **state)
{
    (void)state;
    bool ok;
    ts_service_t s = TCP(25, "220 mx.example.org ESMTP Postfix (Debian/GNU)\r\n", &ok);
    assert_string_equal(s.service, "smtp");
    assert_string_equal(s.product, "postfix:postfix");
    s = TCP(25, "220 mx ESMTP Exim 4.96 Mon, 01 Jan 2024\r\n", &ok);
    assert_string_equal(s.product, "exim:exim");
    assert_string_equal(s.version, "4.96");
    s = TCP(21, "220 (vsFTPd 3.0.3)\r\n", &ok);
    assert_string_equal(s.service, "ftp");
    assert_string_equal(s.product, "vsftpd_project:vsftpd");
    assert_string_equal(s.version, "3.0.3");
    s = TCP(21, "220 ProFTPD 1.3.8 Server (Debian) [::ffff:1.2.3.4]\r\n", &ok);
    assert_string_equal(s.product, "proftpd:proftpd");
    assert_string_equal(s.version, "1.3.8");
    s = TCP(110, "+OK Dovecot (Debian) ready.\r\n", &ok);
    assert_string_equal(s.service, "pop3");
    assert_string_equal(s.product, "dovecot:dovecot");
    s = TCP(143, "* OK [CAPABILITY IMAP4rev1] Dovecot (Debian) ready.\r\n", &ok);
    assert_string_equal(s.service, "imap");
    assert_string_equal(s.identifier, "accessible-imap");
}

static void test_http(void **state)
{
    (void)state;
    bool ok;
    ts_service_t s = TCP(80,
                         "HTTP/1.1 200 OK\r\nserver: nginx/1.22.1\r\nContent-Length: 60\r\n\r\n"
                         "<html><HEAD><Title>\n  Welcome\tto   nginx!\n</TITLE></head>",
                         &ok);
    assert_true(ok);
    assert_string_equal(s.service, "http");
    assert_string_equal(s.product, "f5:nginx");
    assert_string_equal(s.version, "1.22.1");
    assert_string_equal(s.title, "Welcome to nginx!");
    assert_string_equal(s.identifier, "accessible-http");
    s = TCP(80, "HTTP/1.1 404 Not Found\r\nServer: Apache/2.4.57 (Debian)\r\n\r\n", &ok);
    assert_string_equal(s.product, "apache:http_server");
    assert_string_equal(s.version, "2.4.57");
    assert_string_equal(s.info, "Apache/2.4.57 (Debian)");
    s = TCP(80, "HTTP/1.1 200 OK\r\nServer: <script>x</script>\r\n\r\n<title><b>hi</title>", &ok);
    assert_string_equal(s.product, "");
    assert_string_equal(s.info, "<script>x</script>"); /* kept as text: escaped where shown */
    assert_string_equal(s.title, "<b>hi");
    s = TCP(9200,
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n{\"name\" : \"n\", "
            "\"version\" : {\"number\" : \"8.11.1\"}, \"tagline\" : \"You Know, for Search\"}",
            &ok);
    assert_string_equal(s.service, "elasticsearch");
    assert_string_equal(s.product, "elastic:elasticsearch");
    assert_string_equal(s.version, "8.11.1");
    assert_string_equal(s.identifier, "open-elasticsearch");
    s = TCP(443, "\x15\x03\x01\x00\x02\x02\x46", &ok);
    assert_string_equal(s.service, "tls");
}

static void test_databases(void **state)
{
    (void)state;
    bool ok;
    ts_service_t s =
        TCP(6379, "$300\r\n# Server\r\nredis_version:7.0.15\r\nredis_git_sha1:0\r\n", &ok);
    assert_string_equal(s.service, "redis");
    assert_string_equal(s.product, "redis:redis");
    assert_string_equal(s.version, "7.0.15");
    assert_string_equal(s.identifier, "open-redis");
    s = TCP(6379, "-DENIED Redis is running in protected mode\r\n", &ok);
    assert_string_equal(s.service, "redis");
    assert_string_equal(s.version, "");
    s = TCP(11211, "VERSION 1.6.18\r\n", &ok);
    assert_string_equal(s.product, "memcached:memcached");
    assert_string_equal(s.version, "1.6.18");
    s = TCP(3306,
            "\x4a\x00\x00\x00\x0a"
            "5.5.5-10.11.4-MariaDB-1~deb12u1\x00\x01\x02",
            &ok);
    assert_string_equal(s.service, "mysql");
    assert_string_equal(s.product, "mariadb:mariadb");
    assert_string_equal(s.version, "10.11.4");
    s = TCP(3306,
            "\x4a\x00\x00\x00\x0a"
            "8.0.35\x00",
            &ok);
    assert_string_equal(s.product, "oracle:mysql");
    assert_string_equal(s.version, "8.0.35");
    static const uint8_t mongo[] = {60,   0, 0,   0,   1,   0,   0,   0,   1,   0,  0, 0,
                                    0xdd, 7, 0,   0,   0,   0,   0,   0,   0,   30, 0, 0,
                                    0,    2, 'v', 'e', 'r', 's', 'i', 'o', 'n', 0,  6, 0,
                                    0,    0, '7', '.', '0', '.', '2', 0,   0};
    s = tcp(27017, mongo, sizeof mongo, &ok);
    assert_true(ok);
    assert_string_equal(s.product, "mongodb:mongodb");
    assert_string_equal(s.version, "7.0.2");
    assert_string_equal(s.identifier, "open-mongodb");
}

static void test_windows(void **state)
{
    (void)state;
    bool ok;
    ts_service_t s = TCP(3389,
                         "\x03\x00\x00\x13\x0e\xd0\x00\x00\x12\x34\x00\x02\x1f\x08\x00\x02\x00"
                         "\x00\x00",
                         &ok);
    assert_true(ok);
    assert_string_equal(s.service, "rdp");
    assert_string_equal(s.identifier, "open-rdp");
    assert_string_equal(s.info, "selected protocol 2");
    uint8_t smb[4 + 64 + 8] = {0, 0, 0, 72, 0xfe, 'S', 'M', 'B'};
    smb[4 + 64 + 4] = 0x02;
    smb[4 + 64 + 5] = 0x03;
    s = tcp(445, smb, sizeof smb, &ok);
    assert_string_equal(s.service, "smb");
    assert_string_equal(s.identifier, "accessible-smb");
    assert_string_equal(s.info, "dialect 3.0.2");
    bool amp;
    assert_true(ts_svc_exposed("accessible-smb", &amp));
    assert_false(amp);
    assert_false(ts_svc_exposed("accessible-ssh", &amp));
    assert_true(ts_svc_exposed("dns-open-resolver", &amp));
    assert_true(amp);
}

static ts_service_t udp(uint16_t port, const void *p, size_t n, bool *ok)
{
    ts_service_t s;
    memset(&s, 0, sizeof s);
    *ok = ts_svc_recognise_udp(port, p, n, &s);
    return s;
}

static void test_udp(void **state)
{
    (void)state;
    bool ok;
    /* DNS: a version.bind answer from dnsmasq, recursion available. */
    static const uint8_t dns[] = {0x74, 0x73, 0x85, 0x80, 0,   1,   0,   1,   0,    0,   0,
                                  0,    7,    'v',  'e',  'r', 's', 'i', 'o', 'n',  4,   'b',
                                  'i',  'n',  'd',  0,    0,   16,  0,   3,   0xc0, 12,  0,
                                  16,   0,    3,    0,    0,   0,   0,   0,   13,   12,  'd',
                                  'n',  's',  'm',  'a',  's', 'q', '-', '2', '.',  '9', '0'};
    ts_service_t s = udp(53, dns, sizeof dns, &ok);
    assert_true(ok);
    assert_string_equal(s.product, "thekelleys:dnsmasq");
    assert_string_equal(s.version, "2.90");
    assert_true(s.recursion);
    assert_string_equal(s.identifier, "dns-open-resolver");
    /* A pointer to itself is not followed (names are skipped, never read);
     * a record length past the end is not trusted. */
    uint8_t evil[sizeof dns];
    memcpy(evil, dns, sizeof dns);
    evil[30] = 0xc0;
    evil[31] = 30;
    s = udp(53, evil, sizeof evil, &ok);
    assert_string_equal(s.product, "thekelleys:dnsmasq");
    evil[40] = 0xff;
    s = udp(53, evil, sizeof evil, &ok);
    assert_true(ok);
    assert_string_equal(s.product, "");
    s = udp(53, dns, 11, &ok);
    assert_false(ok);
    /* A query (QR clear) is no answer. */
    const ts_udp_probe_t *q = ts_udp_probe_for(53);
    s = udp(53, q->payload, q->len, &ok);
    assert_false(ok);

    /* NTP: a mode 4 answer, then a mode 6 READVAR answer. */
    uint8_t ntp[48] = {0x24, 2};
    s = udp(123, ntp, sizeof ntp, &ok);
    assert_string_equal(s.service, "ntp");
    assert_string_equal(s.info, "NTPv4 server, stratum 2");
    assert_string_equal(s.identifier, "open-ntp");
    const char vars[] = "version=\"ntpd ntpsec-1.2.2 2023-05-24T09:33:11Z\", leap=11";
    uint8_t m6[12 + sizeof vars] = {0x16, 0x82, 0, 1, 0, 0, 0, 0, 0, 0, 0, sizeof vars - 1};
    memcpy(m6 + 12, vars, sizeof vars - 1);
    s = udp(123, m6, 12 + sizeof vars - 1, &ok);
    assert_string_equal(s.product, "ntpsec:ntpsec");
    assert_string_equal(s.version, "1.2.2");
    assert_string_equal(s.identifier, "ntp-version");
    m6[11] = 200; /* a count past the end */
    s = udp(123, m6, 12 + sizeof vars - 1, &ok);
    assert_true(ok);

    /* SNMP: a GetResponse with sysDescr and a Net-SNMP sysObjectID. */
    static const uint8_t snmp[] = {
        0x30, 0x45, 0x02, 0x01, 0x01, 0x04, 0x06, 'p',  'u',  'b',  'l',  'i',  'c',  0xa2, 0x38,
        0x02, 0x04, 0x74, 0x6f, 0x63, 0x73, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x2a, 0x30,
        0x12, 0x06, 0x08, 0x2b, 6,    1,    2,    1,    1,    1,    0,    0x04, 0x06, 'L',  'i',
        'n',  'u',  'x',  '!',  0x30, 0x14, 0x06, 0x08, 0x2b, 6,    1,    2,    1,    1,    2,
        0,    0x06, 0x08, 0x2b, 6,    1,    4,    1,    0xbf, 0x08, 3};
    s = udp(161, snmp, sizeof snmp, &ok);
    assert_true(ok);
    assert_string_equal(s.info, "Linux!");
    assert_string_equal(s.product, "net-snmp:net-snmp");
    assert_string_equal(s.identifier, "open-snmp");
    s = udp(161, snmp, 20, &ok); /* cut short */
    assert_false(ok);

    static const char mc[] = "\x74\x73\x00\x00\x00\x01\x00\x00VERSION 1.6.18\r\n";
    s = udp(11211, mc, sizeof mc - 1, &ok);
    assert_string_equal(s.version, "1.6.18");
    static const char ssdp[] =
        "HTTP/1.1 200 OK\r\nSERVER: Linux/5.10 UPnP/1.0 MiniUPnPd/2.3.0\r\n\r\n";
    s = udp(1900, ssdp, sizeof ssdp - 1, &ok);
    assert_string_equal(s.service, "ssdp");
    assert_string_equal(s.info, "Linux/5.10 UPnP/1.0 MiniUPnPd/2.3.0");
    assert_string_equal(s.identifier, "open-ssdp");
    static const uint8_t ldap[] = {0x30, 0x0c, 0x02, 0x01, 0x01, 0x65, 0x07,
                                   0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00};
    s = udp(389, ldap, sizeof ldap, &ok);
    assert_string_equal(s.service, "cldap");
    assert_string_equal(s.identifier, "open-ldap");
    s = udp(19, "xyz", 3, &ok);
    assert_string_equal(s.identifier, "open-chargen");

    size_t n;
    const uint16_t *ports = ts_udp_ports(&n);
    for (size_t i = 0; i < n; i++) {
        const ts_udp_probe_t *p = ts_udp_probe_for(ports[i]);
        assert_non_null(p);
        assert_int_equal(p->port, ports[i]);
        assert_true(p->len > 0);
    }
    assert_null(ts_udp_probe_for(22));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clean),   cmocka_unit_test(test_unknown_and_hostile),
        cmocka_unit_test(test_ssh),     cmocka_unit_test(test_mail_ftp),
        cmocka_unit_test(test_http),    cmocka_unit_test(test_databases),
        cmocka_unit_test(test_windows), cmocka_unit_test(test_udp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
