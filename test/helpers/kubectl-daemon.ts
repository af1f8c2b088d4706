/**
 * A real daemon behind its HTTPS listener for real kubectl, for the enclosing describe(): suiteDaemon (started
 * before the tests, removed after them with the leak check) plus a free loopback port for --listen, a kubectl
 * discovery cache of its own, and a kubectl() that runs against the daemon's kubeconfig.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { suiteDaemon, type CliResult, type SuiteDaemonOptions, type TestDaemon } from "./daemon.js";
import { freePort } from "./ports.js";

export interface KubectlOptions {
  /** Written to kubectl's stdin. */
  input?: string;
  cwd?: string;
  /** Default 60 s. */
  timeoutMs?: number;
}

export interface KubectlDaemon {
  readonly d: TestDaemon;
  kubectl: (args: string[], opts?: KubectlOptions) => Promise<CliResult>;
}

export function kubectlDaemon(name: string, extraArgs: string[] = [], opts: SuiteDaemonOptions = {}): KubectlDaemon {
  let cache = "";
  const d = suiteDaemon(name, extraArgs, {
    ...opts,
    async beforeStart(daemon) {
      cache = mkdtempSync(join(tmpdir(), "nodelet-kubectl-cache-"));
      daemon.extraArgs.push("--listen", `127.0.0.1:${await freePort()}`);
      await opts.beforeStart?.(daemon);
    },
    async afterStop() {
      if (cache) rmSync(cache, { recursive: true, force: true });
      await opts.afterStop?.();
    },
  });
  const kubectl = (args: string[], o: KubectlOptions = {}): Promise<CliResult> =>
    new Promise((resolve) => {
      const child = execFile("kubectl", ["--kubeconfig", join(d.root, "kubeconfig"), "--cache-dir", cache, ...args], { timeout: o.timeoutMs ?? 60_000, cwd: o.cwd }, (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
      if (o.input !== undefined) child.stdin?.end(o.input);
    });
  return { d, kubectl };
}
