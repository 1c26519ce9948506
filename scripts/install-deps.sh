#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Installs the Debian 12 packages tocsin needs to build, test, package and run
# its demo (systemd-analyze checks the units, groff the man pages, dpkg-dev and
# file build the .deb, debootstrap makes the clean root it is installed into,
# postfix is the relay of the notification tests).
# The servers the tests start themselves (PostgreSQL and nats-server for the
# store and bus tests; openssh-server, nginx, dnsmasq-base, ntpsec, snmpd,
# redis-server and memcached in the scan tests' network namespaces) and nmap,
# the scan benchmark's yardstick, are installed without starting or enabling
# their services on the host.
# Idempotent: does nothing when everything is present. Must run as root (or
# with sudo available) on a fresh machine.
set -eu

PKGS="build-essential cmake ninja-build pkg-config libjson-c-dev libsqlite3-dev
libcmocka-dev sqlite3 clang libclang-rt-14-dev nfdump
libmicrohttpd-dev libgnutls28-dev gnutls-bin libcurl4-gnutls-dev libgpgme-dev gnupg
curl nginx chromium libnss3-tools nodejs jq python3
systemd groff-base dpkg-dev file debootstrap
postgresql-15 libpq-dev nats-server libnats-dev libxml2-dev libxml2-utils
openssh-server dnsmasq-base ntpsec snmpd redis-server memcached nmap
postfix gpgsm libidn2-dev faketime unbound bind9-dnsutils"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

# Debian's nodejs comes without npm (NodeSource's bundles it): ask for the
# package only when no npm is on the PATH.
if ! command -v npm >/dev/null 2>&1; then
    missing="$missing npm"
fi

if [ -z "$missing" ]; then
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
echo "tocsin: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# Postfix is for the notification tests, which start their own instance on
# loopback: the package must not configure (or start) a system MTA.
case " $missing " in *" postfix "*)
    echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections ;;
esac
$SUDO apt-get update -qq
# A policy that refuses every start keeps the servers installed here from
# running on the host (the tests start their own); removed again afterwards
# unless the machine had one before.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
    trap '$SUDO rm -f "$policy"' EXIT
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
    $SUDO chmod 755 "$policy"
fi
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
# The servers just installed are not enabled either: a host that boots with
# systemd does not start them (one that had them before keeps its choice).
for p in $missing; do
    case $p in
    openssh-server) unit=ssh ;;
    postgresql-15) unit=postgresql ;;
    ntpsec | snmpd | redis-server | memcached | nats-server | postfix) unit=$p ;;
    *) continue ;;
    esac
    if [ -e "/lib/systemd/system/$unit.service" ] && command -v systemctl >/dev/null 2>&1; then
        $SUDO systemctl disable "$unit" >/dev/null 2>&1 || true
    fi
done
