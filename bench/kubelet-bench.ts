/**
 * The kubelet's reaction times and costs, measured on a real daemon (needs root), printed as a small table:
 *
 * - container death → its replacement running (first restart, no back-off), against the kubelet's 1 s PLEG relist;
 * - liveness failure → the container restarted (periodSeconds 1, failureThreshold 1);
 * - daemon CPU while idle with 100 pods (goal: under 1% of a core);
 * - re-adopting 100 pods after kill -9 (goal: under 2 s, no container restarted).
 *
 * Run: node dist/bench/kubelet-bench.js [--pods N] [--samples N] [--idle-seconds N]
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import type { Pod } from "../src/api/types.js";
import { readProcStat } from "../src/sys/proc.js";
import { eventually, TestDaemon } from "../test/helpers/daemon.js";
import { percentile, printTable } from "./lib.js";


const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const PODS = arg("pods", 100);
const SAMPLES = arg("samples", 10);
const IDLE_SECONDS = arg("idle-seconds", 30);


async function pods(d: TestDaemon): Promise<Pod[]> {
  const r = await d.cli(["get", "pods", "-o", "json"]);
  return (JSON.parse(r.stdout) as { items: Pod[] }).items;
}

async function applyAll(d: TestDaemon, name: string, docs: string[]): Promise<void> {
  const file = join(d.root, `${name}.yaml`);
  writeFileSync(file, docs.join("---\n"));
  const r = await d.cli(["apply", "-f", file]);
  if (r.code !== 0) throw new Error(`apply ${name}: ${r.stderr}`);
}

const podYaml = (name: string, extra = "", volumes = "") =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  terminationGracePeriodSeconds: 2\n  containers:\n  - name: c\n    image: busybox\n    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]\n${extra}${volumes}`;

async function running(d: TestDaemon, prefix: string, n: number): Promise<Pod[]> {
  return eventually(async () => {
    const all = (await pods(d)).filter((p) => p.metadata.name!.startsWith(prefix));
    return all.length === n && all.every((p) => p.status?.containerStatuses?.[0]?.state.running) && all;
  }, 300_000, `${n} ${prefix} pods running`);
}

/** Waits (polling the runtime's records every 2 ms) for attempt 1 of the pod's container to be running. */
async function restartedAt(d: TestDaemon, uid: string): Promise<number> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const next = d.containerRecords(uid).find((r) => r.attempt === 1 && r.state === "running" && r.startedAt);
    if (next) return Date.parse(next.startedAt!);
    if (Date.now() > deadline) throw new Error(`pod ${uid} was not restarted`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

function stats(ms: number[]): string {
  return `median ${percentile(ms, 50).toFixed(0)} ms, p90 ${percentile(ms, 90).toFixed(0)} ms, max ${percentile(ms, 100).toFixed(0)} ms (n=${ms.length})`;
}

async function deathToRestart(d: TestDaemon): Promise<string> {
  await applyAll(d, "death", [...Array(SAMPLES).keys()].map((i) => podYaml(`death-${i}`)));
  const list = await running(d, "death-", SAMPLES);
  const out: number[] = [];
  for (const p of list) {
    const rec = d.containerRecords(p.metadata.uid!).find((r) => r.state === "running")!;
    const t0 = Date.now();
    process.kill(rec.pid!, "SIGKILL");
    out.push((await restartedAt(d, p.metadata.uid!)) - t0);
  }
  await d.cli(["delete", "-f", join(d.root, "death.yaml"), "--now"]);
  return stats(out);
}

async function livenessToRestart(d: TestDaemon): Promise<string> {
  const base = join(d.root, "probe-files");
  const docs = [...Array(SAMPLES).keys()].map((i) => {
    mkdirSync(join(base, String(i)), { recursive: true });
    writeFileSync(join(base, String(i), "ok"), "");
    const probe = `    livenessProbe:\n      exec:\n        command: ["test", "-e", "/probe/ok"]\n      periodSeconds: 1\n      failureThreshold: 1\n    volumeMounts: [{name: p, mountPath: /probe}]\n`;
    return podYaml(`live-${i}`, probe, `  volumes:\n  - name: p\n    hostPath: {path: ${join(base, String(i))}}\n`);
  });
  await applyAll(d, "live", docs);
  const list = await running(d, "live-", SAMPLES);
  const out: number[] = [];
  for (const p of list) {
    const i = p.metadata.name!.split("-")[1];
    // A random moment within the probe period: measured one after the other, the samples would otherwise all fall
    // right after a probe (the previous restart happened at one) and all wait a full period.
    await new Promise((r) => setTimeout(r, Math.random() * 1000));
    const t0 = Date.now();
    rmSync(join(base, i, "ok"));
    out.push((await restartedAt(d, p.metadata.uid!)) - t0);
  }
  await d.cli(["delete", "-f", join(d.root, "live.yaml"), "--now"]);
  return stats(out);
}

function cpuTicks(pid: number): number {
  const st = readProcStat(pid);
  if (!st) throw new Error(`process ${pid} is gone`);
  return st.utime + st.stime;
}

function daemonPid(d: TestDaemon): number {
  for (const pid of readdirSync("/proc").filter((n) => /^\d+$/.test(n))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      if (cmd.includes("\0daemon\0") && cmd.includes(d.root)) return Number(pid);
    } catch {
      // gone
    }
  }
  throw new Error("daemon process not found");
}

