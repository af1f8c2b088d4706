/**
 * The control plane's node controllers (kube-controller-manager's nodeipam, nodelifecycle and tainteviction): their
 * flags, as kube-controller-manager names them, and the factories the daemon (and the control-plane role) hands to
 * its ControllerManager. In the all-in-one daemon they are harmless: its one Node carries --pod-cidr (the IPAM
 * controller counts it taken and assigns nothing), and a lone node never falls silent while its own daemon runs
 * (if it did, every zone would be fully disrupted, which stops all tainting).
 */
import { parseCidrSetting } from "../api/cidr.js";
import { durationFlag, flag, UsageError, type FlagSpec, type ParsedArgs } from "../cli/args.js";
import type { ControllerFactory } from "../controllers/foundation/controller.js";
import { cidrSet, type CidrSet } from "../controllers/node-ipam/cidr-set.js";
import { nodeIpamController } from "../controllers/node-ipam/controller.js";
import { DEFAULT_NODE_LIFECYCLE, nodeLifecycleController, type NodeLifecycleSettings } from "../controllers/node-lifecycle/controller.js";
import { taintEvictionController } from "../controllers/node-lifecycle/taint-eviction-controller.js";
import { podGcController } from "../controllers/podgc/controller.js";
import { DEFAULT_TERMINATED_POD_GC_THRESHOLD } from "../controllers/podgc/plan.js";

export const NODE_CONTROLLER_FLAGS: FlagSpec[] = [
  { name: "node-cidr-mask-size", value: true, help: "prefix length of each node's pod CIDR cut from --cluster-cidr (default 24)" },
  { name: "node-monitor-period", value: true, help: "how often node health is checked, a duration (default 5s)" },
  { name: "node-monitor-grace-period", value: true, help: "a node silent this long (no Lease renewal, no status) is Ready=Unknown and tainted unreachable (default 50s)" },
  { name: "node-startup-grace-period", value: true, help: "the same for a node that never posted Ready (default 1m)" },
  { name: "node-eviction-rate", value: true, help: "nodes per second tainted for eviction in a healthy zone (default 0.1)" },
  { name: "secondary-node-eviction-rate", value: true, help: "the same in an unhealthy zone of a large cluster (default 0.01)" },
  { name: "unhealthy-zone-threshold", value: true, help: "fraction of not-Ready nodes (more than 2) that makes a zone unhealthy (default 0.55)" },
  { name: "terminated-pod-gc-threshold", value: true, help: `terminated pods kept before the pod garbage collector deletes the oldest; 0 keeps all (default ${DEFAULT_TERMINATED_POD_GC_THRESHOLD})` },
  { name: "large-cluster-size-threshold", value: true, help: "zones with more nodes than this keep the secondary rate when unhealthy; smaller ones stop evicting (default 50)" },
];

export interface NodeControllerConfig {
  nodeCidrMaskSize: number;
  /** --terminated-pod-gc-threshold (0: terminated pods are not collected). */
  terminatedPodGcThreshold: number;
  lifecycle: NodeLifecycleSettings;
}

function durationMs(p: ParsedArgs, name: string, dflt: number): number {
  const ms = durationFlag(p, name, dflt);
  if (ms <= 0) throw new UsageError(`--${name}: "${flag(p, name)}" must be more than 0`);
  return ms;
}

function number(p: ParsedArgs, name: string, dflt: number, check: (n: number) => boolean, what: string): number {
  const v = flag(p, name);
  if (v === undefined) return dflt;
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n) || !check(n)) throw new UsageError(`--${name}: "${v}" must be ${what}`);
  return n;
}

export function parseNodeControllerConfig(p: ParsedArgs): NodeControllerConfig {
  const d = DEFAULT_NODE_LIFECYCLE;
  return {
    nodeCidrMaskSize: number(p, "node-cidr-mask-size", 24, (n) => Number.isInteger(n) && n >= 1 && n <= 30, "a prefix length from 1 to 30"),
    terminatedPodGcThreshold: number(p, "terminated-pod-gc-threshold", DEFAULT_TERMINATED_POD_GC_THRESHOLD, (n) => Number.isInteger(n) && n >= 0, "a whole number"),
    lifecycle: {
      monitorPeriodMs: durationMs(p, "node-monitor-period", d.monitorPeriodMs),
      monitorGraceMs: durationMs(p, "node-monitor-grace-period", d.monitorGraceMs),
      startupGraceMs: durationMs(p, "node-startup-grace-period", d.startupGraceMs),
      evictionQps: number(p, "node-eviction-rate", d.evictionQps, (n) => n >= 0, "a rate of 0 or more per second"),
      secondaryEvictionQps: number(p, "secondary-node-eviction-rate", d.secondaryEvictionQps, (n) => n >= 0, "a rate of 0 or more per second"),
      unhealthyZoneThreshold: number(p, "unhealthy-zone-threshold", d.unhealthyZoneThreshold, (n) => n > 0 && n <= 1, "a fraction above 0, at most 1"),
      largeClusterThreshold: number(p, "large-cluster-size-threshold", d.largeClusterThreshold, (n) => Number.isInteger(n) && n >= 0, "a whole number"),
    },
  };
}

/** The cidr set of --cluster-cidr and --node-cidr-mask-size; a UsageError naming the flag when they do not fit. */
export function nodeCidrSet(clusterCIDR: string, maskSize: number): CidrSet {
  try {
    return cidrSet(parseCidrSetting("--cluster-cidr", clusterCIDR), maskSize);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/**
 * The node controllers: IPAM (only given a cidr set: a node agent without the pod network needs none), lifecycle,
 * taint eviction and the pod garbage collector. Control-plane role: `manager.start([...WORKLOAD_CONTROLLERS, ...nodeControllers(cfg, set)])`.
 */
export function nodeControllers(cfg: NodeControllerConfig, set: CidrSet | undefined): ControllerFactory[] {
  return [...(set ? [nodeIpamController(set)] : []), nodeLifecycleController(cfg.lifecycle), taintEvictionController, podGcController(cfg.terminatedPodGcThreshold)];
}
