/**
 * Small helpers shared by the benchmark scripts: percentiles, tables, hyperfine runs of whole commands.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function percentile(sorted: number[], p: number): number {
  const xs = [...sorted].sort((a, b) => a - b);
  if (xs.length === 0) return NaN;
  const i = Math.min(xs.length - 1, Math.max(0, Math.ceil((p / 100) * xs.length) - 1));
  return xs[i];
}

export function printTable(header: string[], rows: string[][]): void {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) => `| ${r.map((c, i) => (c ?? "").padEnd(widths[i])).join(" | ")} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const r of rows) console.log(line(r));
}

export { onPath as have } from "../test/helpers/root.js";

export interface TimedCommand {
  name: string;
  median: number;
  min: number;
  max: number;
  /** Mean user + system CPU time (ms). */
  cpu: number;
}

/** Times each shell command with hyperfine (warm-up, then `runs` runs); medians in ms. */
export function hyperfine(cmds: { name: string; cmd: string }[], runs: number): TimedCommand[] {
  const dir = mkdtempSync(join(tmpdir(), "nodelet-hyperfine-"));
  const json = join(dir, "out.json");
  try {
    const args = ["--warmup", "3", "--runs", String(runs), "--export-json", json, "--style", "none"];
    for (const c of cmds) args.push("-n", c.name, c.cmd);
    execFileSync("hyperfine", args, { stdio: ["ignore", "ignore", "inherit"] });
    const out = JSON.parse(readFileSync(json, "utf8")) as { results: { command: string; median: number; min: number; max: number; user: number; system: number }[] };
    return out.results.map((r) => ({ name: r.command, median: r.median * 1000, min: r.min * 1000, max: r.max * 1000, cpu: (r.user + r.system) * 1000 }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
