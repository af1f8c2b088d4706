import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { desiredEndpoints, desiredSlices, mirroredSlices, resolveTargetPort } from "../../../src/controllers/endpoints.js";
import { EndpointsController } from "../../../src/controllers/endpoints-controller.js";
import { openStore } from "../../../src/store/sqlite-store.js";
const service = {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "web", namespace: "default", uid: "svc-uid" },
    spec: { selector: { app: "web" }, clusterIP: "10.96.0.5", ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }, { name: "metrics", port: 9090, targetPort: 9090, protocol: "TCP" }] },
};
function pod(name, ip, opts = {}) {
    return {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name, namespace: "default", uid: `uid-${name}`, labels: opts.labels ?? { app: "web" }, ...(opts.deleting ? { deletionTimestamp: "2024-01-01T00:00:00Z" } : {}) },
        spec: { nodeName: "n1", containers: [{ name: "c", image: "busybox", ports: opts.ports === false ? [] : [{ name: "http", containerPort: 8080 }] }] },
        status: { phase: (opts.phase ?? "Running"), podIP: ip, conditions: [{ type: "Ready", status: opts.ready === false ? "False" : "True" }] },
    };
}
describe("endpoints (pure)", () => {
    test("ready pods are addresses, unready and terminating ones notReadyAddresses; others are left out", () => {
        const pods = [pod("a", "10.0.0.3"), pod("b", "10.0.0.2", { ready: false }), pod("c", "10.0.0.4", { deleting: true }), pod("d", "10.0.0.5", { labels: { app: "db" } }), pod("e", "10.0.0.6", { phase: "Succeeded" })];
        const ep = desiredEndpoints(service, pods);
        assert.equal(ep.subsets.length, 1);
        assert.deepEqual(ep.subsets[0].addresses.map((a) => a.ip), ["10.0.0.3"]);
        assert.deepEqual(ep.subsets[0].notReadyAddresses.map((a) => a.ip), ["10.0.0.2", "10.0.0.4"]);
        assert.deepEqual(ep.subsets[0].ports, [{ name: "http", port: 8080, protocol: "TCP" }, { name: "metrics", port: 9090, protocol: "TCP" }]);
        assert.deepEqual(ep.subsets[0].addresses[0].targetRef, { kind: "Pod", namespace: "default", name: "a", uid: "uid-a" });
    });
    test("a named targetPort no container declares: the pod is left out of that port (FindPort)", () => {
        const p = pod("x", "10.0.0.9", { ports: false });
        assert.equal(resolveTargetPort(service.spec.ports[0], p), undefined);
        const ep = desiredEndpoints(service, [pod("a", "10.0.0.3"), p]);
        assert.equal(ep.subsets.length, 2, "grouped by port set");
        const onlyMetrics = ep.subsets.find((s) => s.ports.length === 1);
        assert.deepEqual(onlyMetrics.ports, [{ name: "metrics", port: 9090, protocol: "TCP" }]);
        assert.deepEqual(onlyMetrics.addresses.map((a) => a.ip), ["10.0.0.9"]);
    });
    test("slices carry conditions, the service-name label, and an owner reference", () => {
        const [s] = desiredSlices(service, [pod("a", "10.0.0.3"), pod("c", "10.0.0.4", { deleting: true })]);
        assert.equal(s.metadata.labels["kubernetes.io/service-name"], "web");
        assert.equal(s.metadata.labels["endpointslice.kubernetes.io/managed-by"], "endpointslice-controller.k8s.io");
        assert.equal(s.metadata.ownerReferences[0].uid, "svc-uid");
        assert.deepEqual(s.endpoints.map((e) => [e.addresses[0], e.conditions]), [
            ["10.0.0.3", { ready: true, serving: true, terminating: false }],
            ["10.0.0.4", { ready: false, serving: true, terminating: true }],
        ]);
        assert.match(s.metadata.name, /^web-[0-9a-f]{5}$/);
    });
    test("no pods: one empty slice; publishNotReadyAddresses makes unready pods ready", () => {
        assert.deepEqual(desiredSlices(service, [])[0].endpoints, []);
        const ep = desiredEndpoints({ ...service, spec: { ...service.spec, publishNotReadyAddresses: true } }, [pod("b", "10.0.0.2", { ready: false })]);
        assert.deepEqual(ep.subsets[0].addresses.map((a) => a.ip), ["10.0.0.2"]);
    });
    test("a selectorless service's Endpoints are mirrored to a slice", () => {
        const ep = { apiVersion: "v1", kind: "Endpoints", metadata: { name: "ext", namespace: "default" }, subsets: [{ addresses: [{ ip: "192.0.2.7" }], ports: [{ name: "dns", port: 53, protocol: "UDP" }] }] };
        const [s] = mirroredSlices({ ...service, metadata: { name: "ext", namespace: "default" }, spec: { ports: [{ name: "dns", port: 53, protocol: "UDP" }] } }, ep);
        assert.equal(s.metadata.labels["endpointslice.kubernetes.io/managed-by"], "endpointslicemirroring-controller.k8s.io");
        assert.deepEqual(s.endpoints[0].addresses, ["192.0.2.7"]);
        assert.deepEqual(s.ports, [{ name: "dns", port: 53, protocol: "UDP" }]);
    });
});
describe("EndpointsController (store)", () => {
    const tick = () => new Promise((r) => setImmediate(r));
    test("follows pods: readiness, label changes, deletion; deleting the service deletes its objects", async () => {
        const store = openStore(":memory:");
        const c = new EndpointsController(store);
        store.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: "default" } });
        store.create(service);
        c.start();
        const a = store.create(pod("a", "10.0.0.3"));
        store.create(pod("b", "10.0.0.4"));
        await tick();
        const ips = () => (store.get("Endpoints", "default", "web")?.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((x) => x.ip));
        const sliceIPs = () => store.list("EndpointSlice", { namespace: "default" }).items.flatMap((s) => s.endpoints.filter((e) => e.conditions?.ready).map((e) => e.addresses[0]));
        assert.deepEqual(ips(), ["10.0.0.3", "10.0.0.4"]);
        assert.deepEqual(sliceIPs(), ["10.0.0.3", "10.0.0.4"]);
        store.update({ ...a, status: { ...a.status, conditions: [{ type: "Ready", status: "False" }] } }, { subresource: "status" });
        await tick();
        assert.deepEqual(ips(), ["10.0.0.4"], "unready pod left");
        const fresh = store.get("Pod", "default", "a");
        store.update({ ...fresh, metadata: { ...fresh.metadata, labels: { app: "other" } } });
        await tick();
        assert.equal(store.get("Endpoints", "default", "web").subsets[0].notReadyAddresses, undefined, "relabelled pod left entirely");
        store.delete("Pod", "default", "b");
        await tick();
        assert.deepEqual(ips(), []);
        store.delete("Service", "default", "web");
        await tick();
        assert.equal(store.get("Endpoints", "default", "web"), undefined);
        assert.equal(store.list("EndpointSlice").items.length, 0);
        c.stop();
        store.close();
    });
});
//# sourceMappingURL=endpoints.test.js.map