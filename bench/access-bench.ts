/**
 * `make bench`, access part: request latency of RBAC against the system:masters short cut, with 1,000 RoleBindings
 * (of other users) in the namespace. An in-process API server on HTTPS; two token users issue the same list
 * (`GET /api/v1/namespaces/team/pods`, 20 pods) over one keep-alive connection each, interleaved in rounds so load
 * on the shared machine hits both alike: `admin` (system:masters, allowed before RBAC) and `jane` (allowed by a
 * RoleBinding to `view`, found among the 1,000 by the subject index). Also the authorizer alone, per decision.
 * Figures are printed, never asserted. Run: node dist/bench/access-bench.js [--requests N]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { Agent, request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { requestAttributes } from "../src/auth/attributes.js";
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

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "nodelet-access-bench-"));
  const pki = await ensureNodePki(join(dir, "pki"), [], new HostRunner());
  const tokens = new StaticTokenAuthenticator([
    { token: "admin-token", user: { name: "admin", groups: ["system:masters"] } },
    { token: "jane-token", user: { name: "jane", groups: [] } },
  ]);
  const t = await startTestServer({ tcp: { host: "127.0.0.1", port: 0, token: "", cert: pki.serving.cert, key: pki.serving.key }, authenticators: [tokens] });
  try {
    t.store.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: "team" } });
    for (let i = 0; i < 20; i++) t.store.create(testPod(`p${i}`, { ns: "team" }));
    const rb = (name: string, user: string) => ({
      apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: { name, namespace: "team" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" }, subjects: [{ kind: "User", apiGroup: "rbac.authorization.k8s.io", name: user }],
    });
    for (let i = 0; i < 1000; i++) t.store.create(rb(`other-${i}`, `user-${i}`) as never);
    t.store.create(rb("jane-view", "jane") as never);
    const port = t.server.tcpAddress()!.port;
    const agents = { admin: new Agent({ keepAlive: true, maxSockets: 1 }), jane: new Agent({ keepAlive: true, maxSockets: 1 }) };
    const times: Record<"admin" | "jane", number[]> = { admin: [], jane: [] };
    for (let i = 0; i < 200; i++) for (const u of ["admin", "jane"] as const) await get(agents[u], port, pki.ca.cert, `${u}-token`);
    for (let i = 0; i < N; i++) {
      for (const u of i % 2 ? (["admin", "jane"] as const) : (["jane", "admin"] as const)) {
        const t0 = performance.now();
        await get(agents[u], port, pki.ca.cert, `${u}-token`);
        times[u].push(performance.now() - t0);
      }
    }
    const authz = (t.server as unknown as { ctx: { authorizer: { authorize(a: unknown): unknown } } }).ctx.authorizer;
    const decide = (user: { name: string; groups: string[] }) => {
      const a = requestAttributes(user, "GET", "/api/v1/namespaces/team/pods");
      const t0 = performance.now();
      for (let i = 0; i < 100_000; i++) authz.authorize(a);
      return ((performance.now() - t0) * 1000) / 100_000;
    };
    const rows = (["admin", "jane"] as const).map((u) => {
      const s = [...times[u]].sort((a, b) => a - b);
      return [u === "admin" ? "system:masters (admin)" : "RBAC: RoleBinding among 1,001 (jane)", percentile(s, 50).toFixed(3), percentile(s, 99).toFixed(3), (s.reduce((x, y) => x + y, 0) / s.length).toFixed(3)];
    });
    console.log(`\naccess: ${N} list requests per user over HTTPS keep-alive, 20 pods, 1,001 RoleBindings in the namespace`);
    printTable(["user", "p50 ms", "p99 ms", "mean ms"], rows);
    const p50 = (u: "admin" | "jane") => percentile([...times[u]].sort((a, b) => a - b), 50);
    console.log(`RBAC / masters, p50: ${(p50("jane") / p50("admin")).toFixed(3)} (goal < 1.05)`);
    console.log(`authorizer alone: masters ${decide({ name: "admin", groups: ["system:masters"] }).toFixed(2)} µs, RBAC ${decide({ name: "jane", groups: ["system:authenticated"] }).toFixed(2)} µs per decision`);
    agents.admin.destroy();
    agents.jane.destroy();
  } finally {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
