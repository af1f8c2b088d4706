/**
 * What a joined node pays for its Store over the control plane's API (store/remote-store.ts): per-call latency of
 * get, list (one namespace of 100 ConfigMaps), create and update through the blocking worker, against the same
 * calls on the embedded SQLite store, and how long an API watch takes to hand a change to the node. A control
 * plane (SQLite, no election) runs as a child process on loopback. `node dist/bench/roles-bench.js [--n N]`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ConfigMap, WatchEvent } from "../src/api/types.js";
import { readKubeconfigEndpoint } from "../src/store/remote-kubeconfig.js";
import { RemoteStore } from "../src/store/remote-store.js";
import { openStore } from "../src/store/sqlite-store.js";
import type { Store } from "../src/store/store.js";
import { freePort } from "../test/helpers/ports.js";
import { removeRoot, startTestControlPlane } from "../test/helpers/roles.js";
import { waitFor } from "../test/helpers/wait.js";

const n = Number(process.argv[process.argv.indexOf("--n") + 1]) || 200;
const cm = (ns: string, name: string): ConfigMap => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: ns }, data: { k: "v" } });

function timed(label: string, count: number, f: (i: number) => void): number {
  const ms: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = process.hrtime.bigint();
    f(i);
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  ms.sort((a, b) => a - b);
  const p50 = ms[Math.floor(ms.length / 2)];
  const p99 = ms[Math.floor(ms.length * 0.99)];
  process.stdout.write(`  ${label.padEnd(28)} p50 ${p50.toFixed(2)} ms  p99 ${p99.toFixed(2)} ms\n`);
  return p50;
}

function calls(store: Store, ns: string): void {
  timed("create", n, (i) => store.create(cm(ns, `c${i}`)));
  timed("get", n, (i) => store.get("ConfigMap", ns, `c${i % 100}`));
  timed("list (100 in a namespace)", Math.min(n, 50), () => store.list("ConfigMap", { namespace: ns, limit: 100 }));
  timed("update", n, (i) => {
    const o = store.get<ConfigMap>("ConfigMap", ns, `c${i}`)!;
    store.update({ ...o, data: { k: String(i) } });
  });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "nodelet-roles-bench-"));
  const local = openStore(join(dir, "store.db"));
  process.stdout.write(`embedded SQLite store (${n} calls each):\n`);
  calls(local, "bench");
  local.close();
  const cp = await startTestControlPlane(await freePort(), ["--leader-elect", "false"]);
  const remote = new RemoteStore({ endpoint: readKubeconfigEndpoint(cp.kubeconfig) });
  try {
    process.stdout.write(`remote store over the control plane's API (HTTPS on loopback, ${n} calls each):\n`);
    calls(remote, "default");
    const seen = new Map<string, number>();
    const stop = remote.watch("ConfigMap", { namespace: "default", labelSelector: "w=1" }, (e: WatchEvent) => seen.set(e.object.metadata.name!, performance.now()));
    const lags: number[] = [];
    for (let i = 0; i < 50; i++) {
      const name = `w${i}`;
      const t = performance.now();
      remote.create({ ...cm("default", name), metadata: { name, namespace: "default", labels: { w: "1" } } });
      await waitFor(`watch event for ${name}`, () => seen.has(name), 10_000, 1);
      lags.push(seen.get(name)! - t);
    }
    stop();
    lags.sort((a, b) => a - b);
    process.stdout.write(`  ${"write → watch event".padEnd(28)} p50 ${lags[25].toFixed(2)} ms  p99 ${lags[49].toFixed(2)} ms\n`);
  } finally {
    remote.close();
    await cp.stop();
    removeRoot(cp.root);
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
