#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# CPU per flow and lost flows: tocsin's collector (with its detectors) against
# nfcapd (Debian nfdump), fed the identical export stream on loopback at
# rising rates, one collector at a time.
#
# Usage: [STREAM=name] [RUNS=n] [COALESCE_US=n] bench/collect_vs_nfcapd.sh [--stream NAME] BUILD_DIR [SECONDS] [RATES...]
# COALESCE_US is passed to tocsin as --coalesce-us and to udp_sink (default: the collector's).
# Each rate is measured RUNS times (default 3), nfcapd and tocsin
# alternating so that both see the same machine noise; the summary line
# gives the medians and the median of the per-run ratios. CPU is each
# thread's run time in ns from /proc/PID/task/*/schedstat (ticks of 10 ms
# were too coarse below 300k flows/s), split in the user and sys columns by
# the utime/stime ticks of /proc/PID/stat.
#
# STREAM (default synthetic):
#   synthetic        bench_collect's generated softflowd-like NetFlow v9 (30 flows/datagram)
#   softflowd-v9     a pcap from bench/make_pcap.c exported by softflowd -v 9, recorded once
#   softflowd-ipfix  the same with softflowd -v 10 (IPFIX)
# The softflowd streams are recorded once per run (bench/record_udp.c) and
# replayed in a loop with `bench_collect --replay`; tcpreplay on lo would not
# reach the sockets. softflowd is installed with apt-get when missing (root
# only); it is a benchmark-only dependency, never a build or CI one.
set -euo pipefail
STREAM=${STREAM:-synthetic}
if [ "${1:-}" = "--stream" ]; then
    STREAM=${2:?--stream needs a name}
    shift 2
fi
BUILD=${1:?usage: $0 [--stream synthetic|softflowd-v9|softflowd-ipfix] BUILD_DIR [SECONDS] [RATES...]}
SECS=${2:-5}
RUNS=${RUNS:-3}
shift 2 || shift $#
RATES=${*:-100000 300000 1000000}
HERE=$(cd "$(dirname "$0")" && pwd)
TOCSIN=$BUILD/tocsin
SEND=$BUILD/bench/bench_collect
SINK=$BUILD/bench/udp_sink
case "$STREAM" in
synthetic | softflowd-v9 | softflowd-ipfix) ;;
*)
    echo "unknown STREAM '$STREAM' (synthetic, softflowd-v9, softflowd-ipfix)" >&2
    exit 2
    ;;
esac
command -v nfcapd >/dev/null || { echo "nfcapd not installed (apt-get install nfdump)"; exit 1; }
[ -x "$TOCSIN" ] && [ -x "$SEND" ] && [ -x "$SINK" ] ||
    { echo "build $BUILD first (tocsin, bench/bench_collect, bench/udp_sink)"; exit 1; }
SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT
cpu_ticks() { awk '{print $14, $15}' "/proc/$1/stat"; }
# Run time of all of $1's threads in ns; the collectors' thread sets stay
# the same while they run (nfcapd: 2 threads, tocsin and the sink: 1).
cpu_ns() { cat /proc/"$1"/task/*/schedstat | awk '{s += $1} END {printf "%d", s}'; }
sysctl -q -w net.core.rmem_max=67108864 2>/dev/null || true

install_softflowd() {
    command -v softflowd >/dev/null && return 0
    if [ "$(id -u)" != 0 ]; then
        echo "softflowd missing: run as root or apt-get install --no-install-recommends softflowd" >&2
        exit 1
    fi
    # The package enables and may start a daemon on eth0: deny service starts
    # for the install unless the system already has a policy.
    local policy=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        policy=/usr/sbin/policy-rc.d
        printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy"
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends softflowd \
        >"$SCRATCH/apt.log" 2>&1 || dpkg --configure -a >>"$SCRATCH/apt.log" 2>&1 || true
    [ -n "$policy" ] && rm -f "$policy"
    command -v softflowd >/dev/null || { cat "$SCRATCH/apt.log" >&2; echo "softflowd install failed" >&2; exit 1; }
}

# Records softflowd's export of the synthetic pcap once: $1 = 9 or 10.
record_stream() {
    cp "$BUILD/bench/make_pcap" "$BUILD/bench/record_udp" "$SCRATCH/"
    "$SCRATCH/make_pcap" "$SCRATCH/traffic.pcap" 9000 1 >&2
    install_softflowd
    "$SCRATCH/record_udp" 9997 "$SCRATCH/stream.bin" 2 >"$SCRATCH/rec.ready" 2>"$SCRATCH/rec.log" &
    local rec=$!
    for _ in $(seq 50); do [ -s "$SCRATCH/rec.ready" ] && break; sleep 0.1; done
    # -c none: softflowd 1.1.0 reading a file (-r) polls nothing but still
    # tests the control socket's uninitialised revents and can block in
    # accept() before reading a packet.
    softflowd -r "$SCRATCH/traffic.pcap" -n 127.0.0.1:9997 -v "$1" -d -c none \
        -p "$SCRATCH/softflowd.pid" >"$SCRATCH/sf.log" 2>&1
    if ! wait "$rec"; then
        cat "$SCRATCH/rec.log" >&2
        echo "recording the softflowd stream failed" >&2
        exit 1
    fi
    echo "softflowd -v $1: $(grep -m1 'Flows exported' "$SCRATCH/sf.log"); $(cat "$SCRATCH/rec.log")" >&2
}

case "$STREAM" in
softflowd-v9) record_stream 9 ;;
softflowd-ipfix) record_stream 10 ;;
esac

# Sends the stream at $2 flows/s for SECS to port $1; prints the flows and
# the datagrams sent.
send() {
    local flows=$(($2 * SECS)) out
    if [ "$STREAM" = synthetic ]; then
        out=$("$SEND" 127.0.0.1 "$1" "$flows" "$2")
    else
        out=$("$SEND" --replay "$SCRATCH/stream.bin" 127.0.0.1 "$1" "$flows" "$2" 2>/dev/null)
    fi
    sed -n 's/.*sent \([0-9]*\) datagrams (\([0-9]*\) flows).*/\2 \1/p' <<<"$out"
}

# CPU of process $1 while the stream goes to port $2 at $3 flows/s, and a
# second after: prints "flows_sent datagrams_sent cpu_ns user_ticks sys_ticks".
measure() {
    local u0 s0 u1 s1 n0 n1 sent
    read -r u0 s0 < <(cpu_ticks "$1")
    n0=$(cpu_ns "$1")
    sent=$(send "$2" "$3")
    sleep 1
    n1=$(cpu_ns "$1")
    read -r u1 s1 < <(cpu_ticks "$1")
    echo "$sent $((n1 - n0)) $((u1 - u0)) $((s1 - s0))"
}

