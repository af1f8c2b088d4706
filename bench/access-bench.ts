/**
 * `make bench`, access part: request latency with RBAC on and off in one run, and RBAC against the system:masters
 * short cut, with 1,000 RoleBindings (of other users) in the namespace. Two in-process API servers on HTTPS with the
 * same objects, one authorizing with RBAC, one with authorization off (every request allowed, kube-apiserver's
 * AlwaysAllow mode); token users issue the same list (`GET /api/v1/namespaces/team/pods`, 20 pods) over one
 * keep-alive connection each, interleaved in rounds so load on the shared machine hits all alike: `admin`
 * (system:masters, allowed before RBAC) and `jane` (allowed by a RoleBinding to `view`, found among the 1,000 by the
 * subject index) against the RBAC server, and `jane` against the server without authorization. Also the authorizer
 * alone, per decision: with the user's grants in the namespace remembered (as in the series), and found again.
 * Figures are printed, never asserted. Run: node dist/bench/access-bench.js [--requests N]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { Agent, request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { requestAttributes } from "../src/auth/attributes.js";
import type { Authorizer } from "../src/auth/rbac/authorizer.js";
import { ensureNodePki } from "../src/auth/pki.js";
import { StaticTokenAuthenticator } from "../src/auth/token-file.js";
import { HostRunner } from "../src/sys/runner.js";
import { startTestServer, testPod } from "../test/unit/apiserver/harness.js";
import { percentile, printTable } from "./lib.js";

const arg = process.argv.indexOf("--requests");
const N = arg > 0 ? Number(process.argv[arg + 1]) : 2000;

function get(agent: Agent, port: number, ca: string, token: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path: "/api/v1/namespaces/team/pods", ca, agent, headers: { Authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
    });
    req.on("error", reject);
    req.end();
  });
}

/** Authorization off: every request allowed (kube-apiserver's --authorization-mode=AlwaysAllow). */
const ALWAYS_ALLOW: Authorizer = {
  authorize: () => ({ allowed: true, reason: "" }),
  rulesFor: () => ({ resourceRules: [], nonResourceRules: [], incomplete: true }),
  heldRules: () => ({ rules: [], errors: [] }),
};

type Series = "admin" | "jane" | "jane, authorization off";
const LABELS: Record<Series, string> = {
  admin: "RBAC on, system:masters (admin)",
  jane: "RBAC on, RoleBinding among 1,001 (jane)",
  "jane, authorization off": "authorization off (jane)",
};

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "nodelet-access-bench-"));
  const pki = await ensureNodePki(join(dir, "pki"), [], new HostRunner());
  const tokens = new StaticTokenAuthenticator([
    { token: "admin-token", user: { name: "admin", groups: ["system:masters"] } },
    { token: "jane-token", user: { name: "jane", groups: [] } },
  ]);
  const tcp = { host: "127.0.0.1", port: 0, token: "", cert: pki.serving.cert, key: pki.serving.key };
  const on = await startTestServer({ tcp, authenticators: [tokens] });
  const off = await startTestServer({ tcp, authenticators: [tokens], authorizer: ALWAYS_ALLOW });
  try {
    for (const t of [on, off]) {
      t.store.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: "team" } });
      for (let i = 0; i < 20; i++) t.store.create(testPod(`p${i}`, { ns: "team" }));
      const rb = (name: string, user: string) => ({
        apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: { name, namespace: "team" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" }, subjects: [{ kind: "User", apiGroup: "rbac.authorization.k8s.io", name: user }],
      });
      for (let i = 0; i < 1000; i++) t.store.create(rb(`other-${i}`, `user-${i}`) as never);
      t.store.create(rb("jane-view", "jane") as never);
    }
    const series: Series[] = ["admin", "jane", "jane, authorization off"];
    const target: Record<Series, { port: number; token: string }> = {
      admin: { port: on.server.tcpAddress()!.port, token: "admin-token" },
      jane: { port: on.server.tcpAddress()!.port, token: "jane-token" },
      "jane, authorization off": { port: off.server.tcpAddress()!.port, token: "jane-token" },
    };
    const agents = Object.fromEntries(series.map((s) => [s, new Agent({ keepAlive: true, maxSockets: 1 })])) as Record<Series, Agent>;
    const times = Object.fromEntries(series.map((s) => [s, [] as number[]])) as Record<Series, number[]>;
    const once = (s: Series) => get(agents[s], target[s].port, pki.ca.cert, target[s].token);
    for (let i = 0; i < 200; i++) for (const s of series) await once(s);
    for (let i = 0; i < N; i++) {
      // Each round in a rotated order, so none always goes first.
      for (let k = 0; k < series.length; k++) {
        const s = series[(i + k) % series.length];
        const t0 = performance.now();
        await once(s);
        times[s].push(performance.now() - t0);
      }
    }
    const authz = (on.server as unknown as { ctx: { authorizer: Authorizer } }).ctx.authorizer;
    // `fresh`: each request from a user in one more group of its own, so the user's grants are not remembered and
    // are found again among the bindings.
    const decide = (user: { name: string; groups: string[] }, fresh = false) => {
      const a = requestAttributes(user, "GET", "/api/v1/namespaces/team/pods");
      const t0 = performance.now();
      for (let i = 0; i < 100_000; i++) authz.authorize(fresh ? { ...a, user: { ...user, groups: [...user.groups, `g${i}`] } } : a);
      return ((performance.now() - t0) * 1000) / 100_000;
    };
    const sorted = (s: Series) => [...times[s]].sort((a, b) => a - b);
    const rows = series.map((s) => {
      const v = sorted(s);
      return [LABELS[s], percentile(v, 50).toFixed(3), percentile(v, 99).toFixed(3), (v.reduce((x, y) => x + y, 0) / v.length).toFixed(3)];
    });
    console.log(`\naccess: ${N} list requests per series over HTTPS keep-alive, 20 pods, 1,001 RoleBindings in the namespace`);
    printTable(["series", "p50 ms", "p99 ms", "mean ms"], rows);
    const p50 = (s: Series) => percentile(sorted(s), 50);
    const mean = (s: Series) => times[s].reduce((x, y) => x + y, 0) / times[s].length;
    console.log(`RBAC on / off (jane), p50: ${(p50("jane") / p50("jane, authorization off")).toFixed(3)}, mean: ${(mean("jane") / mean("jane, authorization off")).toFixed(3)} (goal < 1.05)`);
    console.log(`RBAC / masters, p50: ${(p50("jane") / p50("admin")).toFixed(3)}`);
    const jane = { name: "jane", groups: ["system:authenticated"] };
    console.log(
      `authorizer alone: masters ${decide({ name: "admin", groups: ["system:masters"] }).toFixed(2)} µs, RBAC ${decide(jane).toFixed(2)} µs remembered, ` +
        `${decide(jane, true).toFixed(2)} µs with its grants found again, per decision`,
    );
    for (const a of Object.values(agents)) a.destroy();
  } finally {
    await on.close();
    await off.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
