/** kubectl and ReplicaSets: discovery, apply, the Table columns, scale through the scale subresource, describe. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ReplicaSet } from "../../src/api/apps-types.js";
import type { Pod } from "../../src/api/types.js";
import { needsCommand, skipUnless } from "../helpers/root.js";
import { startWorkloadsEnv, type WorkloadsEnv } from "./workloads-kubectl-harness.js";
import { eventually } from "../helpers/wait.js";

const skip = skipUnless(needsCommand("kubectl"), needsCommand("openssl"));
if (skip) console.log(`# skipping workloads e2e: ${skip}`);

const RS_YAML = `apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: frontend
  labels:
    tier: frontend
spec:
  replicas: 3
  selector:
    matchLabels:
      tier: frontend
  template:
    metadata:
      labels:
        tier: frontend
    spec:
      containers:
      - name: c
        image: busybox
        command: ["sleep", "3600"]
`;

describe("kubectl and ReplicaSets", { skip }, () => {
  let env: WorkloadsEnv;
  before(async () => {
    env = await startWorkloadsEnv();
  });
  after(async () => {
    await env?.close();
  });

  const owned = () => env.t.store.list<Pod>("Pod", { namespace: "default", labelSelector: "tier=frontend" }).items.filter((p) => !p.metadata.deletionTimestamp);

  it("api-resources lists deployments and replicasets in apps/v1", async () => {
    const out = await env.ok(["api-resources", "--api-group=apps"]);
    assert.match(out, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
    assert.match(out, /^replicasets\s+rs\s+apps\/v1\s+true\s+ReplicaSet$/m);
  });

  it("apply -f creates the ReplicaSet and it makes 3 ready pods; get rs prints DESIRED CURRENT READY", async () => {
    assert.match(await env.ok(["apply", "-f", env.file("rs.yaml", RS_YAML)]), /^replicaset\.apps\/frontend created$/m);
    await eventually(() => env.t.store.get<ReplicaSet>("ReplicaSet", "default", "frontend")?.status?.readyReplicas === 3, 20_000, "3 ready replicas");
    const out = await env.ok(["get", "rs"]);
    assert.match(out, /^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE$/m);
    assert.match(out, /^frontend\s+3\s+3\s+3\s+\d+s$/m);
    const wide = await env.ok(["get", "rs", "-o", "wide"]);
    assert.match(wide, /^frontend\s+3\s+3\s+3\s+\d+s\s+c\s+busybox\s+tier=frontend$/m);
  });

  it("scale --replicas=1 goes through the scale subresource and removes two pods", async () => {
    assert.match(await env.ok(["scale", "rs", "frontend", "--replicas=1"]), /^replicaset\.apps\/frontend scaled$/m);
    await eventually(() => owned().length === 1 && env.t.store.get<ReplicaSet>("ReplicaSet", "default", "frontend")?.status?.replicas === 1, 20_000, "one pod left");
    const scale = JSON.parse(await env.ok(["get", "--raw", "/apis/apps/v1/namespaces/default/replicasets/frontend/scale"])) as { kind: string; spec: { replicas: number }; status: { selector: string } };
    assert.equal(scale.kind, "Scale");
    assert.equal(scale.spec.replicas, 1);
    assert.equal(scale.status.selector, "tier=frontend");
    const neg = await env.kubectl(["scale", "rs", "frontend", "--replicas=-1"]);
    assert.notEqual(neg.code, 0);
  });

  it("describe rs shows the pod counts and the controller's events", async () => {
    const out = await env.ok(["describe", "rs", "frontend"]);
    assert.match(out, /^Replicas:\s+1 current \/ 1 desired$/m);
    assert.match(out, /^Pods Status:\s+1 Running \/ 0 Waiting \/ 0 Succeeded \/ 0 Failed$/m);
    assert.match(out, /SuccessfulCreate\s+.*Created pod: frontend-\w{5}/);
    assert.match(out, /SuccessfulDelete\s+.*Deleted pod: frontend-\w{5}/);
  });

  it("a selector that does not match the template is refused with the field error", async () => {
    const bad = RS_YAML.replace("name: frontend", "name: bad").replace(/tier: frontend\n {4}spec:/, "tier: other\n    spec:");
    const r = await env.kubectl(["apply", "-f", env.file("bad.yaml", bad)]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /The ReplicaSet "bad" is invalid: spec\.template\.metadata\.labels: Invalid value: map\[string\]string\{"tier":"other"\}: `selector` does not match template `labels`/);
    assert.equal(env.t.store.get("ReplicaSet", "default", "bad"), undefined);
  });
});