row() { # collector rate sent seen cpu_ns user_ticks sys_ticks
    awk -v c="$1" -v r="$2" -v f="$3" -v s="$4" -v n="$5" -v u="$6" -v k="$7" \
        'BEGIN { t = s ? n / s : 0; us = u + k ? u / (u + k) : 0
                 printf "%-10s %-8s %12d %12d %10d %12.0f %9.0f %9.0f\n", c, r, f, s, f - s,
                 t, t * us, t * (1 - us) }'
}
ns_per_flow() { # seen cpu_ns
    awk -v s="$1" -v n="$2" 'BEGIN { print s ? n / s : 0 }'
}
median() { sort -g | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# One nfcapd run: prints "sent seen user_ticks sys_ticks" (flows).
run_nfcapd() {
    local pid sent dgrams ns u k seen
    rm -rf "$SCRATCH/nf" && mkdir -p "$SCRATCH/nf"
    nfcapd -b 127.0.0.1 -p 9995 -B 33554432 -w "$SCRATCH/nf" -P "$SCRATCH/nf.pid" -D >/dev/null 2>&1
    sleep 0.5
    pid=$(cat "$SCRATCH/nf.pid")
    read -r sent dgrams ns u k < <(measure "$pid" 9995 "$1")
    kill -TERM "$pid"
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    seen=$(nfdump -R "$SCRATCH/nf" -I 2>/dev/null | awk '/^Flows:/ {print $2; exit}')
    echo "$sent ${seen:-0} $ns $u $k"
}

# One tocsin run (decoder + detectors + store of detections and counters).
run_tocsin() {
    local db="$SCRATCH/t.db" pid sent dgrams ns u k seen
    rm -f "$db"*
    "$TOCSIN" --db "$db" collect --netflow 127.0.0.1:9996 --stats-interval 1000 ${COALESCE_US:+--coalesce-us "$COALESCE_US"} 2>"$SCRATCH/t.log" &
    pid=$!
    sleep 0.5
    read -r sent dgrams ns u k < <(measure "$pid" 9996 "$1")
    kill -TERM "$pid"
    wait "$pid" || true
    seen=$("$TOCSIN" --db "$db" flows stats --format json | grep -o '"flows":[0-9]*' |
        awk -F: '{s += $2} END {print s + 0}')
    echo "$sent $seen $ns $u $k"
}

# The kernel's receive path alone (bench/udp_sink.c: the collector's receive
# loop without decoding): the floor under any collector's CPU per flow. The
# sink counts datagrams, not flows: its flows seen are the flows sent times
# the share of datagrams it received.
run_sink() {
    local pid sent dgrams ns u k got
    "$SINK" 9994 ${COALESCE_US:+"$COALESCE_US"} 2>"$SCRATCH/sink.log" &
    pid=$!
    sleep 0.5
    read -r sent dgrams ns u k < <(measure "$pid" 9994 "$1")
    kill -TERM "$pid"
    wait "$pid" || true
    got=$(sed -n 's/^udp_sink: \([0-9]*\) datagrams.*/\1/p' "$SCRATCH/sink.log")
    echo "$sent $(awk -v f="$sent" -v d="$dgrams" -v g="${got:-0}" 'BEGIN { printf "%d", d ? f * g / d : 0 }') $ns $u $k"
}

echo "stream: $STREAM, $SECS s per rate, $RUNS run(s) each, collectors alternating"
printf '%-10s %-8s %12s %12s %10s %12s %9s %9s\n' "collector" "rate" "flows sent" "flows seen" "lost" \
    "ns CPU/flow" "of user" "of sys"
for rate in $RATES; do
    : >"$SCRATCH/nf.ns"
    : >"$SCRATCH/ts.ns"
    : >"$SCRATCH/ratio"
    : >"$SCRATCH/sink.ns"
    for _ in $(seq "$RUNS"); do
        read -r sent seen ns u k < <(run_nfcapd "$rate")
        row nfcapd "$rate" "$sent" "$seen" "$ns" "$u" "$k"
        nf=$(ns_per_flow "$seen" "$ns")
        echo "$nf" >>"$SCRATCH/nf.ns"
        read -r sent seen ns u k < <(run_tocsin "$rate")
        row tocsin "$rate" "$sent" "$seen" "$ns" "$u" "$k"
        ts=$(ns_per_flow "$seen" "$ns")
        echo "$ts" >>"$SCRATCH/ts.ns"
        awk -v a="$ts" -v b="$nf" 'BEGIN { if (b > 0) print a / b }' >>"$SCRATCH/ratio"
        read -r sent seen ns u k < <(run_sink "$rate")
        row "udp_sink" "$rate" "$sent" "$seen" "$ns" "$u" "$k"
        ns_per_flow "$seen" "$ns" >>"$SCRATCH/sink.ns"
    done
    awk -v r="$rate" -v n="$(median <"$SCRATCH/nf.ns")" -v t="$(median <"$SCRATCH/ts.ns")" \
        -v q="$(median <"$SCRATCH/ratio")" -v lo="$(sort -g "$SCRATCH/ratio" | head -1)" \
        -v hi="$(sort -g "$SCRATCH/ratio" | tail -1)" \
        -v k="$(median <"$SCRATCH/sink.ns")" \
        'BEGIN { printf "median     %-8s nfcapd %.0f ns/flow, tocsin %.0f ns/flow: tocsin/nfcapd %.2fx (runs %.2f-%.2f); receive alone %.0f ns/flow (%.2fx nfcapd)\n", r, n, t, q, lo, hi, k, (n > 0 ? k / n : 0) }'
done
