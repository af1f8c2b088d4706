/**
 * Node resource settings as the kubelet takes them: --system-reserved / --kube-reserved (`cpu=100m,memory=256Mi`)
 * and --eviction-hard (`memory.available<100Mi,nodefs.available<10%`), and the pressure conditions they lead to
 * (pkg/kubelet/eviction: a signal under its threshold sets MemoryPressure, DiskPressure or PIDPressure). nodelet
 * reports pressure and subtracts the thresholds from allocatable, as the kubelet does; it does not evict pods.
 */
import { parseQuantity, toBytes, toMilli } from "../api/quantity.js";

export interface Reserved {
  cpuMilli: number;
  memoryBytes: number;
  ephemeralBytes: number;
}

/** One hard eviction threshold: a signal and either an absolute quantity or a percentage of capacity. */
export interface Threshold {
  signal: "memory.available" | "nodefs.available" | "nodefs.inodesFree" | "pid.available";
  quantity?: number;
  percent?: number;
}

/** The kubelet's default --eviction-hard on Linux (minus the imagefs signals: images live on the node fs here). */
export const DEFAULT_EVICTION_HARD = "memory.available<100Mi,nodefs.available<10%,nodefs.inodesFree<5%";

const SIGNALS = ["memory.available", "nodefs.available", "nodefs.inodesFree", "pid.available"] as const;

/** `cpu=100m,memory=256Mi,ephemeral-storage=1Gi` → amounts; throws naming the flag and the bad part. */
export function parseReserved(flag: string, text: string): Reserved {
  const out: Reserved = { cpuMilli: 0, memoryBytes: 0, ephemeralBytes: 0 };
  for (const part of text.split(",").filter(Boolean)) {
    const [name, value] = part.split("=");
    try {
      const q = parseQuantity(value ?? "");
      if (name === "cpu") out.cpuMilli = toMilli(q);
      else if (name === "memory") out.memoryBytes = toBytes(q);
      else if (name === "ephemeral-storage") out.ephemeralBytes = toBytes(q);
      else throw new Error(`unknown resource "${name}" (cpu, memory, ephemeral-storage)`);
    } catch (err) {
      throw new Error(`${flag}: "${part}": ${(err as Error).message}`);
    }
  }
  return out;
}

/** `memory.available<100Mi,nodefs.available<10%` → thresholds; throws naming the flag and the bad part. */
export function parseEvictionHard(flag: string, text: string): Threshold[] {
  return text
    .split(",")
    .filter(Boolean)
    .map((part) => {
      const m = /^([a-zA-Z.]+)<(.+)$/.exec(part.trim());
      const signal = m?.[1] as Threshold["signal"] | undefined;
      if (!m || !signal || !SIGNALS.includes(signal)) throw new Error(`${flag}: "${part}": expected SIGNAL<QUANTITY with a signal of ${SIGNALS.join(", ")}`);
      if (m[2].endsWith("%")) {
        const percent = Number(m[2].slice(0, -1));
        if (!(percent >= 0 && percent <= 100)) throw new Error(`${flag}: "${part}": percentage must be between 0 and 100`);
        return { signal, percent };
      }
      try {
        return { signal, quantity: signal === "nodefs.inodesFree" || signal === "pid.available" ? Number(m[2]) : toBytes(parseQuantity(m[2])) };
      } catch (err) {
        throw new Error(`${flag}: "${part}": ${(err as Error).message}`);
      }
    });
}

/** What the node has left now, per signal, with the capacity percentages refer to. */
export interface NodeUsage {
  memoryAvailableBytes: number;
  memoryTotalBytes: number;
  fsAvailableBytes: number;
  fsTotalBytes: number;
  inodesFree: number;
  inodesTotal: number;
  pidsAvailable: number;
  pidMax: number;
}

/** The amount a threshold stands for, given the capacity it may be a percentage of. */
export function thresholdAmount(t: Threshold, capacity: number): number {
  return t.quantity ?? Math.floor((capacity * (t.percent ?? 0)) / 100);
}

export type Pressure = Partial<Record<"MemoryPressure" | "DiskPressure" | "PIDPressure", string>>;

/** Which pressure conditions hold, with the kubelet's messages. */
export function pressureOf(usage: NodeUsage, thresholds: Threshold[]): Pressure {
  const out: Pressure = {};
  for (const t of thresholds) {
    const [have, cap] = signalValue(usage, t.signal);
    if (have >= thresholdAmount(t, cap)) continue;
    if (t.signal === "memory.available") out.MemoryPressure = "kubelet has insufficient memory available";
    else if (t.signal === "pid.available") out.PIDPressure = "kubelet has insufficient PID available";
    else out.DiskPressure = "kubelet has disk pressure";
  }
  return out;
}

function signalValue(u: NodeUsage, s: Threshold["signal"]): [number, number] {
  switch (s) {
    case "memory.available":
      return [u.memoryAvailableBytes, u.memoryTotalBytes];
    case "nodefs.available":
      return [u.fsAvailableBytes, u.fsTotalBytes];
    case "nodefs.inodesFree":
      return [u.inodesFree, u.inodesTotal];
    case "pid.available":
      return [u.pidsAvailable, u.pidMax];
  }
}
