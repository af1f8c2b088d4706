/**
 * etcd for a test or a benchmark: one member (or `members` on loopback forming one cluster), each with its own ports
 * and data directory, gone when the test file is done (or the process exits some other way). Debian's etcd-server
 * (Makefile DEB_PACKAGES) provides the binary.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePorts } from "./ports.js";
import { waitFor } from "./wait.js";

export interface TestEtcd {
  /** The first member's client URL (`--etcd-servers` for one member). */
  endpoint: string;
  /** Every member's client URL. */
  endpoints: string[];
  /** The members' process ids. */
  pids: number[];
  /** The data directory (of the only member; the members' parent with several). */
  dataDir: string;
  /** Stops the members (SIGTERM, then SIGKILL) and removes their data unless `keepData`. */
  stop(keepData?: boolean): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once("exit", () => {
  for (const p of live) p.kill("SIGKILL");
});

interface Member {
  name: string;
  client: string;
  peer: string;
  dataDir: string;
}

function spawnMember(m: Member, initialCluster: string): { proc: ChildProcess; stderr: () => string; exited: Promise<void> } {
  const proc = spawn(
    "etcd",
    [
      "--name", m.name,
      "--data-dir", m.dataDir,
      "--listen-client-urls", m.client,
      "--advertise-client-urls", m.client,
      "--listen-peer-urls", m.peer,
      "--initial-advertise-peer-urls", m.peer,
      "--initial-cluster", initialCluster,
      "--initial-cluster-state", "new",
      "--log-level", "error",
      "--logger", "zap",
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  live.add(proc);
  let stderr = "";
  proc.stderr?.on("data", (d: Buffer) => {
    if (stderr.length < 8192) stderr += d.toString();
  });
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  return { proc, stderr: () => stderr, exited };
}

/** Starts etcd and waits until every member reports healthy (a cluster of several: once they elected a leader). */
export async function startEtcd(opts: { dataDir?: string; name?: string; members?: number } = {}): Promise<TestEtcd> {
  const n = Math.max(1, opts.members ?? 1);
  const ports = await freePorts(2 * n);
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), "nodelet-etcd-"));
  const members: Member[] = Array.from({ length: n }, (_, i) => {
    const name = n === 1 ? (opts.name ?? "m1") : `m${i + 1}`;
    const memberDir = n === 1 ? dataDir : join(dataDir, name);
    if (n > 1) mkdirSync(memberDir, { recursive: true });
    return { name, client: `http://127.0.0.1:${ports[2 * i]}`, peer: `http://127.0.0.1:${ports[2 * i + 1]}`, dataDir: memberDir };
  });
  const initialCluster = members.map((m) => `${m.name}=${m.peer}`).join(",");
  const procs = members.map((m) => spawnMember(m, initialCluster));
  const stop = async (keepData = false) => {
    await Promise.all(
      procs.map(async ({ proc, exited }) => {
        if (proc.exitCode === null && proc.signalCode === null) {
          proc.kill("SIGTERM");
          const timer = setTimeout(() => proc.kill("SIGKILL"), 5000);
          await exited;
          clearTimeout(timer);
        }
        live.delete(proc);
      }),
    );
    if (!keepData) rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      `etcd on ${members.map((m) => m.client).join(",")} healthy`,
      async () => {
        for (const p of procs) if (p.proc.exitCode !== null) throw new Error(`etcd exited (${p.proc.exitCode}): ${p.stderr()}`);
        const healthy = await Promise.all(
          members.map(async (m) => {
            try {
              const res = await fetch(`${m.client}/health`);
              return res.ok && ((await res.json()) as { health?: string }).health === "true";
            } catch {
              return false;
            }
          }),
        );
        return healthy.every(Boolean);
      },
      20_000,
      50,
    );
  } catch (err) {
    await stop(opts.dataDir !== undefined);
    throw err;
  }
  return { endpoint: members[0].client, endpoints: members.map((m) => m.client), pids: procs.map((p) => p.proc.pid ?? 0), dataDir, stop };
}
