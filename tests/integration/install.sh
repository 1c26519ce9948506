# SPDX-License-Identifier: Apache-2.0
# `cmake --install` into a prefix of the test's own: the binary, the web UI,
# the man pages, the documentation and the systemd units, whose ExecStart
# names the installed binary. systemd-analyze verifies the units (and catches
# a broken one) and rates their sandboxing offline; the installed binary
# finds the installed web UI on its own.
source "$(dirname "$0")/lib.inc"
command -v cmake >/dev/null || skip "cmake is not installed"
command -v systemd-analyze >/dev/null || skip "systemd-analyze is not installed (package systemd)"
BUILD=$(dirname "$TOCSIN")
P=$WORK/prefix

expect_rc "cmake --install" 0 cmake --install "$BUILD" --prefix "$P"
for f in bin/tocsin share/man/man1/tocsin.1 share/man/man1/tocsin-serve.1 share/man/man1/tocsin-collect.1 \
    share/doc/tocsin/README.md share/doc/tocsin/LICENSE share/doc/tocsin/api.md share/doc/tocsin/install.md \
    share/tocsin/default lib/systemd/system/tocsin-serve.service lib/systemd/system/tocsin-collect.service \
    lib/systemd/system/tocsin-scan.service share/man/man1/tocsin-scan.1; do
    [ -f "$P/$f" ] && ok || fail "not installed: $f"
done
if [ -r "$BUILD/web/index.html" ]; then
    [ -f "$P/share/tocsin/web/index.html" ] && ok || fail "web UI not installed"
    ls "$P"/share/tocsin/web/assets/app.*.js >/dev/null 2>&1 && ok || fail "web bundle not installed"
fi
expect_rc "installed binary runs" 0 "$P/bin/tocsin" --version
expect_eq "installed man page renders" 0 "$(MANWIDTH=80 man -l "$P/share/man/man1/tocsin-serve.1" >/dev/null 2>&1; echo $?)"

UNITS=$P/lib/systemd/system
for u in serve collect scan; do
    f=$UNITS/tocsin-$u.service
    cmd=$u
    [ "$u" = scan ] && cmd="scan worker"
    expect_eq "tocsin-$u: ExecStart names the installed binary" "$P/bin/tocsin $cmd \$TOCSIN_$(echo "$u" | tr a-z A-Z)_ARGS" \
        "$(sed -n 's/^ExecStart=//p' "$f")"
    for d in User=tocsin ProtectSystem=strict ReadWritePaths=/var/lib/tocsin NoNewPrivileges=yes \
        EnvironmentFile=-/etc/default/tocsin; do
        grep -qx "$d" "$f" && ok || fail "tocsin-$u: no $d"
    done
    out=$(systemd-analyze verify --man=no "$f" 2>&1) && ok || fail "systemd-analyze verify tocsin-$u: $out"
    expect_eq "tocsin-$u: systemd-analyze verify says nothing" "" "$out"
    score=$(systemd-analyze security --offline=true "$f" 2>/dev/null |
        sed -n 's/.*Overall exposure level for tocsin-.*: \([0-9.]*\).*/\1/p')
    awk -v s="$score" 'BEGIN { exit !(s != "" && s <= 2.0) }' && ok ||
        fail "tocsin-$u: exposure level '$score' above 2.0 (systemd-analyze security --offline=true)"
done
grep -qx 'CapabilityBoundingSet=' "$UNITS/tocsin-serve.service" && ok || fail "serve keeps a capability"
grep -qx 'CapabilityBoundingSet=CAP_NET_BIND_SERVICE' "$UNITS/tocsin-collect.service" && ok ||
    fail "collect: only CAP_NET_BIND_SERVICE"
grep -qx 'CapabilityBoundingSet=CAP_NET_RAW' "$UNITS/tocsin-scan.service" && ok ||
    fail "scan: only CAP_NET_RAW"
# The check can fail: a unit whose command does not exist is refused.
sed "s|^ExecStart=.*|ExecStart=$P/bin/no-such-program serve|" "$UNITS/tocsin-serve.service" >"$WORK/broken.service"
systemd-analyze verify --man=no "$WORK/broken.service" >/dev/null 2>&1 && fail "a broken unit passes verify" || ok

# The installed binary serves the installed web UI without --web.
export TOCSIN_DB=$WORK/inst.db
"$P/bin/tocsin" ca init >/dev/null
"$P/bin/tocsin" serve --listen 127.0.0.1:0 --port-file "$WORK/port" 2>"$WORK/serve.log" &
pid=$!
for _ in $(seq 100); do [ -s "$WORK/port" ] && break; kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -TERM "$pid" 2>/dev/null || true
wait "$pid" || true
if [ -r "$BUILD/web/index.html" ]; then
    grep -q "web $P/bin/../share/tocsin/web" "$WORK/serve.log" && ok || fail "web UI beside the binary: $(cat "$WORK/serve.log")"
fi
finish
