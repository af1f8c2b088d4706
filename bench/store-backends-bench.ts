/**
 * The two Store backends side by side (#15): the embedded SQLite store and the etcd store (etcd-server from Debian,
 * started here on loopback: one member by default, `--members 3` for a 3-member cluster) at 1,000 and 10,000
 * objects. Per size, on a fresh store each:
 * - create: N ConfigMaps (~0.5 KB of data each) one after another, per-call p50/p99 and objects/s;
 * - get: 1,000 gets of random names, p50/p99;
 * - list: the whole namespace (N objects) and one page of 500, p50 over a few runs;
 * - watch fan-out: W watchers (default 100) on the kind; per write, the time from the write's start until every
 *   watcher has seen it, p50/p99 over 50 writes. For etcd also from a second store (a second API server) whose
 *   watchers see the write only through etcd's watch stream.
 * `node dist/bench/store-backends-bench.js [--sizes 1000,10000] [--watchers 100] [--members 1|3]`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ConfigMap } from "../src/api/types.js";
import { openEtcdStore } from "../src/store/etcd-store.js";
import { openStore } from "../src/store/sqlite-store.js";
import type { Store } from "../src/store/store.js";
import { startEtcd, type TestEtcd } from "../test/helpers/etcd.js";
import { waitFor } from "../test/helpers/wait.js";
import { percentile, printTable } from "./lib.js";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const sizes = arg("sizes", "1000,10000").split(",").map(Number);
const watchers = Number(arg("watchers", "100"));
const members = Number(arg("members", "1"));
const NS = "bench";
const payload = "x".repeat(480);
const cm = (i: number): ConfigMap => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `cm-${i}`, namespace: NS, labels: { app: "bench" } }, data: { k: payload } });

const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const f = (x: number) => (x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0));

interface Figures {
  createP50: number;
  createP99: number;
  createRate: number;
  getP50: number;
  getP99: number;
  listAll: number;
  listPage: number;
  fanP50: number;
  fanP99: number;
  /** etcd only: watchers on a second store. */
  remoteFanP50?: number;
  remoteFanP99?: number;
}

function timedCalls(count: number, call: (i: number) => void): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = process.hrtime.bigint();
    call(i);
    out.push(ms(t));
  }
  return out;
}

/** W watchers on `watched`; per write through `writer`, the time until the last of them saw it. */
async function fanOut(writer: Store, watched: Store, writes: number, prefix: string): Promise<number[]> {
  let seen = 0;
  let want = "";
  let done: bigint | undefined;
  const stops = Array.from({ length: watchers }, () =>
    watched.watch("ConfigMap", { namespace: NS, labelSelector: "fan=1" }, (ev) => {
      if (ev.object.metadata.name !== want) return;
      if (++seen === watchers) done = process.hrtime.bigint();
    }),
  );
  const lags: number[] = [];
  try {
    for (let i = 0; i < writes; i++) {
      want = `${prefix}-${i}`;
      seen = 0;
      done = undefined;
      const t = process.hrtime.bigint();
      writer.create({ ...cm(0), metadata: { name: want, namespace: NS, labels: { fan: "1" } } });
      if (seen < watchers) await waitFor(`${watchers} watchers to see ${want}`, () => seen === watchers, 10_000, 0);
      lags.push(Number(done! - t) / 1e6);
    }
  } finally {
    for (const s of stops) s();
  }
  return lags;
}

async function measure(open: () => Store, n: number, second?: () => Store): Promise<Figures> {
  const store = open();
  try {
    const t0 = process.hrtime.bigint();
    const creates = timedCalls(n, (i) => store.create(cm(i)));
    const createRate = n / (ms(t0) / 1000);
    const gets = timedCalls(1000, () => store.get("ConfigMap", NS, `cm-${Math.floor(Math.random() * n)}`));
    const listAll = percentile(timedCalls(5, () => store.list("ConfigMap", { namespace: NS })), 50);
    const listPage = percentile(timedCalls(20, () => store.list("ConfigMap", { namespace: NS, limit: 500 })), 50);
    const fan = await fanOut(store, store, 50, "fan");
    const out: Figures = {
      createP50: percentile(creates, 50),
      createP99: percentile(creates, 99),
      createRate,
      getP50: percentile(gets, 50),
      getP99: percentile(gets, 99),
      listAll,
      listPage,
      fanP50: percentile(fan, 50),
      fanP99: percentile(fan, 99),
    };
    if (second) {
      const other = second();
      try {
        const remote = await fanOut(store, other, 50, "fan2");
        out.remoteFanP50 = percentile(remote, 50);
        out.remoteFanP99 = percentile(remote, 99);
      } finally {
        other.close();
      }
    }
    return out;
  } finally {
    store.close();
  }
}

async function main(): Promise<void> {
  const rows: string[][] = [];
  const row = (backend: string, n: number, x: Figures) =>
    rows.push([
      backend,
      String(n),
      `${f(x.createP50)} / ${f(x.createP99)}`,
      x.createRate.toFixed(0),
      `${f(x.getP50)} / ${f(x.getP99)}`,
      f(x.listAll),
      f(x.listPage),
      `${f(x.fanP50)} / ${f(x.fanP99)}`,
      x.remoteFanP50 === undefined ? "—" : `${f(x.remoteFanP50)} / ${f(x.remoteFanP99!)}`,
    ]);
  for (const n of sizes) {
    const dir = mkdtempSync(join(tmpdir(), "nodelet-store-bench-"));
    try {
      process.stderr.write(`sqlite, ${n} objects…\n`);
      row("SQLite", n, await measure(() => openStore(join(dir, "store.db")), n));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    let etcd: TestEtcd | undefined;
    try {
      etcd = await startEtcd({ members });
      const endpoints = etcd.endpoints;
      process.stderr.write(`etcd (${members} member${members > 1 ? "s" : ""}), ${n} objects…\n`);
      const open = () => openEtcdStore({ endpoints, compactionIntervalMs: 0 });
      row(`etcd ${members}-member`, n, await measure(open, n, open));
    } finally {
      await etcd?.stop();
    }
  }
  console.log(`\nStore backends (ConfigMaps of ~0.5 KB in one namespace; ms; ${watchers} watchers; etcd ${members} member${members > 1 ? "s" : ""} on loopback)`);
  printTable(
    ["backend", "objects", "create p50/p99", "creates/s", "get p50/p99", "list all", "list 500", `fan-out ${watchers} p50/p99`, "fan-out via etcd (2nd store)"],
    rows,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
