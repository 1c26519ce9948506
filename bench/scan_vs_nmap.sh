#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Scan speed, in network namespaces made here (198.18.0.0/15, nothing else):
#
#  1. all 65,535 TCP ports of one target with a few open ports: `tocsin scan
#     run --ports all` (its default mode: SYN when it may open a raw socket,
#     as root; and --mode connect) against `nmap -sT -p- -T4`, alternating,
#     RUNS times; each run must find the same open ports as nmap. Prints the
#     wall times, their medians and the median of the per-run ratios.
#  2. a /24 of target addresses (253 of them answer, each with the same open
#     ports) x top1000 ports: ports per second and CPU seconds, per mode.
#
# The listeners are a small Python server that greets every connection (so
# service probing costs what it costs on a real host, not a timeout).
# tocsin runs with --rate/--host-rate 10000000 (no throttling: nmap -T4 has
# none either); its defaults (settings' rate 2000/s, host_rate 200/s) are for
# real networks. Needs root, iproute2, nmap, python3.
#
# Usage: [RUNS=n] bench/scan_vs_nmap.sh BUILD_DIR
set -euo pipefail
BUILD=${1:?usage: $0 BUILD_DIR}
RUNS=${RUNS:-5}
TOCSIN=$(realpath "$BUILD/tocsin")
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)" >&2; exit 1; }
command -v nmap >/dev/null || { echo "nmap is not installed" >&2; exit 1; }
WORK=$(mktemp -d /tmp/tocsin-scanbench.XXXXXX)
NS_S=tsbs$$
NS_T=tsbt$$
PIDS=""
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null || true; done
    ip netns del "$NS_S" 2>/dev/null || true
    ip netns del "$NS_T" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
ip netns add "$NS_S"
ip netns add "$NS_T"
ip link add vbs$$ type veth peer name vbt$$
ip link set vbs$$ netns "$NS_S"
ip link set vbt$$ netns "$NS_T"
for ns in "$NS_S" "$NS_T"; do
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
    ip -n "$ns" link set lo up
done
ip -n "$NS_S" addr add 198.18.0.1/24 dev vbs$$
ip -n "$NS_T" addr add 198.18.0.2/24 dev vbt$$
for i in $(seq 3 254); do echo "addr add 198.18.0.$i/24 dev vbt$$"; done | ip -n "$NS_T" -batch -
ip -n "$NS_S" link set vbs$$ up
ip -n "$NS_T" link set vbt$$ up
# A kernel that answers every SYN from all 254 addresses at once must not
# take them for a flood.
ip netns exec "$NS_T" sysctl -qw net.ipv4.tcp_syncookies=0 net.core.somaxconn=4096 \
    net.ipv4.tcp_max_syn_backlog=8192

OPEN="22 80 443 3306 8080"
cat > "$WORK/greeter.py" <<'PY'
import asyncio, sys
async def greet(reader, writer):
    writer.write(b"SSH-2.0-OpenSSH_9.2p1 bench\r\n")
    try:
        await writer.drain()
    except Exception:
        pass
    writer.close()
async def main():
    servers = [await asyncio.start_server(greet, "0.0.0.0", int(p), backlog=4096) for p in sys.argv[1:]]
    await asyncio.gather(*(s.serve_forever() for s in servers))
asyncio.run(main())
PY
ip netns exec "$NS_T" python3 "$WORK/greeter.py" $OPEN &
PIDS="$PIDS $!"
sleep 1

export TOCSIN_DB=$WORK/bench.db
"$TOCSIN" site add bench --network 198.18.0.0/24 >/dev/null
FAST="--rate 10000000 --host-rate 10000000"

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
ports_of_nmap() { sed -n 's|^\([0-9]*\)/tcp *open.*|\1|p' "$1" | sort -n | tr '\n' ' '; }
ports_of_tocsin() {
    python3 -c 'import json,sys; print(" ".join(str(p["port"]) for h in json.load(open(sys.argv[1]))["hosts"] for p in h["ports"]))' "$1" | tr ' ' '\n' | sort -n | tr '\n' ' '
}

