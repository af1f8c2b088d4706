#!/usr/bin/env bash
# make demo: start the daemon (if it is not running yet) and walk through what nodelet does, printing each command
# before running it. The daemon keeps running afterwards; stop it with `make demo-stop` (pods keep running) or
# `make demo-stop CLEANUP=1` (pods removed).
set -euo pipefail
cd "$(dirname "$0")/.."
NODELET=${NODELET:-$PWD/bin/nodelet}
STATE=${NODELET_DEMO_ROOT:-/var/lib/nodelet}
LOG=${NODELET_DEMO_LOG:-/var/log/nodelet-demo.log}
SOCK=${NODELET_SOCKET:-/run/nodelet/nodelet.sock}
export NODELET_SOCKET=$SOCK

say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
run() { say "$*"; "$@"; }

if ! "$NODELET" version >/dev/null 2>&1; then
  echo "starting the daemon: $NODELET daemon --root $STATE --listen 127.0.0.1:6443 (log: $LOG)"
  mkdir -p -m 0700 "$(dirname "$SOCK")"
  setsid nohup "$NODELET" daemon --root "$STATE" --socket "$SOCK" --listen 127.0.0.1:6443 >>"$LOG" 2>&1 </dev/null &
  echo $! > "$(dirname "$SOCK")/demo-daemon.pid"
  for _ in $(seq 100); do "$NODELET" version >/dev/null 2>&1 && break; sleep 0.1; done
fi
run "$NODELET" version

# 1. A pod from primitives: PID 1, its own hostname, its own /.
run "$NODELET" run hello --image busybox --restart Never --rm --attach -- sh -c 'echo hi from $(hostname); ps'

# 2. Ordinary Kubernetes YAML.
run "$NODELET" apply -f examples/pod.yaml
for _ in $(seq 50); do
  [ "$("$NODELET" get pod shared -o jsonpath='{.status.phase}')" = Succeeded ] && [ "$("$NODELET" get pod web -o jsonpath='{.status.phase}')" = Running ] && break
  sleep 0.2
done
run "$NODELET" get pods -o wide
run "$NODELET" logs shared -c reader
run "$NODELET" exec web -- wget -qO- http://127.0.0.1:8080/
run "$NODELET" top pods
say "$NODELET describe pod web | head -40"; "$NODELET" describe pod web | head -40
say "$NODELET explain pod web | head -30"; "$NODELET" explain pod web | head -30

# 3. The same node through real kubectl.
if command -v kubectl >/dev/null && [ -f "$STATE/kubeconfig" ]; then
  run kubectl --kubeconfig "$STATE/kubeconfig" --cache-dir "$STATE/kubectl-cache" get pods
fi

for extra in scripts/demo-*.sh; do
  [ -x "$extra" ] && NODELET="$NODELET" "$extra"
done

run "$NODELET" delete -f examples/pod.yaml --now
printf '\nThe daemon is still running (socket %s). Stop it with: make demo-stop\n' "$SOCK"
