#!/usr/bin/env bash
# make demo, part 2 (issue 3): two pods talking over the pod network, and a port-forward to one of them.
set -euo pipefail
NODELET=${NODELET:-nodelet}
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
run() { say "$*"; "$@"; }

manifest=$(mktemp --suffix=.yaml)
trap 'rm -f "$manifest"' EXIT
cat <<'YAML' > "$manifest"
apiVersion: v1
kind: Pod
metadata:
  name: server
spec:
  containers:
  - name: httpd
    image: busybox
    command: ["sh", "-c", "mkdir /www && echo hello from $(hostname) at $(ip -4 -o addr show eth0 | awk '{print $4}') > /www/index.html && exec httpd -f -p 8080 -h /www"]
    ports:
    - containerPort: 8080
YAML
run "$NODELET" apply -f "$manifest"
for _ in $(seq 50); do
  ip=$("$NODELET" get pod server -o jsonpath='{.status.podIP}' 2>/dev/null || true)
  [ -n "$ip" ] && [ "$("$NODELET" get pod server -o jsonpath='{.status.phase}')" = Running ] && break
  sleep 0.2
done
run "$NODELET" get pods -o wide
say "$NODELET run client --image busybox --restart Never --rm --attach -- wget -qO- http://$ip:8080/"
"$NODELET" run client --image busybox --restart Never --rm --attach -q -- wget -qO- "http://$ip:8080/"

say "$NODELET port-forward pod/server 18080:8080 &   # then: wget -qO- http://127.0.0.1:18080/"
"$NODELET" port-forward pod/server 18080:8080 >/dev/null &
pf=$!
for _ in $(seq 50); do busybox wget -qO- http://127.0.0.1:18080/ 2>/dev/null && break; sleep 0.1; done
kill -INT $pf; wait $pf || true
run "$NODELET" delete pod server --now
