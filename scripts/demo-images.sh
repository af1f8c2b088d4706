#!/usr/bin/env bash
# make demo, images part: a local registry (Debian's docker-registry on a loopback port, its own config and
# storage in a temp dir), an image made from busybox-static and pushed with skopeo, then pulled by the node
# (per-layer progress), listed, and run. Loopback registries are plain HTTP by default, as in Docker.
set -euo pipefail
NODELET=${NODELET:-$PWD/bin/nodelet}
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
run() { say "$*"; "$@"; }
for cmd in docker-registry skopeo; do
  command -v $cmd >/dev/null || { echo "images demo skipped: $cmd is not installed"; exit 0; }
done

work=$(mktemp -d /tmp/nodelet-demo-images.XXXXXX)
reg_pid=
cleanup() { [ -n "$reg_pid" ] && kill "$reg_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$work/data"
cat > "$work/config.yml" <<YAML
version: 0.1
storage:
  filesystem:
    rootdirectory: $work/data
http:
  addr: 127.0.0.1:$port
YAML
docker-registry serve "$work/config.yml" >"$work/registry.log" 2>&1 &
reg_pid=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/v2/" >/dev/null && break; sleep 0.1; done

# An OCI layout by hand: one gzip layer (busybox and its applet links), a config naming its diffID, a manifest.
mkdir -p "$work/rootfs/bin" "$work/layout/blobs/sha256"
cp /bin/busybox "$work/rootfs/bin/"
for a in sh echo uname cat; do ln -s busybox "$work/rootfs/bin/$a"; done
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$work/rootfs" -cf "$work/layer.tar" .
gzip -n -c "$work/layer.tar" > "$work/layer.tar.gz"
blob() { local d; d=$(sha256sum "$1" | cut -d' ' -f1); cp "$1" "$work/layout/blobs/sha256/$d"; echo "$d"; }
diff_id=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
layer=$(blob "$work/layer.tar.gz"); layer_size=$(stat -c %s "$work/layer.tar.gz")
arch=$(uname -m); case $arch in x86_64) arch=amd64;; aarch64) arch=arm64;; esac
printf '{"architecture":"%s","os":"linux","config":{"Env":["PATH=/bin"],"Cmd":["sh","-c","echo pulled from a registry: $(uname -sm)"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' "$arch" "$diff_id" > "$work/config.json"
config=$(blob "$work/config.json"); config_size=$(stat -c %s "$work/config.json")
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}]}' "$config" "$config_size" "$layer" "$layer_size" > "$work/manifest.json"
manifest=$(blob "$work/manifest.json"); manifest_size=$(stat -c %s "$work/manifest.json")
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"v1"}}]}' "$manifest" "$manifest_size" > "$work/layout/index.json"
echo '{"imageLayoutVersion":"1.0.0"}' > "$work/layout/oci-layout"
run skopeo --insecure-policy copy --quiet --dest-tls-verify=false "oci:$work/layout:v1" "docker://127.0.0.1:$port/demo/busybox:v1"

run "$NODELET" image pull "127.0.0.1:$port/demo/busybox:v1"
run "$NODELET" images
run "$NODELET" run pulled --image "127.0.0.1:$port/demo/busybox:v1" --restart Never --rm --attach
run "$NODELET" image rm "127.0.0.1:$port/demo/busybox:v1"
