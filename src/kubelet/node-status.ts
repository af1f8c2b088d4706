/**
 * The Node object of this node, as the kubelet registers and refreshes it: capacity and allocatable (CPU, memory,
 * ephemeral storage, pods), conditions, addresses and nodeInfo, including the swap state (the kubelet refuses to
 * run with swap on by default; we run, warn and report it).
 */
import { arch } from "node:os";
import type { Node, NodeCondition } from "../api/types.js";
import type { HostFacts } from "../sys/host-info.js";
import { CONDITION_TAINT, type PressureCondition } from "./eviction.js";
import { thresholdAmount, type Reserved, type Threshold } from "./node-pressure.js";

export const KUBELET_VERSION = "v1.32.0-nodelet";
export const RUNTIME_VERSION = "nodelet://0.1.0";

/** The node's fixed facts, as sys/host-info.ts reads them from the host. */
export type NodeFacts = HostFacts;

export interface NodeSettings {
  name: string;
  hostIP: string;
  podCIDR?: string;
  /** --system-reserved and --kube-reserved added up. */
  reserved: Reserved;
  /** --eviction-hard: memory and nodefs thresholds come off allocatable too (soft ones do not). */
  evictionHard: Threshold[];
  maxPods: number;
  /** A joined worker (`nodelet node`): no node-role.kubernetes.io/control-plane label, which the all-in-one node carries. */
  worker?: boolean;
  /** The kubelet server's port published in status.daemonEndpoints (--kubelet-port); default 10250. */
  kubeletPort?: number;
}

/** Allocatable = capacity - reserved - the hard eviction threshold (pkg/kubelet/cm/node_container_manager). */
export function allocatable(facts: NodeFacts, s: NodeSettings): { cpuMilli: number; memoryBytes: number; ephemeralBytes: number; pods: number } {
  const hard = (signal: Threshold["signal"], cap: number) => {
    const t = s.evictionHard.find((x) => x.signal === signal && !x.gracePeriodMs);
    return t ? thresholdAmount(t, cap) : 0;
  };
  return {
    cpuMilli: Math.max(0, facts.cpuCores * 1000 - s.reserved.cpuMilli),
    memoryBytes: Math.max(0, facts.memoryBytes - s.reserved.memoryBytes - hard("memory.available", facts.memoryBytes)),
    ephemeralBytes: Math.max(0, facts.ephemeralBytes - s.reserved.ephemeralBytes - hard("nodefs.available", facts.ephemeralBytes)),
    pods: s.maxPods,
  };
}

/** The Node object, given what the node is and how it is doing. */
export function buildNode(facts: NodeFacts, s: NodeSettings, previous: Node | undefined, now: string, pressure: PressureCondition[] = []): Node {
  const alloc = allocatable(facts, s);
  const has = (c: PressureCondition) => pressure.includes(c);
  const conditions: NodeCondition[] = [
    cond("MemoryPressure", has("MemoryPressure"), "KubeletHasSufficientMemory", "kubelet has sufficient memory available", "KubeletHasInsufficientMemory", "kubelet has insufficient memory available"),
    cond("DiskPressure", has("DiskPressure"), "KubeletHasNoDiskPressure", "kubelet has no disk pressure", "KubeletHasDiskPressure", "kubelet has disk pressure"),
    cond("PIDPressure", has("PIDPressure"), "KubeletHasSufficientPID", "kubelet has sufficient PID available", "KubeletHasInsufficientPID", "kubelet has insufficient PID available"),
    { type: "Ready", status: "True" as const, reason: "KubeletReady", message: facts.swapBytes > 0 ? "kubelet is posting ready status (warning: swap is on)" : "kubelet is posting ready status" },
  ].map((c) => {
    const prev = previous?.status?.conditions?.find((p) => p.type === c.type);
    return { ...c, lastHeartbeatTime: now, lastTransitionTime: prev && prev.status === c.status ? prev.lastTransitionTime : now };
  });
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      ...(previous?.metadata ?? {}),
      name: s.name,
      labels: {
        "kubernetes.io/hostname": s.name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": arch() === "x64" ? "amd64" : arch(),
        ...(s.worker ? {} : { "node-role.kubernetes.io/control-plane": "" }),
        ...(previous?.metadata.labels ?? {}),
      },
    },
    spec: { ...(s.podCIDR ? { podCIDR: s.podCIDR, podCIDRs: [s.podCIDR] } : {}), ...taintsOf(previous, pressure) },
    status: {
      capacity: {
        cpu: String(facts.cpuCores),
        memory: `${Math.floor(facts.memoryBytes / 1024)}Ki`,
        "ephemeral-storage": `${Math.floor(facts.ephemeralBytes / 1024)}Ki`,
        pods: String(s.maxPods),
      },
      allocatable: {
        cpu: alloc.cpuMilli % 1000 === 0 ? String(alloc.cpuMilli / 1000) : `${alloc.cpuMilli}m`,
        memory: `${Math.floor(alloc.memoryBytes / 1024)}Ki`,
        "ephemeral-storage": `${Math.floor(alloc.ephemeralBytes / 1024)}Ki`,
        pods: String(alloc.pods),
      },
      conditions,
      addresses: [
        { type: "InternalIP", address: s.hostIP },
        { type: "Hostname", address: facts.hostname },
      ],
      nodeInfo: {
        machineID: facts.machineID,
        systemUUID: facts.machineID,
        bootID: facts.bootID,
        kernelVersion: facts.kernel,
        osImage: facts.osImage,
        containerRuntimeVersion: RUNTIME_VERSION,
        kubeletVersion: KUBELET_VERSION,
        kubeProxyVersion: KUBELET_VERSION,
        operatingSystem: "linux",
        architecture: arch() === "x64" ? "amd64" : arch(),
        swap: { capacity: facts.swapBytes },
      },
      daemonEndpoints: { kubeletEndpoint: { Port: s.kubeletPort ?? 10250 } },
    },
  };
}

function cond(type: string, problem: boolean, okReason: string, okMessage: string, badReason: string, badMessage: string): NodeCondition {
  return problem
    ? { type, status: "True", reason: badReason, message: badMessage }
    : { type, status: "False", reason: okReason, message: okMessage };
}

interface Taint {
  key: string;
  value?: string;
  effect: string;
  timeAdded?: string;
}

const PRESSURE_TAINTS = new Set(Object.values(CONDITION_TAINT));

/**
 * The Node's taints: the NoSchedule taint of each pressure condition (the node lifecycle controller's
 * TaintNodesByCondition, which a one-node cluster does here) beside the taints someone else set, which are kept.
 */
export function taintsOf(previous: Node | undefined, pressure: PressureCondition[]): { taints?: Taint[] } {
  const old = (previous?.spec?.taints ?? []) as Taint[];
  const others = old.filter((t) => !PRESSURE_TAINTS.has(t.key));
  const mine = pressure.map((c) => ({ key: CONDITION_TAINT[c], effect: "NoSchedule" }));
  const taints = [...others, ...mine];
  return taints.length ? { taints } : {};
}
