/**
 * Field ownership of the daemon's own writers (store/field-manager-store.ts): a controller's create and update and
 * the kubelet's status write each leave the Update entry the same write through the API would, under upstream's
 * manager names; status writes own only .status (subresource "status"); the 10-Update cap holds; and the
 * controllers' ObjectApi (LocalApi) writes as kube-controller-manager.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ManagedFieldsEntry } from "../../../src/api/managed-fields.js";
import type { KubeObject, Pod } from "../../../src/api/types.js";
import { withFieldManager } from "../../../src/store/field-manager-store.js";
import { openStore } from "../../../src/store/sqlite-store.js";
import { startTestServer } from "../apiserver/harness.js";

const NOW = Date.parse("2026-12-07T15:00:00Z");
const entries = (o: KubeObject): ManagedFieldsEntry[] => (o.metadata.managedFields ?? []) as ManagedFieldsEntry[];
const brief = (o: KubeObject) => entries(o).map((e) => [e.manager, e.operation, e.apiVersion, e.subresource ?? ""]);

describe("managedFields of the daemon's own writes", () => {
  it("a controller's create and update, the kubelet's status write: Update entries under their managers", () => {
    const store = openStore(":memory:");
    const kcm = withFieldManager(store, "kube-controller-manager", () => NOW);
    const kubelet = withFieldManager(store, "kubelet", () => NOW);
    const created = kcm.create<Pod>({ apiVersion: "v1", kind: "Pod", metadata: { name: "web-1", namespace: "default", labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "busybox" }] } });
    assert.deepEqual(brief(created), [["kube-controller-manager", "Update", "v1", ""]]);
    const fields = entries(created)[0].fieldsV1 as Record<string, Record<string, unknown>>;
    assert.ok(fields["f:spec"]["f:containers"], "owns the containers");
    assert.ok(fields["f:metadata"]["f:labels"], "owns the labels");
    assert.equal(fields["f:status"], undefined, "the main resource does not own .status");
    assert.equal(entries(created)[0].time, "2026-12-07T15:00:00Z");

    const running = kubelet.update<Pod>({ ...created, status: { phase: "Running", podIP: "10.1.0.5" } }, { subresource: "status" });
    assert.deepEqual(brief(running), [["kube-controller-manager", "Update", "v1", ""], ["kubelet", "Update", "v1", "status"]]);
    const status = entries(running)[1].fieldsV1 as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.keys(status), ["f:status"]);
    assert.ok(status["f:status"]["f:phase"] && status["f:status"]["f:podIP"]);
    assert.equal(running.status?.phase, "Running");

    // A label the controller changes is taken from nobody else; the entries stay two.
    const relabelled = kcm.update<Pod>({ ...running, metadata: { ...running.metadata, labels: { app: "web", tier: "a" } } });
    assert.deepEqual(brief(relabelled), brief(running));
    store.close();
  });

  it("past 10 Update managers the oldest merge into ancient-changes, as for API writes", () => {
    const store = openStore(":memory:");
    let t = NOW;
    let obj = withFieldManager(store, "m0", () => t).create<KubeObject>({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm", namespace: "default" }, data: { k0: "v" } } as KubeObject);
    for (let i = 1; i <= 11; i++) {
      t += 1000;
      const data = { ...(obj as KubeObject & { data: Record<string, string> }).data, [`k${i}`]: "v" };
      obj = withFieldManager(store, `m${i}`, () => t).update<KubeObject>({ ...obj, data } as KubeObject);
    }
    const managers = entries(obj).map((e) => e.manager);
    assert.equal(managers.length, 10);
    assert.ok(managers.includes("ancient-changes"));
    assert.ok(managers.includes("m11"));
    store.close();
  });

  it("the controllers' API (LocalApi) writes as kube-controller-manager, status on the status subresource", async () => {
    const t = await startTestServer();
    try {
      const api = t.server.objectApi();
      const d = api.create<KubeObject>({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d", namespace: "default" }, spec: { selector: { matchLabels: { a: "b" } }, template: { metadata: { labels: { a: "b" } }, spec: { containers: [{ name: "c", image: "busybox" }] } } } } as KubeObject);
      assert.deepEqual(brief(d), [["kube-controller-manager", "Update", "apps/v1", ""]]);
      const withStatus = api.updateStatus<KubeObject>({ ...d, status: { observedGeneration: 1, replicas: 0 } } as KubeObject);
      assert.deepEqual(brief(withStatus), [["kube-controller-manager", "Update", "apps/v1", ""], ["kube-controller-manager", "Update", "apps/v1", "status"]]);
    } finally {
      await t.close();
    }
  });
});
