#!/usr/bin/env bash
# make demo, services part: three web pods behind a Service, requests through its cluster IP (from the node and from
# a pod) and its DNS name answered by all three, and the proxy mode in use. Run by scripts/demo.sh with $NODELET set.
set -euo pipefail
cd "$(dirname "$0")/.."
NODELET=${NODELET:-$PWD/bin/nodelet}
BRIDGE=${NODELET_DEMO_BRIDGE:-nodelet0}

say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
run() { say "$*"; "$@"; }

# Which proxier wrote the rules of this bridge (see src/proxy/names.ts for the table and chain names).
proxy_mode() {
  local table nat prefix
  table=$(nft list table ip "nodelet-svc-$BRIDGE" 2>/dev/null || true)
  nat=$(iptables-save -t nat 2>/dev/null || true)
  prefix="NL$(printf %s "$BRIDGE" | sha256sum | cut -c1-5)"
  if grep -q 'map service-ips' <<<"$table"; then echo nftables
  elif grep -q 'set served' <<<"$table"; then echo userspace
  elif grep -q "^:$prefix-SERVICES" <<<"$nat"; then echo iptables
  else echo "none (daemon started with --no-network?)"; fi
}

run "$NODELET" apply -f examples/services.yaml
for _ in $(seq 100); do
  n=$("$NODELET" get endpoints web -o jsonpath='{.subsets[*].addresses[*].ip}' 2>/dev/null | wc -w)
  [ "$n" = 3 ] && [ "$("$NODELET" get pod client -o jsonpath='{.status.phase}')" = Running ] && break
  sleep 0.2
done
run "$NODELET" get pods -o wide
run "$NODELET" get svc,endpoints
run "$NODELET" get endpointslices
say "$NODELET describe svc web"; "$NODELET" describe svc web
printf '\nproxy mode in use: %s\n' "$(proxy_mode)"

IP=$("$NODELET" get svc web -o jsonpath='{.spec.clusterIP}')
say "for i in 1..9: busybox wget -qO- http://$IP/   (from the node, through the cluster IP)"
for _ in $(seq 9); do busybox wget -qO- "http://$IP/" || echo FAIL; done | sort | uniq -c
say "$NODELET exec client -- sh -c 'cat /etc/resolv.conf; for i in 1..9: wget -qO- http://web/'"
"$NODELET" exec client -- sh -c 'cat /etc/resolv.conf; for i in 1 2 3 4 5 6 7 8 9; do wget -qO- http://web/ || echo FAIL; done' | sort | uniq -c
run "$NODELET" exec client -- nslookup web.default.svc.cluster.local
printf '\nThe three web pods and the Service keep running; remove them with: %s delete -f examples/services.yaml\n' "$NODELET"
