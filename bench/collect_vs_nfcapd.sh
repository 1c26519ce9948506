#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# CPU per flow and lost flows: tocsin's collector (with its detectors) against
# nfcapd (Debian nfdump), fed the identical NetFlow v9 stream from
# bench_collect at rising rates on loopback, one collector at a time.
#
# Usage: bench/collect_vs_nfcapd.sh BUILD_DIR [SECONDS] [RATES...]
set -euo pipefail
BUILD=${1:?usage: $0 BUILD_DIR [SECONDS] [RATES...]}
SECS=${2:-3}
shift 2 || shift $#
RATES=${*:-100000 300000 1000000}
TOCSIN=$BUILD/tocsin
SEND=$BUILD/bench/bench_collect
command -v nfcapd >/dev/null || { echo "nfcapd not installed (apt-get install nfdump)"; exit 1; }
SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT
TICK=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
sysctl -q -w net.core.rmem_max=67108864 2>/dev/null || true

printf '%-10s %-8s %12s %12s %10s %12s\n' "collector" "rate" "flows sent" "flows seen" "lost" "ns CPU/flow"
for rate in $RATES; do
    flows=$((rate * SECS))
    # nfcapd
    rm -rf "$SCRATCH/nf" && mkdir -p "$SCRATCH/nf"
    nfcapd -b 127.0.0.1 -p 9995 -B 33554432 -w "$SCRATCH/nf" -P "$SCRATCH/nf.pid" -D >/dev/null 2>&1
    sleep 0.5
    pid=$(cat "$SCRATCH/nf.pid")
    c0=$(cpu_ticks "$pid")
    "$SEND" 127.0.0.1 9995 "$flows" "$rate" >/dev/null
    sleep 1
    c1=$(cpu_ticks "$pid")
    kill -TERM "$pid"
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    seen=$(nfdump -R "$SCRATCH/nf" -I 2>/dev/null | awk '/^Flows:/ {print $2; exit}')
    seen=${seen:-0}
    awk -v c=nfcapd -v r="$rate" -v f="$flows" -v s="$seen" -v t=$((c1 - c0)) -v hz="$TICK" \
        'BEGIN { printf "%-10s %-8s %12d %12d %10d %12.0f\n", c, r, f, s, f - s, s ? t / hz * 1e9 / s : 0 }'

    # tocsin (decoder + detectors + store of detections and counters)
    db="$SCRATCH/t.db"
    rm -f "$db"*
    "$TOCSIN" --db "$db" collect --netflow 127.0.0.1:9996 --stats-interval 1000 2>"$SCRATCH/t.log" &
    pid=$!
    sleep 0.5
    c0=$(cpu_ticks "$pid")
    "$SEND" 127.0.0.1 9996 "$flows" "$rate" >/dev/null
    sleep 1
    c1=$(cpu_ticks "$pid")
    kill -TERM "$pid"
    wait "$pid" || true
    seen=$("$TOCSIN" --db "$db" flows stats --format json | sed -n 's/.*"flows":\([0-9]*\).*/\1/p' | awk '{s += $1} END {print s + 0}')
    awk -v c=tocsin -v r="$rate" -v f="$flows" -v s="$seen" -v t=$((c1 - c0)) -v hz="$TICK" \
        'BEGIN { printf "%-10s %-8s %12d %12d %10d %12.0f\n", c, r, f, s, f - s, s ? t / hz * 1e9 / s : 0 }'
done
