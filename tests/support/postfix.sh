#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# A private Postfix instance for the notification tests.
#   start DIR DOMAIN...   config, queue and mailboxes under DIR, smtpd on
#                         127.0.0.1 on a free port (written to DIR/port), the
#                         mail log in DIR/maillog; it delivers to Maildirs
#                         DIR/mail/DOMAIN/USER/ for the users listed in
#                         DIR/etc/users (one address a line, added with
#                         `adduser DIR ADDR`), refuses other recipients with
#                         550 5.1.1, and answers 450 for those in
#                         DIR/etc/defer (`defer DIR ADDR`). STARTTLS with a
#                         certificate of its own (DIR/tls/cert.pem, also the CA
#                         a client trusts).
#   adduser DIR ADDR | defer DIR ADDR   then reload
#   stop DIR              stop it (the directory stays for the test to read)
# Needs root (Postfix's master runs as root and its daemons as the system
# user postfix that the package creates). No fixed port, no global path: the
# system's /etc/postfix is not used and no system MTA is started.
set -euo pipefail
cmd=${1:?start|stop|adduser|defer}
dir=${2:?directory}
pf() { postfix -c "$dir/etc" "$@"; }

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

case "$cmd" in
start)
    shift 2
    mkdir -p "$dir/etc" "$dir/queue" "$dir/data" "$dir/mail" "$dir/tls"
    dir=$(cd "$dir" && pwd)
    port=$(free_port)
    : >"$dir/etc/users"
    : >"$dir/etc/defer"
    printf '%s\n' "$@" >"$dir/domains"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
        -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
        -keyout "$dir/tls/key.pem" -out "$dir/tls/cert.pem" 2>/dev/null
    cat >"$dir/etc/main.cf" <<CF
compatibility_level = 3.6
queue_directory = $dir/queue
data_directory = $dir/data
mail_owner = postfix
setgid_group = postdrop
myhostname = relay.localhost.test
mydomain = localhost.test
myorigin = \$myhostname
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtputf8_enable = no
biff = no
maillog_file = $dir/maillog
maillog_file_prefixes = $dir
default_transport = error:outbound mail is off in this test relay
relay_transport = error:outbound mail is off in this test relay
virtual_mailbox_domains = $(tr '\n' ' ' <"$dir/domains")
virtual_mailbox_base = $dir/mail
virtual_mailbox_maps = texthash:$dir/etc/vmailbox
virtual_uid_maps = static:$(id -u postfix)
virtual_gid_maps = static:$(id -g postfix)
smtpd_recipient_restrictions = check_recipient_access texthash:$dir/etc/defer, permit_mynetworks, reject
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_tls_security_level = may
smtpd_tls_cert_file = $dir/tls/cert.pem
smtpd_tls_key_file = $dir/tls/key.pem
message_size_limit = 20480000
CF
    # The stock master.cf, with smtpd on our port instead of 25 and the log
    # service for maillog_file.
    sed -e "s/^smtp      inet.*/127.0.0.1:$port inet n - n - - smtpd/" /etc/postfix/master.cf \
        >"$dir/etc/master.cf"
    grep -q '^postlog' "$dir/etc/master.cf" ||
        echo 'postlog   unix-dgram n  -       n       -       1       postlogd' >>"$dir/etc/master.cf"
    : >"$dir/etc/vmailbox"
    chown -R postfix:postfix "$dir/mail" "$dir/data"
    chmod 755 "$dir" "$dir/etc"
    # Postfix says why it refuses to start on a terminal or in syslog only:
    # give it a terminal, so that a failure explains itself here.
    if ! script -qec "postfix -c '$dir/etc' start" /dev/null >"$dir/start.log" 2>&1; then
        cat "$dir/start.log" >&2
        exit 1
    fi
    echo "$port" >"$dir/port"
    for _ in $(seq 100); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then exit 0; fi
        sleep 0.1
    done
    echo "postfix: smtpd did not come up on port $port" >&2
    exit 1
    ;;
adduser)
    addr=${3:?address}
    echo "$addr ${addr#*@}/${addr%@*}/" >>"$dir/etc/vmailbox"
    pf reload >/dev/null 2>&1
    ;;
defer)
    addr=${3:?address}
    echo "$addr 450 4.2.1 mailbox busy, try again later" >>"$dir/etc/defer"
    pf reload >/dev/null 2>&1
    ;;
stop)
    if [ -f "$dir/etc/main.cf" ]; then pf stop >/dev/null 2>&1 || true; fi
    ;;
*)
    echo "usage: postfix.sh start|stop|adduser|defer DIR ..." >&2
    exit 2
    ;;
esac
