/**
 * `kubectl get events` on a node holding 50,000 events: kubectl reads them in pages (its default --chunk-size of
 * 500: 100 requests, each with the previous page's continue token) and prints every one; then again with
 * --chunk-size=0, where the daemon streams the one response a page at a time, and the daemon's RSS stays within
 * 60 MB of what it was before that command, because it never holds more than a part of 100 objects. (Measured: +3 MB on a quiet
 * machine, up to +48 MB once under CI load, when V8 grew its old space during the listing (the daemon keeps its
 * young generation small, so a page's garbage can be promoted before it dies); holding the whole list costs more
 * than 70 MB: one unpaged GET of 50,150 events took a daemon from 262 to 334 MB before lists were streamed.) The rise during the first
 * listing is printed, not asserted: on a freshly started daemon it includes V8 growing its young generation to
 * its working size (up to 3 x 16 MiB semi-spaces), which happens once, whatever the list's length.
 *
 * The events are written before the daemon starts, through the store's bulk path (SqliteStore.createMany: one
 * transaction) on the daemon's own store file, since recording 50,000 through the kubelet would take many minutes.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { needsCommand, needsRoot, skipUnless } from "../helpers/root.js";
import { TestDaemon } from "../helpers/daemon.js";
import { seedEvents } from "../helpers/seed-events.js";

const skip = skipUnless(needsRoot(), needsCommand("kubectl"));
const EVENTS = 50_000;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function rssKb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith("VmRSS:"))!;
  return Number(line.split(/\s+/)[1]);
}

describe("kubectl get events on a node with 50,000 events (privileged)", { skip }, () => {
  let d: TestDaemon;
  let cache: string;
  // A bound for a loaded machine: one listing takes seconds on a quiet one, and was seen to take 400 s at load 32.
  const kubectl = (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      execFile("kubectl", ["--kubeconfig", join(d.root, "kubeconfig"), "--cache-dir", cache, ...args], { timeout: 900_000, maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });

  /** Runs kubectl while sampling the daemon's RSS; returns the result and the peak rise over the RSS before it. */
  async function measured(args: string[]) {
    const pid = d.pid!;
    const before = rssKb(pid);
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rssKb(pid))), 5);
    try {
      const r = await kubectl(args);
      return { ...r, riseMb: (Math.max(peak, rssKb(pid)) - before) / 1024, beforeMb: before / 1024 };
    } finally {
      clearInterval(sampler);
    }
  }

  before(async () => {
    d = new TestDaemon("events-pages", ["--listen", `127.0.0.1:${await freePort()}`, "--no-network"]);
    cache = mkdtempSync(join(tmpdir(), "nodelet-kubectl-cache-"));
    seedEvents(join(d.root, "store.db"), EVENTS);
    await d.start();
    // Discovery, TLS and a first list: what every later command finds warm.
    const warm = await kubectl(["get", "namespaces"]);
    assert.equal(warm.code, 0, warm.stderr);
  });
  after(async () => {
    await d.cleanup();
    rmSync(cache, { recursive: true, force: true });
    assert.deepEqual(d.leftovers(), []);
  });

  test("kubectl pages through them 500 at a time (100 requests, continue tokens) and prints all 50,000", async () => {
    const r = await measured(["get", "events", "-v=6"]);
    assert.equal(r.code, 0, r.stderr.slice(-2000));
    const lines = r.stdout.trimEnd().split("\n");
    assert.match(lines[0], /^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE/);
    assert.equal(lines.length - 1, EVENTS);
    console.log(`# daemon RSS ${r.beforeMb.toFixed(1)} MB before, +${r.riseMb.toFixed(1)} MB at most while kubectl listed ${EVENTS} events`);
    const gets = r.stderr.split("\n").filter((l) => /GET https:\/\/\S+\/api\/v1\/namespaces\/default\/events\?\S*limit=500/.test(l));
    assert.equal(gets.length, EVENTS / 500, "one request per page of 500");
    assert.equal(gets.filter((l) => /[?&]continue=/.test(l)).length, EVENTS / 500 - 1);
  });

  test("without chunks (--chunk-size=0) the one response is streamed: all printed, the daemon's RSS under +60 MB", async () => {
    const r = await measured(["get", "events", "--chunk-size=0", "-o", "name"]);
    assert.equal(r.code, 0, r.stderr.slice(-2000));
    assert.equal(r.stdout.trimEnd().split("\n").length, EVENTS);
    console.log(`# daemon RSS +${r.riseMb.toFixed(1)} MB at most for one unpaged list of ${EVENTS} events`);
    assert.ok(r.riseMb <= 60, `daemon RSS rose ${r.riseMb.toFixed(1)} MB`);
  });
});
