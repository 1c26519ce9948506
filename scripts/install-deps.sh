#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Installs the Debian 12 packages tocsin needs to build, test, package and run
# its demo (systemd-analyze checks the units, groff the man pages, dpkg-dev and
# file build the .deb, debootstrap makes the clean root it is installed into).
# Idempotent: does nothing when everything is present. Must run as root (or
# with sudo available) on a fresh machine.
set -eu

PKGS="build-essential cmake ninja-build pkg-config libjson-c-dev libsqlite3-dev
libcmocka-dev sqlite3 clang libclang-rt-14-dev nfdump
libmicrohttpd-dev libgnutls28-dev gnutls-bin libcurl4-gnutls-dev libgpgme-dev gnupg
curl nginx chromium libnss3-tools nodejs jq python3
systemd groff-base dpkg-dev file debootstrap
postgresql-15 libpq-dev nats-server libnats-dev libxml2-dev libxml2-utils"

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
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
