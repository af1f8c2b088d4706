/**
 * Cross-node pod routes on a node (network/cross-node.ts): flags, and a Node informer that re-programs the routes
 * whenever what they depend on changes (a Node's name, pod CIDR or InternalIP — not its heartbeats). The VXLAN
 * device is named after the bridge, so daemons side by side never share one. On a node alone nothing is
 * programmed. reset() (nodelet reset, --cleanup-on-exit) removes every route and the device.
 */
import type { ObjectSource } from "../api/object-api.js";
import { arch } from "node:os";
import { ApiError } from "../api/errors.js";
import type { KubeObject, Node } from "../api/types.js";
import { flag, UsageError, type FlagSpec, type ParsedArgs } from "../cli/args.js";
import { Informer } from "../controllers/foundation/informer.js";
import { CrossNodeRoutes } from "../network/cross-node.js";
import type { OverlayMode } from "../network/cross-node-plan.js";
import type { ValidSettings } from "../network/settings.js";
import type { Clock } from "../sys/clock.js";
import type { Runner } from "../sys/runner.js";

export const CROSS_NODE_FLAGS: FlagSpec[] = [
  { name: "cross-node-mode", value: true, help: "how pods reach other nodes' pods: auto (a route when the node shares a subnet, else VXLAN), route or vxlan (default auto)" },
  { name: "vxlan-vni", value: true, help: "VXLAN network identifier of the cross-node overlay (default 1)" },
  { name: "vxlan-port", value: true, help: "UDP port of the cross-node overlay (default 4789)" },
];

export interface CrossNodeConfig {
  mode: OverlayMode;
  vni: number;
  port: number;
}

export function parseCrossNodeConfig(p: ParsedArgs): CrossNodeConfig {
  const mode = flag(p, "cross-node-mode") ?? "auto";
  if (mode !== "auto" && mode !== "route" && mode !== "vxlan") throw new UsageError(`--cross-node-mode: "${mode}" must be one of auto, route, vxlan`);
  const int = (name: string, dflt: number, max: number): number => {
    const v = flag(p, name);
    if (v === undefined) return dflt;
    if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > max) throw new UsageError(`--${name}: "${v}" must be a whole number from 1 to ${max}`);
    return Number(v);
  };
  return { mode, vni: int("vxlan-vni", 1, 16_777_215), port: int("vxlan-port", 4789, 65_535) };
}

/** The VXLAN device of a bridge: "<bridge>.vx" (at most 15 bytes). */
export function vxlanDeviceName(bridge: string): string {
  return `${bridge.slice(0, 12)}.vx`;
}

export function crossNodeRoutes(cfg: CrossNodeConfig, s: ValidSettings, runner: Runner, nodeName: string, log?: (m: string) => void): CrossNodeRoutes {
  return new CrossNodeRoutes({ runner, nodeName, cluster: s.cluster, mode: cfg.mode, vxlan: { name: vxlanDeviceName(s.bridge), vni: cfg.vni, port: cfg.port }, log });
}

/**
 * The pod CIDR a node's bridge and IPAM use: the one its Node was assigned (spec.podCIDRs[0], else spec.podCIDR, as
 * the node IPAM controller writes them), else `configured` (the all-in-one daemon's --pod-cidr, which its Node is
 * registered with).
 */
export function podCIDRFor(node: Node | undefined, configured: string): string {
  return node?.spec?.podCIDRs?.[0] ?? node?.spec?.podCIDR ?? configured;
}

/**
 * For a node agent joining a cluster: resolves with the pod CIDR assigned to its Node once the IPAM controller has
 * written it (at once if it is there); rejects after `timeoutMs` naming the node.
 */
export function waitForPodCIDR(source: ObjectSource, nodeName: string, clock: Clock, timeoutMs: number): Promise<string> {
  const nodes = new Informer<Node>(source, "Node", clock);
  return new Promise<string>((resolve, reject) => {
    const timer = clock.setTimeout(() => {
      nodes.stop();
      reject(new Error(`node ${nodeName} got no pod CIDR within ${Math.round(timeoutMs / 1000)} s: is the node IPAM controller running (kube-controller-manager's --allocate-node-cidrs), and is --cluster-cidr full?`));
    }, timeoutMs);
    const check = (n: Node): void => {
      const cidr = n.metadata.name === nodeName ? podCIDRFor(n, "") : "";
      if (!cidr) return;
      timer.cancel();
      nodes.stop();
      resolve(cidr);
    };
    nodes.addHandler({ onAdd: check, onUpdate: (_, n) => check(n) });
    nodes.start();
  });
}

/**
 * The pod CIDR a joining node builds its bridge with: its Node's, if it has one (immutable once set); `configured`
 * when --pod-cidr was given (the kubelet registers the Node with it); otherwise the Node is registered now, bare but
 * with the kubelet's well-known labels (the kubelet fills in its status), and the control plane's node IPAM
 * controller is waited for.
 */
export async function joiningPodCIDR(
  api: ObjectSource & { create<T extends KubeObject>(obj: T): T },
  nodeName: string,
  configured: string | undefined,
  clock: Clock,
  timeoutMs: number,
  log: (m: string) => void,
): Promise<string> {
  const existing = api.get<Node>("Node", "", nodeName);
  const assigned = podCIDRFor(existing, "");
  if (assigned) return assigned;
  if (configured !== undefined) return configured;
  if (!existing) {
    const labels = { "kubernetes.io/hostname": nodeName, "kubernetes.io/os": "linux", "kubernetes.io/arch": arch() === "x64" ? "amd64" : arch() };
    try {
      api.create<Node>({ apiVersion: "v1", kind: "Node", metadata: { name: nodeName, labels }, spec: {}, status: {} });
    } catch (err) {
      if (!(err instanceof ApiError && err.reason === "AlreadyExists")) throw err;
    }
  }
  log(`node ${nodeName}: waiting for the control plane's node IPAM controller to assign a pod CIDR`);
  return waitForPodCIDR(api, nodeName, clock, timeoutMs);
}

/** Removes the routes and VXLAN device of the bridge network `s` (nodelet reset: the mode and VNI do not matter). */
export function resetCrossNodeRoutes(s: ValidSettings, runner: Runner): Promise<void> {
  return crossNodeRoutes({ mode: "auto", vni: 1, port: 4789 }, s, runner, "").reset();
}

/** What the routes depend on, per Node. */
function routingKey(nodes: Node[]): string {
  return JSON.stringify(
    nodes
      .map((n) => [n.metadata.name, n.spec?.podCIDRs ?? n.spec?.podCIDR ?? null, n.status?.addresses?.find((a) => a.type === "InternalIP")?.address ?? null])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
  );
}

/** Follows the Nodes of `source` and keeps `routes` programmed; stop() ends the watch (the routes stay). */
export function startCrossNodeRoutes(source: ObjectSource, clock: Clock, routes: CrossNodeRoutes, log: (m: string) => void): { stop(): void } {
  const nodes = new Informer<Node>(source, "Node", clock);
  let last = "";
  const changed = (): void => {
    if (!nodes.hasSynced()) return;
    const all = nodes.list();
    const key = routingKey(all);
    if (key === last) return;
    last = key;
    routes.sync(all).catch((err: unknown) => {
      last = ""; // try again on the next change
      log(`cross-node routes: ${err instanceof Error ? err.message : String(err)}`);
    });
  };
  nodes.addHandler({ onAdd: changed, onUpdate: changed, onDelete: changed });
  nodes.start();
  changed();
  return { stop: () => nodes.stop() };
}
