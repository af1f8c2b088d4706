/**
 * Where a pod's start spends its time: monotonic spans from the API write to the status that says Running, kept
 * for the last N pods (`nodelet explain pod NAME --timing`, and the breakdown of `make bench`). Every layer adds its
 * own spans under the pod's uid: the API server its request, the kubelet its wake-up, plan and status write, the
 * runtime its sandbox and container steps, the Runner each host command and file write, and the shim the steps it
 * takes inside the new container (it reads the same CLOCK_MONOTONIC as process.hrtime, so its marks line up with
 * ours). A trace closes when the pod first reports Running; what happens later (restarts, probes) is not a start.
 */
import type { Recorder, Step } from "./runner.js";

/** Milliseconds on CLOCK_MONOTONIC (libuv's hrtime), the clock the shim's timing marks use too. */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** How deep a span sits in the breakdown: a phase of the start, a step inside one, a host command or file write. */
export type SpanLevel = "phase" | "step" | "host";

export interface Span {
  name: string;
  level: SpanLevel;
  /** Monotonic ms. */
  start: number;
  end: number;
}

export interface StartTrace {
  uid: string;
  spans: Span[];
  /** The pod reported Running: the trace is complete and takes no more spans. */
  complete: boolean;
  /** When the trace was opened (monotonic ms). */
  openedAt?: number;
}

/** One span as shown: its start and length in ms, from the first span of the trace. */
export interface TimedStep {
  name: string;
  level: SpanLevel;
  startMs: number;
  durationMs: number;
}

/** The JSON the node API serves for a pod's start (`GET .../pods/NAME/timing`). */
export interface StartTiming {
  uid: string;
  complete: boolean;
  /** From the first span's start to the last span's end. */
  totalMs: number;
  steps: TimedStep[];
}

/** A trace holds at most this many spans: a pod whose start loops (a crashing init container) cannot grow one. */
const MAX_SPANS = 400;

export class StartTraces implements Recorder {
  /** Insertion order is age: the oldest trace goes first when more than `capacity` pods are kept. */
  private readonly traces = new Map<string, StartTrace>();

  constructor(
    private readonly capacity = 100,
    private readonly now: () => number = monotonicMs,
  ) {}

  /** Starts tracing a pod (once: a pod seen again, or whose trace completed, keeps what it has). */
  open(uid: string): void {
    if (this.traces.has(uid) || this.capacity <= 0) return;
    this.traces.set(uid, { uid, spans: [], complete: false, openedAt: this.now() });
    while (this.traces.size > this.capacity) this.traces.delete(this.traces.keys().next().value!);
  }

  /** Adds a span to a pod's open trace; nothing when the pod is not traced or its start is over. */
  add(uid: string, name: string, start: number, end = this.now(), level: SpanLevel = "phase"): void {
    const t = this.traces.get(uid);
    if (!t || t.complete || t.spans.length >= MAX_SPANS) return;
    t.spans.push({ name, level, start, end: Math.max(start, end) });
  }

  /** Times `work` as a span of the pod's start (whether it succeeds or throws). */
  async time<T>(uid: string, name: string, work: () => Promise<T>, level: SpanLevel = "phase"): Promise<T> {
    if (!this.isOpen(uid)) return work();
    const start = this.now();
    try {
      return await work();
    } finally {
      this.add(uid, name, start, this.now(), level);
    }
  }

  /** When the pod's span of that name ended, if it has one. */
  endOf(uid: string, name: string): number | undefined {
    return this.traces.get(uid)?.spans.find((s) => s.name === name)?.end;
  }

  isOpen(uid: string): boolean {
    const t = this.traces.get(uid);
    return t !== undefined && !t.complete;
  }

  /** How many traced starts are under way: opened within the last `withinMs` and not Running yet. */
  starting(withinMs: number): number {
    const since = this.now() - withinMs;
    let n = 0;
    for (const t of this.traces.values()) if (!t.complete && (t.openedAt ?? -Infinity) >= since) n++;
    return n;
  }

  /** The pod is Running: its start is over. */
  complete(uid: string): void {
    const t = this.traces.get(uid);
    if (t) t.complete = true;
  }

  forget(uid: string): void {
    this.traces.delete(uid);
  }

  get(uid: string): StartTrace | undefined {
    return this.traces.get(uid);
  }

  /** The Runner's host steps of a traced pod join its trace (a step is noted when it ends; `ms` is its length). */
  record(owner: string, step: Step): void {
    if (!this.isOpen(owner) || step.kind === "comment") return;
    const end = this.now();
    this.add(owner, hostStepName(step), end - step.ms, end, "host");
  }

  timing(uid: string): StartTiming | undefined {
    const t = this.traces.get(uid);
    return t && startTiming(t);
  }
}

/** A trace as a table: spans in start order (a longer span first when two start together, so phases lead). */
export function startTiming(t: StartTrace): StartTiming {
  const spans = [...t.spans].sort((a, b) => a.start - b.start || b.end - a.end);
  const origin = spans[0]?.start ?? 0;
  const last = spans.reduce((m, s) => Math.max(m, s.end), origin);
  const round = (ms: number): number => Math.round(ms * 1000) / 1000;
  return {
    uid: t.uid,
    complete: t.complete,
    totalMs: round(last - origin),
    steps: spans.map((s) => ({ name: s.name, level: s.level, startMs: round(s.start - origin), durationMs: round(s.end - s.start) })),
  };
}

function hostStepName(step: Step): string {
  if (step.kind === "exec" || step.kind === "spawn") {
    const cmd = step.argv[0]?.split("/").pop() ?? "";
    // The shim's subcommand says what it did (sandbox, monitor); other commands by name and first argument.
    return step.argv[1] && !step.argv[1].startsWith("-") ? `${cmd} ${step.argv[1]}` : cmd;
  }
  return `${step.kind} ${step.path ?? ""}`.trim();
}

/** Times `work` as a part of a pod's start when starts are traced (`traces` given), else just runs it. */
export function timeStep<T>(traces: StartTraces | undefined, uid: string, name: string, work: () => Promise<T>, level: SpanLevel = "step"): Promise<T> {
  return traces ? traces.time(uid, name, work, level) : work();
}

/** Recorders side by side: the explain file and the start traces both hear every step. */
export function teeRecorder(...recorders: Recorder[]): Recorder {
  return { record: (owner, step) => recorders.forEach((r) => r.record(owner, step)) };
}
