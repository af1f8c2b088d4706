/** `nodelet describe deploy|rs` in kubectl's DeploymentDescriber / ReplicaSetDescriber layout, over a canned API. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Deployment, ReplicaSet } from "../../../src/api/apps-types.js";
import type { Pod } from "../../../src/api/types.js";
import type { ApiClient } from "../../../src/client/index.js";
import { describeDeployment, describeReplicaSet } from "../../../src/cli/describe-apps.js";
import { Section } from "../../../src/cli/describe-section.js";

const template = { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "busybox:2", ports: [{ containerPort: 8080 }] }] } };
const owner = (kind: string, name: string, uid: string) => [{ apiVersion: "apps/v1", kind, name, uid, controller: true }];

const deployment: Deployment = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "default", uid: "d1", creationTimestamp: "2026-12-07T14:00:00Z", labels: { app: "web" }, annotations: { "deployment.kubernetes.io/revision": "2" } },
  spec: { replicas: 3, selector: { matchLabels: { app: "web" } }, template, strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" } } },
  status: {
    replicas: 4,
    updatedReplicas: 2,
    availableReplicas: 3,
    unavailableReplicas: 1,
    conditions: [
      { type: "Available", status: "True", reason: "MinimumReplicasAvailable" },
      { type: "Progressing", status: "True", reason: "ReplicaSetUpdated" },
    ],
  },
};

const rs = (name: string, revision: string, replicas: number, current: number): ReplicaSet => ({
  apiVersion: "apps/v1",
  kind: "ReplicaSet",
  metadata: { name, namespace: "default", uid: `uid-${name}`, annotations: { "deployment.kubernetes.io/revision": revision }, ownerReferences: owner("Deployment", "web", "d1") },
  spec: { replicas, selector: { matchLabels: { app: "web" } }, template },
  status: { replicas: current },
});

const sets = [rs("web-new", "2", 2, 2), rs("web-old", "1", 2, 2), rs("web-older", "0", 0, 0)];
const pod = (name: string, phase: "Running" | "Pending"): Pod => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: "default", ownerReferences: owner("ReplicaSet", "web-new", "uid-web-new") },
  spec: { containers: [] },
  status: { phase },
});

const client = {
  async request(_method: string, path: string) {
    if (path.endsWith("/replicasets")) return { items: sets };
    if (path.endsWith("/pods")) return { items: [pod("a", "Running"), pod("b", "Pending")] };
    throw new Error(`unexpected ${path}`);
  },
} as unknown as ApiClient;

describe("nodelet describe deploy|rs", () => {
  it("a Deployment: replicas line, strategy, template, conditions, old and new sets", async () => {
    const s = new Section();
    await describeDeployment(s, deployment, client);
    const out = s.text();
    assert.match(out, /^Name:\s+web$/m);
    assert.match(out, /^CreationTimestamp:\s+Mon, 07 Dec 2026 14:00:00 \+0000$/m);
    assert.match(out, /^Selector:\s+app=web$/m);
    assert.match(out, /^Replicas:\s+3 desired \| 2 updated \| 4 total \| 3 available \| 1 unavailable$/m);
    assert.match(out, /^StrategyType:\s+RollingUpdate$/m);
    assert.match(out, /^MinReadySeconds:\s+0$/m);
    assert.match(out, /^RollingUpdateStrategy:\s+25% max unavailable, 25% max surge$/m);
    assert.match(out, /^Pod Template:\n\s+Labels:\s+app=web\n\s+Containers:\n\s+c:\n\s+Image:\s+busybox:2\n\s+Port:\s+8080\/TCP$/m);
    assert.match(out, /^Conditions:\n\s+Type\s+Status\s+Reason\n\s+----\s+------\s+------\n\s+Available\s+True\s+MinimumReplicasAvailable\n\s+Progressing\s+True\s+ReplicaSetUpdated$/m);
    assert.match(out, /^OldReplicaSets:\s+web-old \(2\/2 replicas created\)$/m, "a scaled-down old set is not listed");
    assert.match(out, /^NewReplicaSet:\s+web-new \(2\/2 replicas created\)$/m);
  });

  it("a ReplicaSet: controller, current/desired, pods status", async () => {
    const s = new Section();
    await describeReplicaSet(s, sets[0], client);
    const out = s.text();
    assert.match(out, /^Controlled By:\s+Deployment\/web$/m);
    assert.match(out, /^Replicas:\s+2 current \/ 2 desired$/m);
    assert.match(out, /^Pods Status:\s+1 Running \/ 1 Waiting \/ 0 Succeeded \/ 0 Failed$/m);
  });
});
