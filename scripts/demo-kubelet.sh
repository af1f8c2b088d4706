#!/usr/bin/env bash
# Part of `make demo` (run after the main demo, with $NODELET set and the daemon on the default socket): the
# kubelet's control loop — a liveness probe restarting a container, and a static pod appearing from the manifest
# directory. The daemon must watch that directory: /etc/nodelet/manifests by default (`nodelet daemon
# --manifests DIR`); set NODELET_MANIFESTS when it was started with another one.
set -euo pipefail
NODELET=${NODELET:-nodelet}
ROOT=${NODELET_DEMO_ROOT:-/var/lib/nodelet}
if [ "$ROOT" = /var/lib/nodelet ]; then MANIFESTS=${NODELET_MANIFESTS:-/etc/nodelet/manifests}; else MANIFESTS=${NODELET_MANIFESTS:-$ROOT/manifests}; fi
TMP=$(mktemp -d)

say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
run() { say "$*"; "$@"; }
wait_for() {
  local what=$1; shift
  for _ in $(seq 300); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "timed out waiting for $what" >&2; return 1
}
cleanup() {
  rm -f "$MANIFESTS/demo-static.yaml"
  "$NODELET" delete pod probed --now --ignore-not-found >/dev/null 2>&1 || true
  rm -rf "$TMP"
}
trap cleanup EXIT

# 1. A liveness probe: the kubelet runs `cat /tmp/healthy` in the container every second; once it fails twice in a
#    row the container is killed and started again, and the events say why.
cat > "$TMP/probed.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: probed
spec:
  terminationGracePeriodSeconds: 2
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "touch /tmp/healthy; trap 'exit 0' TERM; while true; do sleep 1; done"]
    livenessProbe:
      exec:
        command: ["cat", "/tmp/healthy"]
      periodSeconds: 1
      failureThreshold: 2
YAML
say "cat probed.yaml"; cat "$TMP/probed.yaml"
run "$NODELET" apply -f "$TMP/probed.yaml"
wait_for "probed running" sh -c "[ \"\$('$NODELET' get pod probed -o jsonpath='{.status.containerStatuses[0].state.running.startedAt}')\" != '' ]"
run "$NODELET" get pod probed
run "$NODELET" exec probed -- rm /tmp/healthy
wait_for "the restart" sh -c "[ \"\$('$NODELET' get pod probed -o jsonpath='{.status.containerStatuses[0].restartCount}')\" -ge 1 ]"
run "$NODELET" get pod probed
say "$NODELET describe pod probed | sed -n '/^Events:/,\$p'"
"$NODELET" describe pod probed | sed -n '/^Events:/,$p'
run "$NODELET" delete pod probed --now

# 2. A static pod: a file in the manifest directory is a pod this node runs by itself; the API shows it as a
#    mirror pod named <name>-<node>. Removing the file stops it.
node=$("$NODELET" get nodes -o jsonpath='{.items[0].metadata.name}')
mkdir -p "$MANIFESTS"
say "cat > $MANIFESTS/demo-static.yaml"
tee "$MANIFESTS/demo-static.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: demo-static
spec:
  terminationGracePeriodSeconds: 2
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "echo started from a file; trap 'exit 0' TERM; while true; do sleep 1; done"]
YAML
wait_for "demo-static-$node running" sh -c "[ \"\$('$NODELET' get pod demo-static-$node -o jsonpath='{.status.phase}')\" = Running ]"
run "$NODELET" get pods
run "$NODELET" get pod "demo-static-$node" -o jsonpath='{.metadata.annotations}'; echo
run "$NODELET" logs "demo-static-$node"
run rm "$MANIFESTS/demo-static.yaml"
wait_for "demo-static-$node gone" sh -c "! '$NODELET' get pod demo-static-$node >/dev/null 2>&1"
run "$NODELET" get pods