async function idleCpu(d: TestDaemon): Promise<string> {
  await applyAll(d, "idle", [...Array(PODS).keys()].map((i) => podYaml(`idle-${i}`)));
  await running(d, "idle-", PODS);
  await new Promise((r) => setTimeout(r, 5000));
  const pid = daemonPid(d);
  const t0 = Date.now();
  const c0 = cpuTicks(pid);
  await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
  const used = (cpuTicks(pid) - c0) / 100;
  const wall = (Date.now() - t0) / 1000;
  return `${((used / wall) * 100).toFixed(2)}% of a core over ${wall.toFixed(0)} s (${PODS} pods)`;
}

async function readopt(d: TestDaemon): Promise<string> {
  const before = new Map((await pods(d)).map((p) => [p.metadata.name!, p.status!.containerStatuses![0].containerID]));
  await d.kill9();
  const t0 = Date.now();
  await d.start();
  const ready = Date.now() - t0;
  const line = await eventually(async () => {
    const all = [...d.log.matchAll(/re-adopted (\d+) pods in (\d+) ms/g)];
    return all.length >= 2 && all.at(-1);
  }, 60_000, "re-adoption line");
  const synced = Date.now() - t0;
  const after = await pods(d);
  const restarted = after.filter((p) => p.status?.containerStatuses?.[0]?.containerID !== before.get(p.metadata.name!)).length;
  return `${line[1]} pods: API ready ${ready} ms after exec, every pod synced by ${synced} ms (kubelet: ${line[2]} ms); ${restarted} containers restarted`;
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error("the kubelet bench needs root (it runs a real daemon)");
  const d = new TestDaemon("kubelet-bench");
  const rows: [string, string, string][] = [];
  try {
    await d.start();
    rows.push(["container death → replacement running (first restart)", await deathToRestart(d), "kubelet: PLEG relist every 1 s"]);
    rows.push(["liveness failure → container restarted (period 1 s, threshold 1)", await livenessToRestart(d), "kubelet: ≤ period + relist (≈ 1-2 s)"]);
    rows.push([`daemon CPU while idle with ${PODS} pods`, await idleCpu(d), "goal < 1% of a core"]);
    rows.push([`re-adopt ${PODS} pods after kill -9`, await readopt(d), "goal < 2 s, none restarted"]);
  } finally {
    await d.cleanup();
  }
  console.log(`\nkubelet bench: ${cpus().length} cores, node ${process.version}`);
  printTable(["what", "measured", "anchor / goal"], rows);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
