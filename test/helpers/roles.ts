/**
 * `nodelet control-plane` and `nodelet node` as child processes for tests: each with a root of its own under a
 * temporary directory, its output kept (the last 64 KiB) for assertions and failure messages, started when its
 * "ready" line appears, stopped with SIGTERM (or killed with SIGKILL, as a crash) and, for a node, its pods and
 * host objects removed by `nodelet reset --root` afterwards.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NODELET } from "./daemon.js";
import { waitFor } from "./wait.js";

export interface RoleProcess {
  root: string;
  proc: ChildProcess;
  /** What the process wrote to stdout and stderr so far. */
  output(): string;
  /** Whether it has exited. */
  exited(): boolean;
  /** SIGTERM (a stop) or SIGKILL (a crash); resolves once it has exited (SIGKILL after 20 s of SIGTERM). */
  stop(signal?: "SIGTERM" | "SIGKILL"): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once("exit", () => {
  for (const p of live) p.kill("SIGKILL");
});

function startRole(verb: "control-plane" | "node", root: string, args: string[], ready: RegExp, timeoutMs: number, nodeArgs: string[] = []): Promise<RoleProcess> {
  const proc = spawn(process.execPath, [...nodeArgs, NODELET, verb, "--root", root, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  live.add(proc);
  let out = "";
  const keep = (b: Buffer) => {
    out += b.toString();
    if (out.length > 65536) out = out.slice(-65536);
  };
  proc.stdout?.on("data", keep);
  proc.stderr?.on("data", keep);
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  const hasExited = () => proc.exitCode !== null || proc.signalCode !== null;
  const role: RoleProcess = {
    root,
    proc,
    output: () => out,
    exited: hasExited,
    async stop(signal = "SIGTERM") {
      if (!hasExited()) {
        proc.kill(signal);
        const timer = setTimeout(() => proc.kill("SIGKILL"), 20_000);
        await exited;
        clearTimeout(timer);
      }
      live.delete(proc);
    },
  };
  return waitFor(
    `nodelet ${verb} ready`,
    () => {
      if (hasExited()) throw new Error(`nodelet ${verb} exited (${proc.exitCode ?? proc.signalCode}):\n${out}`);
      return ready.test(out);
    },
    timeoutMs,
    50,
  ).then(
    () => role,
    async (err: Error) => {
      await role.stop("SIGKILL");
      throw err;
    },
  );
}

export interface TestControlPlane extends RoleProcess {
  kubeconfig: string;
  server: string;
}

/**
 * A control plane listening on 127.0.0.1:`port`; `args` adds --etcd-servers, --leader-elect-* and so on, `nodeArgs`
 * Node's own flags (a benchmark's --cpu-prof, which NODE_OPTIONS may not carry).
 */
export async function startTestControlPlane(port: number, args: string[] = [], root = mkdtempSync(join(tmpdir(), "nodelet-cp-")), nodeArgs: string[] = []): Promise<TestControlPlane> {
  const cp = await startRole("control-plane", root, ["--listen", `127.0.0.1:${port}`, ...args], /nodelet control-plane ready/, 60_000, nodeArgs);
  return { ...cp, kubeconfig: join(root, "kubeconfig"), server: `https://127.0.0.1:${port}` };
}

/**
 * A node joined with `--kubeconfig FILE` (a string) or with the join flags given (`--server`, `--token`, `--ca-file`);
 * `args` adds its network flags (given to `nodelet reset` too), `nodeOnly` flags only the node role takes
 * (--kubelet-port). Stopping it resets its root (pods removed).
 */
export async function startTestNode(root: string, join: string | string[], nodeName: string, args: string[] = [], nodeOnly: string[] = []): Promise<RoleProcess> {
  const credentials = typeof join === "string" ? ["--kubeconfig", join] : join;
  const node = await startRole("node", root, [...credentials, "--node-name", nodeName, ...nodeOnly, ...args], /nodelet node ready/, 120_000);
  return {
    ...node,
    async stop(signal = "SIGTERM") {
      await node.stop(signal);
      const r = spawnSync(process.execPath, [NODELET, "reset", "--root", root, ...args], { encoding: "utf8", timeout: 120_000 });
      if (r.status !== 0) throw new Error(`nodelet reset --root ${root}: ${r.stderr}`);
    },
  };
}

/** Removes a role's root (after it stopped). */
export function removeRoot(root: string): void {
  rmSync(root, { recursive: true, force: true });
}
