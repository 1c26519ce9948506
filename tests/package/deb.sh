# SPDX-License-Identifier: Apache-2.0
# The Debian package on a clean machine: CPack builds it from this build
# directory, debootstrap makes a minimal Debian 12 root, apt installs the
# package there (its dependencies from Debian), and the unit's own command
# starts in that root as the unit's user (systemd does not run as PID 1 here:
# the test reads ExecStart, Environment= and EnvironmentFile= from the
# installed unit, as systemd would, and runs ExecStart with them), then
# answers /api/v1/health over TLS with the CA the package created.
#   bash deb.sh TOCSIN_BINARY SOURCE_DIR WORK_DIR
# Needs root (chroot, mount) and Debian's mirror; skips, saying why, otherwise.
ROOTFS=$3/root
# A run that was killed may have left /proc mounted: never delete through it.
if mountpoint -q "$ROOTFS/proc" 2>/dev/null; then umount "$ROOTFS/proc" || exit 1; fi
source "$(dirname "$0")/../integration/lib.inc"
[ "$(id -u)" = 0 ] || skip "needs root (debootstrap, chroot)"
for t in cpack debootstrap chroot dpkg-deb mountpoint curl; do
    command -v "$t" >/dev/null || skip "$t is not installed"
done
BUILD=$(dirname "$TOCSIN")
MIRROR=${TS_DEBIAN_MIRROR:-http://deb.debian.org/debian}

PID=
cleanup() {
    if [ -n "$PID" ]; then kill -TERM "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
    if mountpoint -q "$ROOTFS/proc"; then umount "$ROOTFS/proc"; fi
    # Never through a mount point: only when nothing is mounted below the root.
    if ! grep -q " $ROOTFS/" /proc/mounts; then rm -rf "$ROOTFS"; fi
}
trap cleanup EXIT
t0=$(date +%s)

# --- the package ------------------------------------------------------------------
(cd "$WORK" && cpack -G DEB --config "$BUILD/CPackConfig.cmake" -B "$WORK/pkg") >"$WORK/cpack.log" 2>&1 ||
    { cat "$WORK/cpack.log" >&2; fail "cpack"; finish; exit 1; }
rm -rf "$WORK/pkg/_CPack_Packages"
DEB=$(ls "$WORK"/pkg/tocsin_*.deb)
[ -f "$DEB" ] && ok || { fail "no .deb made"; finish; exit 1; }
dpkg-deb -f "$DEB" Depends >"$WORK/depends"
for lib in libmicrohttpd12 libgnutls30 libsqlite3-0 libjson-c5 libgpgme11 libcurl3-gnutls; do
    grep -q "$lib" "$WORK/depends" && ok || fail "Depends lacks $lib: $(cat "$WORK/depends")"
done
dpkg-deb -c "$DEB" >"$WORK/contents"
for f in ./usr/bin/tocsin ./usr/share/tocsin/web/index.html ./usr/share/man/man1/tocsin-serve.1.gz \
    ./usr/share/man/man1/tocsin-serve.1 ./usr/lib/systemd/system/tocsin-serve.service ./usr/share/doc/tocsin/README.md; do
    grep -q " $f\$" "$WORK/contents" && ok || case "$f" in *.gz) ;; *) fail "package lacks $f" ;; esac
done

# --- a clean Debian 12 root -----------------------------------------------------------
debootstrap --variant=minbase bookworm "$ROOTFS" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 || {
    tail -5 "$WORK/debootstrap.log" >&2
    skip "debootstrap could not make a Debian 12 root from $MIRROR (see $WORK/debootstrap.log)"
}
ok
mount -t proc proc "$ROOTFS/proc"
cp "$DEB" "$ROOTFS/tmp/"
in_root() { chroot "$ROOTFS" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive "$@"; }
in_root apt-get update -qq >"$WORK/apt.log" 2>&1 &&
    in_root apt-get install -y -qq --no-install-recommends "/tmp/$(basename "$DEB")" >>"$WORK/apt.log" 2>&1 &&
    ok || { tail -20 "$WORK/apt.log" >&2; fail "apt install of the package"; finish; exit 1; }
