/** kubectl delete --cascade=background|foreground|orphan on Deployments, with the garbage collector in-process. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Deployment, ReplicaSet } from "../../src/api/apps-types.js";
import type { Pod } from "../../src/api/types.js";
import { needsCommand, skipUnless } from "../helpers/root.js";
import { startWorkloadsEnv, type WorkloadsEnv } from "./workloads-kubectl-harness.js";
import { eventually } from "../helpers/wait.js";

const skip = skipUnless(needsCommand("kubectl"), needsCommand("openssl"));
if (skip) console.log(`# skipping workloads e2e: ${skip}`);

describe("kubectl delete --cascade", { skip }, () => {
  let env: WorkloadsEnv;
  before(async () => {
    env = await startWorkloadsEnv();
  });
  after(async () => {
    await env?.close();
  });

  const pods = (app: string) => env.t.store.list<Pod>("Pod", { namespace: "default", labelSelector: `app=${app}` }).items;
  const sets = (app: string) => env.t.store.list<ReplicaSet>("ReplicaSet", { namespace: "default", labelSelector: `app=${app}` }).items;
  const create = async (name: string) => {
    await env.ok(["create", "deployment", name, "--image=busybox", "--replicas=2"]);
    await env.ok(["rollout", "status", `deployment/${name}`, "--timeout=30s"]);
    assert.equal(pods(name).length, 2);
  };

  it("background (kubectl's default): the deployment, its replica set and pods all go", async () => {
    await create("bg");
    assert.match(await env.ok(["delete", "deployment", "bg"]), /^deployment\.apps "bg" deleted$/m);
    await eventually(() => sets("bg").length === 0 && pods("bg").length === 0, 20_000, "dependents collected");
  });

  it("foreground: kubectl waits until the dependents are gone, then the deployment", async () => {
    await create("fg");
    assert.match(await env.ok(["delete", "deployment", "fg", "--cascade=foreground"]), /^deployment\.apps "fg" deleted$/m);
    assert.equal(env.t.store.get<Deployment>("Deployment", "default", "fg"), undefined);
    assert.equal(sets("fg").length, 0);
    assert.equal(pods("fg").length, 0);
  });

  it("orphan: the replica set and its pods stay, without the deployment as owner", async () => {
    await create("or");
    assert.match(await env.ok(["delete", "deployment", "or", "--cascade=orphan"]), /^deployment\.apps "or" deleted$/m);
    await eventually(() => env.t.store.get("Deployment", "default", "or") === undefined, 20_000, "deployment gone");
    assert.equal(sets("or").length, 1);
    assert.equal(sets("or")[0].metadata.ownerReferences, undefined);
    assert.equal(pods("or").length, 2);
    const out = await env.ok(["get", "rs", "-l", "app=or"]);
    assert.match(out, /^or-\w+\s+2\s+2\s+2\s+/m);
  });
});
