/**
 * Real kubectl against an API server with the workload controllers running in-process and a fake kubelet that
 * reports every pod Running and Ready (and finishes graceful deletions): the controllers' API behaviour, seen by
 * kubectl, without a runtime. close() stops all of it and removes the directory.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureServingCert, writeKubeconfig } from "../../src/apiserver/index.js";
import { ControllerManager } from "../../src/controllers/foundation/controller.js";
import { WORKLOAD_CONTROLLERS } from "../../src/cmd/workloads-wiring.js";
import { realClock } from "../../src/sys/clock.js";
import { FakeKubelet, type FakeKubeletOptions } from "../helpers/fake-kubelet.js";
import type { FakePodIOOptions } from "../helpers/fake-pod-io.js";
import { startTestServer, type TestServer } from "../unit/apiserver/harness.js";
import { runKubectl, type KubectlRun } from "../helpers/kubectl-run.js";

export type Run = KubectlRun;

export interface WorkloadsEnv {
  dir: string;
  t: TestServer;
  kubelet: FakeKubelet;
  kubectl(args: string[], opts?: { timeoutMs?: number; stdin?: string }): Promise<Run>;
  /** kubectl that must succeed; returns stdout. */
  ok(args: string[], opts?: { timeoutMs?: number; stdin?: string }): Promise<string>;
  file(name: string, text: string): string;
  close(): Promise<void>;
}

/** `usage`: each pod's usage as the Metrics API reports it (the autoscaler reads it through the same source). */
export async function startWorkloadsEnv(kubeletOpts: FakeKubeletOptions = {}, logs: Record<string, string> = {}, usage?: FakePodIOOptions["usage"]): Promise<WorkloadsEnv> {
  const dir = mkdtempSync(join(tmpdir(), "nodelet-workloads-"));
  const cert = await ensureServingCert({ dir: join(dir, "pki") });
  const t = await startTestServer({ tcp: { host: "127.0.0.1", port: 0, token: "wl-token", ...cert }, fake: { logs: { c: "hello from the deployment\n", nginx: "hello from nginx\n", busybox: "hello from busybox\n", ...logs }, usage, now: Date.now } });
  const kubeconfig = join(dir, "kubeconfig");
  const cacheDir = join(dir, "cache");
  await writeKubeconfig(kubeconfig, { server: `https://127.0.0.1:${t.server.tcpAddress()!.port}`, caCert: cert.cert, token: "wl-token" });
  const kubelet = new FakeKubelet(t.store, kubeletOpts);
  kubelet.start();
  const manager = new ControllerManager({ api: t.server.objectApi(), clock: realClock, nodeName: "node1", metrics: { podMetrics: (ns, sel) => t.server.podMetrics(ns, sel) } });
  manager.start(WORKLOAD_CONTROLLERS);

  const kubectl = (args: string[], opts: { timeoutMs?: number; stdin?: string } = {}): Promise<Run> =>
    runKubectl({ kubeconfig, cacheDir, home: dir }, args, opts.stdin, opts.timeoutMs ?? 60_000);
  return {
    dir,
    t,
    kubelet,
    kubectl,
    async ok(args, opts) {
      const r = await kubectl(args, opts);
      if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")} failed (${r.code}): ${r.stderr}${r.stdout}`);
      return r.stdout;
    },
    file(name, text) {
      const p = join(dir, name);
      writeFileSync(p, text);
      return p;
    },
    async close() {
      kubelet.stop();
      await manager.stop();
      await t.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