echo "== all 65,535 TCP ports of 198.18.0.2, $RUNS runs, alternating"
printf '%-4s %10s %10s %10s %12s %12s\n' run nmap_s syn_s connect_s syn/nmap connect/nmap
: > "$WORK/t_nmap"; : > "$WORK/t_syn"; : > "$WORK/t_conn"; : > "$WORK/r_syn"; : > "$WORK/r_conn"
for r in $(seq 1 "$RUNS"); do
    t0=$(now)
    ip netns exec "$NS_S" nmap -sT -p- -T4 -n -Pn 198.18.0.2 > "$WORK/nmap.txt"
    t1=$(now)
    ip netns exec "$NS_S" "$TOCSIN" scan run --site bench --target 198.18.0.2 --ports all $FAST \
        --format json > "$WORK/syn.json"
    t2=$(now)
    ip netns exec "$NS_S" "$TOCSIN" scan run --site bench --target 198.18.0.2 --ports all $FAST \
        --mode connect --max-inflight 4096 --format json > "$WORK/conn.json"
    t3=$(now)
    n=$(ports_of_nmap "$WORK/nmap.txt"); s=$(ports_of_tocsin "$WORK/syn.json"); c=$(ports_of_tocsin "$WORK/conn.json")
    if [ "$n" != "$s" ] || [ "$n" != "$c" ]; then
        echo "open ports differ: nmap [$n] syn [$s] connect [$c]" >&2
        exit 1
    fi
    tn=$(echo "$t1 - $t0" | bc -l); ts=$(echo "$t2 - $t1" | bc -l); tc=$(echo "$t3 - $t2" | bc -l)
    echo "$tn" >> "$WORK/t_nmap"; echo "$ts" >> "$WORK/t_syn"; echo "$tc" >> "$WORK/t_conn"
    echo "$ts / $tn" | bc -l >> "$WORK/r_syn"; echo "$tc / $tn" | bc -l >> "$WORK/r_conn"
    printf '%-4s %10.2f %10.2f %10.2f %12.2f %12.2f\n' "$r" "$tn" "$ts" "$tc" "$(echo "$ts / $tn" | bc -l)" \
        "$(echo "$tc / $tn" | bc -l)"
done
echo "open ports found by all three in every run: $n"
printf 'median: nmap %.2f s, tocsin syn %.2f s (%.2fx nmap), tocsin connect %.2f s (%.2fx nmap)\n' \
    "$(median < "$WORK/t_nmap")" "$(median < "$WORK/t_syn")" "$(median < "$WORK/r_syn")" \
    "$(median < "$WORK/t_conn")" "$(median < "$WORK/r_conn")"

echo "== 198.18.0.0/24 x top1000 (253 target addresses, $(echo $OPEN | wc -w) open ports each; .1 is the scanner)"
for mode in syn connect; do
    /usr/bin/time -f '%e %U %S' -o "$WORK/time" ip netns exec "$NS_S" "$TOCSIN" scan run --site bench \
        --target 198.18.0.0/24 --ports top1000 $FAST --mode "$mode" --max-inflight 4096 \
        --format json > "$WORK/net.json"
    read -r wall user sys < "$WORK/time"
    open=$(python3 -c 'import json,sys; print(sum(len(h["ports"]) for h in json.load(open(sys.argv[1]))["hosts"]))' "$WORK/net.json")
    printf '%-8s %6.2f s wall, %6.2f s CPU (user %.2f, sys %.2f), %7.0f ports/s, %d open ports found (expected %d)\n' \
        "$mode" "$wall" "$(echo "$user + $sys" | bc -l)" "$user" "$sys" "$(echo "256000 / $wall" | bc -l)" \
        "$open" $((253 * $(echo $OPEN | wc -w)))
done
