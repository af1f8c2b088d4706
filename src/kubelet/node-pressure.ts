/**
 * Node resource settings as the kubelet takes them: --system-reserved / --kube-reserved (`cpu=100m,memory=256Mi`)
 * and the eviction thresholds (pkg/kubelet/eviction/helpers.go ParseThresholdConfig): --eviction-hard and
 * --eviction-soft (`memory.available<100Mi,nodefs.available<10%`), --eviction-soft-grace-period
 * (`memory.available=1m30s`) and --eviction-minimum-reclaim (`nodefs.available=500Mi`). Parsing only; what the
 * thresholds lead to (conditions, ranking, evictions) is eviction.ts.
 */
import { parseGoDuration } from "../api/duration.js";
import { parseQuantity, toBytes, toMilli } from "../api/quantity.js";

export interface Reserved {
  cpuMilli: number;
  memoryBytes: number;
  ephemeralBytes: number;
}

/** The kubelet's eviction signals (pkg/kubelet/eviction/api/types.go) that nodelet observes. */
export const SIGNALS = ["memory.available", "nodefs.available", "nodefs.inodesFree", "imagefs.available", "imagefs.inodesFree", "pid.available"] as const;
export type Signal = (typeof SIGNALS)[number];

/** An amount: absolute (bytes, inodes, pids) or a percentage of the signal's capacity. */
export interface ThresholdValue {
  quantity?: number;
  percent?: number;
}

/** One eviction threshold: a signal under a value; soft ones hold for gracePeriodMs before they act. */
export interface Threshold extends ThresholdValue {
  signal: Signal;
  /** Soft thresholds only (a hard threshold has none: it acts at once). */
  gracePeriodMs?: number;
  /** --eviction-minimum-reclaim: once met, the threshold holds until this much more than its value is free. */
  minReclaim?: ThresholdValue;
}

/** The kubelet's default --eviction-hard on Linux. */
export const DEFAULT_EVICTION_HARD = "memory.available<100Mi,nodefs.available<10%,nodefs.inodesFree<5%,imagefs.available<15%";

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
      throw new Error(`${flag}: "${part}": ${(err as Error).message}`, { cause: err });
    }
  }
  return out;
}

const isCount = (s: Signal) => s.endsWith("inodesFree") || s === "pid.available";

function parseSignal(flag: string, part: string, name: string): Signal {
  if (!(SIGNALS as readonly string[]).includes(name)) throw new Error(`${flag}: "${part}": unsupported eviction signal "${name}" (${SIGNALS.join(", ")})`);
  return name as Signal;
}

/** An amount for `signal`: NN% (0 < NN <= 100) or a quantity (bytes; a plain count for inodes and pids). */
function parseValue(flag: string, part: string, signal: Signal, text: string): ThresholdValue {
  if (text.endsWith("%")) {
    const percent = Number(text.slice(0, -1));
    if (!(text.length > 1 && percent >= 0 && percent <= 100)) throw new Error(`${flag}: "${part}": percentage must be between 0% and 100%`);
    return { percent };
  }
  try {
    const n = isCount(signal) ? Math.floor(toMilli(parseQuantity(text)) / 1000) : toBytes(parseQuantity(text));
    if (n < 0) throw new Error("must not be negative");
    return { quantity: n };
  } catch (err) {
    throw new Error(`${flag}: "${part}": ${(err as Error).message}`, { cause: err });
  }
}

/** `memory.available<100Mi,nodefs.available<10%` → thresholds; throws naming the flag and the bad part. */
export function parseThresholds(flag: string, text: string): Threshold[] {
  const out: Threshold[] = [];
  for (const part of text.split(",").map((s) => s.trim()).filter(Boolean)) {
    const m = /^([a-zA-Z.]+)<(.+)$/.exec(part);
    if (!m) throw new Error(`${flag}: "${part}": expected SIGNAL<QUANTITY with a signal of ${SIGNALS.join(", ")}`);
    const signal = parseSignal(flag, part, m[1]);
    // The kubelet ignores 0% and 100%: a threshold that can never or always be met.
    if (m[2] === "0%" || m[2] === "100%") continue;
    const value = parseValue(flag, part, signal, m[2]);
    if (value.quantity === 0) throw new Error(`${flag}: "${part}": eviction threshold ${signal} must be positive`);
    if (out.some((t) => t.signal === signal)) throw new Error(`${flag}: "${part}": ${signal} is given twice`);
    out.push({ signal, ...value });
  }
  return out;
}

/** The hard thresholds: --eviction-hard. */
export const parseEvictionHard = parseThresholds;

/** `SIGNAL=VALUE,...` (--eviction-soft-grace-period, --eviction-minimum-reclaim) → per signal. */
function parseSignalMap<T>(flag: string, text: string, value: (signal: Signal, part: string, v: string) => T): Map<Signal, T> {
  const out = new Map<Signal, T>();
  for (const part of text.split(",").map((s) => s.trim()).filter(Boolean)) {
    const i = part.indexOf("=");
    if (i < 0) throw new Error(`${flag}: "${part}": expected SIGNAL=VALUE`);
    const signal = parseSignal(flag, part, part.slice(0, i));
    out.set(signal, value(signal, part, part.slice(i + 1)));
  }
  return out;
}

export interface EvictionFlags {
  hard: string;
  soft?: string;
  softGracePeriod?: string;
  minimumReclaim?: string;
}

/**
 * Every threshold the flags define (ParseThresholdConfig): the hard ones, then the soft ones with their grace
 * periods (a soft threshold without one is an error), each with its minimum reclaim.
 */
export function parseEvictionConfig(f: EvictionFlags): Threshold[] {
  const hard = parseThresholds("--eviction-hard", f.hard);
  const soft = parseThresholds("--eviction-soft", f.soft ?? "");
  const grace = parseSignalMap("--eviction-soft-grace-period", f.softGracePeriod ?? "", (_s, part, v) => {
    try {
      return parseGoDuration(v);
    } catch (err) {
      throw new Error(`--eviction-soft-grace-period: "${part}": ${(err as Error).message}`, { cause: err });
    }
  });
  const reclaim = parseSignalMap("--eviction-minimum-reclaim", f.minimumReclaim ?? "", (s, part, v) => parseValue("--eviction-minimum-reclaim", part, s, v));
  for (const t of soft) {
    const g = grace.get(t.signal);
    if (g === undefined) throw new Error(`--eviction-soft: grace period must be specified for the soft eviction threshold ${t.signal} (--eviction-soft-grace-period)`);
    t.gracePeriodMs = g;
  }
  const all = [...hard, ...soft];
  for (const t of all) {
    const r = reclaim.get(t.signal);
    if (r) t.minReclaim = r;
  }
  return all;
}

/** What is left of each resource now, with the capacity percentages refer to (a signal not observed is absent). */
export type Observations = Partial<Record<Signal, { available: number; capacity: number }>>;

/** The amount a threshold value stands for, given the capacity it may be a percentage of. */
export function thresholdAmount(t: ThresholdValue, capacity: number): number {
  return t.quantity ?? Math.floor((capacity * (t.percent ?? 0)) / 100);
}