grep -q "created the portal's CA" "$WORK/apt.log" && ok || fail "postinst made no CA: $(tail -5 "$WORK/apt.log")"
in_root getent passwd tocsin | grep -q ':/var/lib/tocsin:/usr/sbin/nologin$' && ok || fail "system user tocsin"
expect_eq "state directory" "tocsin tocsin 750" "$(in_root stat -c "%U %G %a" /var/lib/tocsin)"
[ -f "$ROOTFS/etc/default/tocsin" ] && ok || fail "/etc/default/tocsin"
[ -f "$ROOTFS/var/lib/tocsin/tocsin.db.ca/server.key" ] && ok || fail "the CA's server key"
expect_eq "server key readable by tocsin only" "tocsin 600" "$(in_root stat -c "%U %a" /var/lib/tocsin/tocsin.db.ca/server.key)"

# --- the unit's command, as systemd would run it --------------------------------------
UNIT=$ROOTFS/usr/lib/systemd/system/tocsin-serve.service
# The test listens on a free port: the settings file is the place to say so.
sed -i 's|^TOCSIN_SERVE_ARGS=.*|TOCSIN_SERVE_ARGS=--listen 127.0.0.1:0 --port-file /var/lib/tocsin/port|' \
    "$ROOTFS/etc/default/tocsin"
declare -a ENV=()
value() { local v=$1; v=${v#\"}; v=${v%\"}; printf '%s' "$v"; } # one pair of quotes, as systemd
while IFS= read -r line; do
    case "$line" in
    Environment=*) ENV+=("$(value "${line#Environment=}")") ;;
    EnvironmentFile=*)
        f=${line#EnvironmentFile=}
        f=${f#-}
        while IFS= read -r kv; do
            case "$kv" in '#'* | '') ;; *=*) ENV+=("${kv%%=*}=$(value "${kv#*=}")") ;; esac
        done <"$ROOTFS$f"
        ;;
    esac
done <"$UNIT"
USER_=$(sed -n 's/^User=//p' "$UNIT")
EXEC=$(sed -n 's/^ExecStart=//p' "$UNIT")
expect_eq "the unit's command" '/usr/bin/tocsin serve $TOCSIN_SERVE_ARGS' "$EXEC"
chroot --userspec="$USER_:$USER_" "$ROOTFS" /usr/bin/env -i PATH=/usr/bin:/bin "${ENV[@]}" \
    /bin/sh -c "cd /var/lib/tocsin && exec $EXEC" 2>"$WORK/serve.log" &
PID=$!
for _ in $(seq 150); do
    [ -s "$ROOTFS/var/lib/tocsin/port" ] && break
    kill -0 "$PID" 2>/dev/null || break
    sleep 0.1
done
PORT=$(cat "$ROOTFS/var/lib/tocsin/port" 2>/dev/null || echo 0)
[ "$PORT" != 0 ] && ok || { fail "the service did not start"; cat "$WORK/serve.log" >&2; finish; exit 1; }
health=$(curl -sS --max-time 10 --cacert "$ROOTFS/var/lib/tocsin/tocsin.db.ca/ca.pem" "https://localhost:$PORT/api/v1/health")
expect_eq "health from the installed service" "{\"status\":\"ok\",\"version\":\"$(dpkg-deb -f "$DEB" Version)\",\"store\":{\"backend\":\"sqlite\",\"ok\":true}}" "$health"
grep -q 'serving https://127.0.0.1:' "$WORK/serve.log" && ok || fail "startup line: $(cat "$WORK/serve.log")"
grep -q 'web /usr/bin/../share/tocsin/web' "$WORK/serve.log" && ok || fail "the installed web UI is served"
[ -f "$ROOTFS/var/lib/tocsin/tocsin.db" ] && ok || fail "the database was made in /var/lib/tocsin"
kill -TERM "$PID"
rc=0
wait "$PID" || rc=$?
PID=
expect_eq "the service stops cleanly" 0 "$rc"

# Removing and purging leave the CSIRT's data alone.
in_root apt-get purge -y -qq tocsin >>"$WORK/apt.log" 2>&1 && ok || fail "purge"
[ ! -e "$ROOTFS/usr/bin/tocsin" ] && [ ! -e "$ROOTFS/etc/default/tocsin" ] && ok || fail "purge left files"
[ -f "$ROOTFS/var/lib/tocsin/tocsin.db" ] && ok || fail "purge removed the database"
echo "package test: $(($(date +%s) - t0)) s"
cleanup
trap - EXIT
[ ! -e "$ROOTFS" ] && ok || fail "the root is left behind"
finish
