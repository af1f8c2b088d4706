/**
 * 10,000 generated manifests (helpers/manifest-fuzz.ts) through the API server's create path in-process: the same
 * functions a POST runs (decodeBytes, asRouteObject, admitAndCreate with dryRun=All and the Service allocation
 * hooks), the answer made as the server makes it (toApiError → Status). No 5xx, every refusal a Status naming the
 * field, memory retained afterwards bounded. Over a socket this many took ~100 s on the shared machine; a sample of
 * 500 go over the socket to a real daemon in privileged/manifest-fuzz.test.ts.
 */
import { Registry } from "../../../src/metrics/registry.js";
import { RbacAuthorizer } from "../../../src/auth/rbac/authorizer.js";
import { PolicyIndex } from "../../../src/auth/rbac/policy-index.js";
import { ServiceAccountTokens } from "../../../src/auth/service-account-tokens.js";
import { generateSigningKey } from "../../../src/auth/signing-key.js";
import { test } from "node:test";
import assert from "node:assert/strict";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import fc from "fast-check";
import { resourceForKind } from "../../../src/api/resources.js";
import type { ServerContext } from "../../../src/apiserver/context.js";
import { asRouteObject, decodeBytes } from "../../../src/apiserver/handlers/body.js";
import type { Call } from "../../../src/apiserver/handlers/common.js";
import { admitAndCreate } from "../../../src/apiserver/handlers/write.js";
import { Hooks } from "../../../src/apiserver/hooks.js";
import { toApiError } from "../../../src/apiserver/http.js";
import { DEFAULT_LIMITS } from "../../../src/apiserver/limits.js";
import { defaultNamespace, ensureInitialNamespaces } from "../../../src/apiserver/namespaces.js";
import { WatchLimiter } from "../../../src/apiserver/watch-limits.js";
import { NODE_PORT_RANGE } from "../../../src/api/service.js";
import { ClusterIPAllocator } from "../../../src/controllers/cluster-ip-allocator.js";
import { NodePortAllocator } from "../../../src/controllers/node-port-allocator.js";
import { ServiceAllocation } from "../../../src/controllers/service-allocation.js";
import { parseCidrSetting } from "../../../src/api/cidr.js";
import { openStore } from "../../../src/store/sqlite-store.js";
import { FakePodIO } from "../../helpers/fake-pod-io.js";
import { answerProblem, fuzzCase, type FuzzCase } from "../../helpers/manifest-fuzz.js";

const RUNS = Number(process.env.NODELET_FUZZ_RUNS ?? 10_000);

function retained(): number {
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
  const m = process.memoryUsage();
  return m.heapUsed + m.external + m.arrayBuffers;
}

/** The server's context as createApiServer and the daemon's wiring build it (store in memory). */
function serverContext(): { ctx: ServerContext; close: () => void } {
  const store = openStore(":memory:");
  ensureInitialNamespaces(store);
  const hooks = new Hooks();
  hooks.registerCreateHook("Namespace", defaultNamespace);
  new ServiceAllocation(new ClusterIPAllocator(parseCidrSetting("--service-cidr", "10.96.0.0/12")), new NodePortAllocator(NODE_PORT_RANGE)).install(store, hooks);
  const ctx: ServerContext = {
    store, podIO: new FakePodIO(), nodeName: "node1", admission: { nodeName: "node1" }, hooks, now: Date.now,
    bookmarkIntervalMs: 30_000, limits: DEFAULT_LIMITS, watches: new WatchLimiter(DEFAULT_LIMITS.maxWatchesPerClient),
    authorizer: new RbacAuthorizer(new PolicyIndex().follow(store)),
    tokens: new ServiceAccountTokens({ privateKey: generateSigningKey(), store }),
    metrics: { main: new Registry() },
  };
  return { ctx, close: () => store.close() };
}

/** POST /api/v1/namespaces/default/RESOURCE?dryRun=All, minus the socket: the status and body the server would send. */
function post(ctx: ServerContext, c: FuzzCase): { status: number; body: string } {
  const info = resourceForKind(c.resource === "pods" ? "Pod" : "Service")!;
  const req = { method: "POST", headers: { "user-agent": "fuzz/1" } } as unknown as Call["req"];
  const call = { ctx, req, route: { type: "resource", info, namespace: "default", watchPrefix: false }, query: new URLSearchParams("dryRun=All") } as Call;
  try {
    const obj = asRouteObject(call, decodeBytes(Buffer.from(c.body), "application/json"));
    return { status: 201, body: JSON.stringify(admitAndCreate(call, obj, true)) };
  } catch (err) {
    const status = toApiError(err).toStatus();
    return { status: status.code ?? 0, body: JSON.stringify(status) };
  }
}

test(`${RUNS} generated manifests through the create path: no 5xx, each refusal a Status naming the field`, async () => {
  const { ctx, close } = serverContext();
  try {
    const tally = new Map<number, number>();
    post(ctx, { resource: "pods", body: "{}", how: "warm-up" });
    const before = retained();
    const started = Date.now();
    fc.assert(
      fc.property(fuzzCase, (c) => {
        const r = post(ctx, c);
        tally.set(r.status, (tally.get(r.status) ?? 0) + 1);
        const problem = answerProblem(r.status, r.body);
        if (problem) throw new Error(`${c.resource} (${c.how}): ${problem}\nbody: ${c.body.slice(0, 400)}`);
      }),
      { numRuns: RUNS, seed: Number(process.env.NODELET_FUZZ_SEED ?? 20261206), endOnFailure: true, includeErrorInReport: true },
    );
    const grew = (retained() - before) / 2 ** 20;
    console.log(`${RUNS} manifests in ${((Date.now() - started) / 1000).toFixed(1)} s; answers ${JSON.stringify(Object.fromEntries(tally))}; retained memory +${grew.toFixed(1)} MiB`);
    assert.ok((tally.get(201) ?? 0) > RUNS / 20, "valid manifests were accepted, not everything refused");
    assert.ok(grew < 20, `retained memory grew by ${grew.toFixed(1)} MiB`);
  } finally {
    close();
  }
});
