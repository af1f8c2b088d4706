/**
 * A one-member etcd for a test: its own loopback ports and data directory, gone when the test file is done (or the
 * process exits some other way). Debian's etcd-server (Makefile DEB_PACKAGES) provides the binary.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePorts } from "./ports.js";
import { waitFor } from "./wait.js";

export interface TestEtcd {
  /** The client URL (`--etcd-servers`). */
  endpoint: string;
  dataDir: string;
  /** Stops the member (SIGTERM, then SIGKILL) and removes its data unless `keepData`. */
  stop(keepData?: boolean): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once("exit", () => {
  for (const p of live) p.kill("SIGKILL");
});

export async function startEtcd(opts: { dataDir?: string; name?: string } = {}): Promise<TestEtcd> {
  const [client, peer] = await freePorts(2);
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), "nodelet-etcd-"));
  const name = opts.name ?? "m1";
  const endpoint = `http://127.0.0.1:${client}`;
  const peerUrl = `http://127.0.0.1:${peer}`;
  const proc = spawn(
    "etcd",
    [
      "--name", name,
      "--data-dir", dataDir,
      "--listen-client-urls", endpoint,
      "--advertise-client-urls", endpoint,
      "--listen-peer-urls", peerUrl,
      "--initial-advertise-peer-urls", peerUrl,
      "--initial-cluster", `${name}=${peerUrl}`,
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
  const stop = async (keepData = false) => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
    live.delete(proc);
    if (!keepData) rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      `etcd on ${endpoint} healthy`,
      async () => {
        if (proc.exitCode !== null) throw new Error(`etcd exited (${proc.exitCode}): ${stderr}`);
        try {
          const res = await fetch(`${endpoint}/health`);
          return res.ok && ((await res.json()) as { health?: string }).health === "true";
        } catch {
          return false;
        }
      },
      20_000,
      50,
    );
  } catch (err) {
    await stop(opts.dataDir !== undefined);
    throw err;
  }
  return { endpoint, dataDir, stop };
}
