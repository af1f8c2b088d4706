/**
 * `nodelet explain pod NAME --timing`: where the pod's start went, as a table. Phases of the start (the API
 * request, the kubelet's wake-up, the sandbox, each container, the status write) at the left margin; the steps inside
 * them indented under them; the host commands and file writes those steps made indented once more, a run of the
 * same operation (a pod cgroup's dozen writes) on one line with its count and the time from its first to its last.
 */
import type { StartTiming, TimedStep } from "../sys/start-trace.js";

const INDENT: Record<TimedStep["level"], string> = { phase: "", step: "  ", host: "    " };

export function renderStartTiming(t: StartTiming, title: string): string {
  const rows = collapseHostRuns(t.steps).map((s) => [`${INDENT[s.level]}${s.name}`, ms(s.startMs), ms(s.durationMs)]);
  const header = ["STEP", "START (ms)", "TOOK (ms)"];
  const width = [header, ...rows].reduce((w, r) => Math.max(w, r[0].length), 0);
  const line = (r: string[]): string => `${r[0].padEnd(width)}  ${r[1].padStart(10)}  ${r[2].padStart(9)}`;
  const total = t.complete ? `${ms(t.totalMs)} ms from the API request to the status that says Running` : `${ms(t.totalMs)} ms so far: the pod has not reported Running yet`;
  return [`# ${title}`, line(header), ...rows.map(line), `# ${total}`, ""].join("\n");
}

/** Host steps shown by what they did and the file's name ("write cpu.shares"); runs of one operation as one row. */
export function collapseHostRuns(steps: TimedStep[]): TimedStep[] {
  const out: TimedStep[] = [];
  let run: { verb: string; files: string[]; first: TimedStep; end: number } | undefined;
  const flush = (): void => {
    if (!run) return;
    const { verb, files, first, end } = run;
    const names = [...new Set(files)];
    const shown = names.length > 3 ? `${names.slice(0, 3).join(", ")}, …` : names.join(", ");
    out.push({ ...first, name: files.length === 1 ? `${verb} ${shown}` : `${verb} ×${files.length} (${shown})`, durationMs: round(end - first.startMs) });
    run = undefined;
  };
  for (const s of steps) {
    const file = s.level === "host" ? /^(write|mkdir|rmdir|symlink|unlink) (.*)$/.exec(s.name) : null;
    if (!file) {
      flush();
      out.push(s);
      continue;
    }
    const [, verb, path] = file;
    if (run && run.verb !== verb) flush();
    run ??= { verb, files: [], first: s, end: s.startMs };
    run.files.push(path.split("/").pop() || path);
    run.end = Math.max(run.end, s.startMs + s.durationMs);
  }
  flush();
  return out;
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}

function ms(v: number): string {
  return v.toFixed(2);
}
