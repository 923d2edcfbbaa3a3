#!/usr/bin/env bash
# A cluster of hosts on this machine for tests and benchmarks (issue 18): each host is a network
# namespace with its own address on 10.77.0.0/24, joined by a switch (a bridge inside a namespace of its
# own), each host's link shaped to a rate with tc tbf. Nothing is added to the root namespace.
#
#   scripts/netns-cluster.sh up [--hosts N] [--link-gbit G] [--prefix P]   hosts P-h0 .. P-h(N-1)
#   scripts/netns-cluster.sh down [--prefix P]                             kills their processes, removes all
#   scripts/netns-cluster.sh status [--prefix P]
#
# Host k has address 10.77.0.(10+k); run a command on it with `ip netns exec P-hk CMD`. Needs root
# (CAP_NET_ADMIN); `up` fails with one line saying so where namespaces cannot be made. `down` is safe to
# repeat and removes only what `up` made (names starting with the prefix, default "rm").
set -euo pipefail

cmd=${1:-}
shift || true
hosts=3
gbit=1
prefix=rm
while [[ $# -gt 0 ]]; do
  case "$1" in
    --hosts) hosts=$2; shift 2 ;;
    --link-gbit) gbit=$2; shift 2 ;;
    --prefix) prefix=$2; shift 2 ;;
    *) echo "netns-cluster: unknown option $1" >&2; exit 2 ;;
  esac
done
[[ "$prefix" =~ ^[a-z][a-z0-9]{0,5}$ ]] || { echo "netns-cluster: --prefix must be 1-6 lower-case letters/digits" >&2; exit 2; }
switch="$prefix-sw"

ours() { ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^${prefix}-(h[0-9]+|sw)$" || true; }

down() {
  for ns in $(ours); do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
  done
  for ns in $(ours); do ip netns del "$ns" 2>/dev/null || true; done
}

up() {
  [[ "$hosts" =~ ^[0-9]+$ && "$hosts" -ge 1 && "$hosts" -le 32 ]] || { echo "netns-cluster: --hosts must be 1-32" >&2; exit 2; }
  [[ "$gbit" =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "netns-cluster: --link-gbit must be a number" >&2; exit 2; }
  if ! ip netns add "$switch" 2>/dev/null; then
    echo "netns-cluster: cannot create network namespaces here (needs root / CAP_NET_ADMIN)" >&2
    exit 3
  fi
  trap 'down' ERR
  ip -n "$switch" link add br0 type bridge
  ip -n "$switch" link set br0 up
  ip -n "$switch" link set lo up
  local rate
  rate=$(awk -v g="$gbit" 'BEGIN { printf "%dmbit", g * 1000 }')
  for ((k = 0; k < hosts; k++)); do
    local ns="$prefix-h$k"
    ip netns add "$ns"
    # the pair is made in the host's namespace, then its peer is moved into the switch's
    ip -n "$ns" link add eth0 type veth peer name "p$k"
    ip -n "$ns" link set "p$k" netns "$switch"
    ip -n "$ns" addr add "10.77.0.$((10 + k))/24" dev eth0
    ip -n "$ns" link set lo up
    ip -n "$ns" link set eth0 up
    ip -n "$switch" link set "p$k" master br0
    ip -n "$switch" link set "p$k" up
    # the link's rate, both ways: each side shapes what it sends
    ip netns exec "$ns" tc qdisc add dev eth0 root tbf rate "$rate" burst 256kb latency 5ms
    ip netns exec "$switch" tc qdisc add dev "p$k" root tbf rate "$rate" burst 256kb latency 5ms
  done
  trap - ERR
  echo "netns-cluster: $hosts host(s) $prefix-h0..$prefix-h$((hosts - 1)) at 10.77.0.10..$((9 + hosts)), ${gbit} Gbit/s links"
}

case "$cmd" in
  up) down; up ;;
  down) down ;;
  status) ours ;;
  *) echo "usage: netns-cluster.sh up|down|status [--hosts N] [--link-gbit G] [--prefix P]" >&2; exit 2 ;;
esac
