/**
 * The explain view's links into the topology (web/explain-links.ts): each line that names a piece of the picture
 * goes to its element — the veth to its edge, cgroup/namespace/mount lines to the pod, a hostPort's rule to that
 * hostPort, the Services sending to the pod to their nodes — and without a topology (a viewer who may not list it)
 * everything still links to the pod.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { explainLinks } from "../../../web/explain-links.js";
import type { Topology } from "../../../src/ui/topology.js";

const SCRIPT = [
  "#!/bin/sh",
  "ip link add nl0123456789abc type veth peer name eth0 netns /run/netns/nl-pod-x",
  "mkdir -p /sys/fs/cgroup/nodelet/pod-x",
  "printf 50000 > /sys/fs/cgroup/nodelet/pod-x/cpu.max",
  "nodelet-shim monitor --ns net=/proc/4242/ns/net --rootfs /var/lib/nodelet/pods/x/rootfs --bind /etc/hosts:/etc/hosts -- sh",
  "nft -f - <<'EOF'",
  "iptables -t nat -A NL-HP -p tcp --dport 8443 -j DNAT --to-destination 10.88.0.5:443",
].join("\n");

const TOPOLOGY: Topology = {
  nodeName: "n1",
  nodes: [
    { id: "pod/default/web", kind: "pod", label: "" },
    { id: "hostport/0.0.0.0:8443/TCP", kind: "hostPort", label: "" },
    { id: "svc/default/front", kind: "service", label: "" },
  ],
  edges: [
    { id: "veth/pod/default/web", kind: "veth", source: "bridge", target: "pod/default/web", label: "nl0123456789abc" },
    { id: "ep/svc/default/front>pod/default/web", kind: "endpoint", source: "svc/default/front", target: "pod/default/web", label: "" },
    { id: "ep/svc/default/other>pod/default/db", kind: "endpoint", source: "svc/default/other", target: "pod/default/db", label: "" },
  ],
};

test("each line links to its element of the topology", () => {
  const links = explainLinks(SCRIPT, "default", "web", TOPOLOGY).map((l) => [l.kind, l.text, l.focus]);
  assert.deepEqual(links, [
    ["veth", "nl0123456789abc", "veth/pod/default/web"],
    ["cgroup", "/sys/fs/cgroup/nodelet/pod-x", "pod/default/web"],
    ["cgroup", "/sys/fs/cgroup/nodelet/pod-x/cpu.max", "pod/default/web"],
    ["namespace", "/run/netns/nl-pod-x", "pod/default/web"],
    ["namespace", "--ns net=/proc/4242/ns/net", "pod/default/web"],
    ["mount", "--rootfs /var/lib/nodelet/pods/x/rootfs", "pod/default/web"],
    ["mount", "--bind /etc/hosts:/etc/hosts", "pod/default/web"],
    ["rule", "nft -f - <<'EOF'", "pod/default/web"],
    ["rule", "iptables -t nat -A NL-HP -p tcp --dport 8443 -j DNAT --to-destination 10.88.0.5:443", "hostport/0.0.0.0:8443/TCP"],
    ["service", "default/front", "svc/default/front"],
  ]);
});

test("without the topology every line links to the pod", () => {
  const links = explainLinks(SCRIPT, "default", "web");
  assert.ok(links.length > 0);
  assert.deepEqual([...new Set(links.map((l) => l.focus))], ["pod/default/web"]);
});
