/**
 * The shim's timing marks of a container start (shim/marks.h) as spans of the pod's start trace: each span runs
 * from one mark to the next the shim took, named after what happened in between.
 */
import type { StartTraces } from "../sys/start-trace.js";

/** In the order the shim takes them: the span ending at each mark, and what it covered. */
const SHIM_STEPS: [mark: string, span: string][] = [
  ["zygote", "shim: request to the monitor zygote"],
  ["monitor", "shim: fork and exec the monitor"],
  ["monitor-ready", "shim: monitor set-up (signals, stdio, log pipes)"],
  ["joined", "shim: join device filter, cgroups, namespaces"],
  ["init", "shim: fork the container's init"],
  ["rootfs", "shim: mount namespace, overlay root"],
  ["system-mounts", "shim: /proc, /dev, /sys, cgroup view"],
  ["volumes", "shim: volume mounts, working directory"],
  ["protected", "shim: masked and read-only paths"],
  ["pivoted", "shim: pivot_root"],
  ["exec", "shim: identity, capabilities, seccomp"],
  ["running", "shim: execve"],
];

/** The first step when the node's monitor zygote forked the monitor (shim-zygote.ts) rather than the shim being exec'd. */
const ZYGOTE_STEP = "shim: the zygote forks the monitor";

/**
 * Adds the shim's steps of one container start to the pod's trace: from `began` (the daemon started the shim) to
 * each mark in turn, and from the last mark to `answered` (the daemon read the shim's answer). A `zygote` mark: the
 * monitor was forked by the node's monitor zygote (shim-zygote.ts), not exec'd.
 */
export function addShimSpans(traces: StartTraces, uid: string, marks: Map<string, number>, began: number, answered: number): void {
  const forked = marks.has("zygote");
  let from = began;
  for (const [mark, span] of SHIM_STEPS) {
    const at = marks.get(mark);
    if (at === undefined || at < from) continue;
    traces.add(uid, forked && mark === "monitor" ? ZYGOTE_STEP : span, from, at, "step");
    from = at;
  }
  if (from > began) traces.add(uid, "shim: answer read by the daemon", from, Math.max(from, answered), "step");
}
