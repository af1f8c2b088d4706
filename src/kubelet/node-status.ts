/**
 * The Node object of this node, as the kubelet registers and refreshes it: capacity and allocatable (CPU, memory,
 * ephemeral storage, pods), conditions, addresses and nodeInfo, including the swap state (the kubelet refuses to
 * run with swap on by default; we run, warn and report it).
 */
import { readdirSync, readFileSync, statfsSync } from "node:fs";
import { arch, cpus, hostname, release, totalmem } from "node:os";
import type { Node, NodeCondition } from "../api/types.js";
import { thresholdAmount, type NodeUsage, type Pressure, type Reserved, type Threshold } from "./node-pressure.js";

export const KUBELET_VERSION = "v1.32.0-nodelet";
export const RUNTIME_VERSION = "nodelet://0.1.0";

export interface NodeFacts {
  cpuCores: number;
  memoryBytes: number;
  ephemeralBytes: number;
  swapBytes: number;
  kernel: string;
  osImage: string;
  bootID: string;
  machineID: string;
}

export function readNodeFacts(root = "/"): NodeFacts {
  const read = (p: string) => {
    try {
      return readFileSync(p, "utf8");
    } catch {
      return "";
    }
  };
  const fs = statfsSync(root);
  const swap = read("/proc/swaps")
    .split("\n")
    .slice(1)
    .filter(Boolean)
    .reduce((sum, l) => sum + Number(l.split(/\s+/)[2] ?? 0) * 1024, 0);
  return {
    cpuCores: cpus().length,
    memoryBytes: totalmem(),
    ephemeralBytes: fs.blocks * fs.bsize,
    swapBytes: swap,
    kernel: release(),
    osImage: /PRETTY_NAME="([^"]*)"/.exec(read("/etc/os-release"))?.[1] ?? "Linux",
    bootID: read("/proc/sys/kernel/random/boot_id").trim(),
    machineID: read("/etc/machine-id").trim(),
  };
}

/** What is left of memory, disk, inodes and pids now (the eviction signals), from /proc and statfs. */
export function readNodeUsage(root = "/"): NodeUsage {
  const meminfo = readText("/proc/meminfo");
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(meminfo)?.[1] ?? 0) * 1024;
  const fs = statfsSync(root);
  const pidMax = Number(readText("/proc/sys/kernel/pid_max").trim()) || 32768;
  const threads = Number(/\/(\d+)/.exec(readText("/proc/loadavg"))?.[1] ?? readdirSync("/proc").length);
  return {
    memoryAvailableBytes: kb("MemAvailable"),
    memoryTotalBytes: kb("MemTotal"),
    fsAvailableBytes: fs.bavail * fs.bsize,
    fsTotalBytes: fs.blocks * fs.bsize,
    inodesFree: fs.ffree,
    inodesTotal: fs.files,
    pidsAvailable: pidMax - threads,
    pidMax,
  };
}

function readText(p: string): string {
  try {
    return readFileSync(p, "utf8");
  } catch {
    return "";
  }
}

export interface NodeSettings {
  name: string;
  hostIP: string;
  podCIDR?: string;
  /** --system-reserved and --kube-reserved added up. */
  reserved: Reserved;
  /** --eviction-hard: memory and nodefs thresholds come off allocatable too. */
  evictionHard: Threshold[];
  maxPods: number;
}

/** Allocatable = capacity - reserved - the hard eviction threshold (pkg/kubelet/cm/node_container_manager). */
export function allocatable(facts: NodeFacts, s: NodeSettings): { cpuMilli: number; memoryBytes: number; ephemeralBytes: number; pods: number } {
  const hard = (signal: Threshold["signal"], cap: number) => {
    const t = s.evictionHard.find((x) => x.signal === signal);
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
export function buildNode(facts: NodeFacts, s: NodeSettings, previous: Node | undefined, now: string, pressure: Pressure = {}): Node {
  const alloc = allocatable(facts, s);
  const conditions: NodeCondition[] = [
    cond("MemoryPressure", pressure.MemoryPressure, "KubeletHasSufficientMemory", "kubelet has sufficient memory available", "KubeletHasInsufficientMemory"),
    cond("DiskPressure", pressure.DiskPressure, "KubeletHasNoDiskPressure", "kubelet has no disk pressure", "KubeletHasDiskPressure"),
    cond("PIDPressure", pressure.PIDPressure, "KubeletHasSufficientPID", "kubelet has sufficient PID available", "KubeletHasInsufficientPID"),
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
        "node-role.kubernetes.io/control-plane": "",
        ...(previous?.metadata.labels ?? {}),
      },
    },
    spec: s.podCIDR ? { podCIDR: s.podCIDR, podCIDRs: [s.podCIDR] } : {},
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
        { type: "Hostname", address: hostname() },
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
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    },
  };
}

function cond(type: string, problem: string | undefined, okReason: string, okMessage: string, badReason: string): NodeCondition {
  return problem
    ? { type, status: "True", reason: badReason, message: problem }
    : { type, status: "False", reason: okReason, message: okMessage };
}
