import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { ClusterIPAllocator } from "../../../src/controllers/cluster-ip-allocator.js";
import { NodePortAllocator } from "../../../src/controllers/node-port-allocator.js";
import { ServiceAllocation } from "../../../src/controllers/service-allocation.js";
import { parseCidr } from "../../../src/api/cidr.js";
import { startTestServer } from "../apiserver/harness.js";
function svc(name, spec = {}) {
    return { apiVersion: "v1", kind: "Service", metadata: { name }, spec: { selector: { app: name }, ports: [{ port: 80 }], ...spec } };
}
describe("service allocation through the API (create and update hooks)", () => {
    let t;
    let stop;
    const post = (s) => t.client.request("POST", "/api/v1/namespaces/default/services", { body: s });
    const put = (s) => t.client.request("PUT", `/api/v1/namespaces/default/services/${s.metadata.name}`, { body: s });
    const invalid = async (p, re) => assert.rejects(p, (e) => e.code === 422 && re.test(e.message));
    before(async () => {
        t = await startTestServer();
        stop = new ServiceAllocation(new ClusterIPAllocator(parseCidr("10.100.0.0/24")), new NodePortAllocator([30000, 30002])).install(t.store, t.server);
    });
    after(async () => {
        stop();
        await t.close();
    });
    test("a ClusterIP service gets an address from the upper band of the service CIDR", async () => {
        const s = await post(svc("a"));
        assert.match(s.spec.clusterIP, /^10\.100\.0\.\d+$/);
        const last = Number(s.spec.clusterIP.split(".")[3]);
        assert.ok(last >= 17 && last <= 254, `${s.spec.clusterIP} is above the static band (16 addresses) and not the broadcast`);
        assert.deepEqual(s.spec.clusterIPs, [s.spec.clusterIP]);
    });
    test("a requested clusterIP is kept; taken or out of range is 422 naming the field", async () => {
        const s = await post(svc("b", { clusterIP: "10.100.0.10" }));
        assert.equal(s.spec.clusterIP, "10.100.0.10");
        await invalid(post(svc("c", { clusterIP: "10.100.0.10" })), /spec\.clusterIPs\[0\]: Invalid value: "10\.100\.0\.10": failed to allocate IP 10\.100\.0\.10: provided IP is already allocated/);
        await invalid(post(svc("c", { clusterIP: "10.99.0.1" })), /spec\.clusterIPs\[0\].*not in the valid range\. The range of valid IPs is 10\.100\.0\.0\/24/);
        await invalid(post(svc("c", { clusterIP: "10.100.0.255" })), /not in the valid range/);
        assert.equal(await t.client.request("GET", "/api/v1/namespaces/default/services/c").catch((e) => e.code), 404, "nothing was stored");
    });
    test("headless services get no address", async () => {
        const s = await post(svc("headless", { clusterIP: "None" }));
        assert.equal(s.spec.clusterIP, "None");
    });
    test("node ports: allocated in range, requested ones checked, a full range is a clear error", async () => {
        const a = await post(svc("np1", { type: "NodePort", ports: [{ name: "tcp", port: 53 }, { name: "udp", port: 53, protocol: "UDP" }] }));
        const [p0, p1] = a.spec.ports.map((p) => p.nodePort);
        assert.ok(p0 >= 30000 && p0 <= 30002);
        assert.equal(p1, p0, "TCP and UDP of one port share the node port");
        const free = [30000, 30001, 30002].find((p) => p !== p0);
        await post(svc("np2", { type: "NodePort", ports: [{ port: 80, nodePort: free }] }));
        await invalid(post(svc("np3", { type: "NodePort", ports: [{ port: 80, nodePort: free }] })), new RegExp(`spec\\.ports\\[0\\]\\.nodePort: Invalid value: ${free}: provided port is already allocated`));
        await invalid(post(svc("np3", { type: "NodePort", ports: [{ port: 80, nodePort: 31000 }] })), /provided port is not in the valid range/);
        await post(svc("np3", { type: "NodePort" }));
        await assert.rejects(post(svc("np4", { type: "NodePort" })), (e) => e.code === 500 && /range 30000-30002 is full/.test(e.message));
    });
    test("an update to NodePort allocates; an update keeps what was allocated; delete frees", async () => {
        const s = await post(svc("upd"));
        await t.client.request("DELETE", "/api/v1/namespaces/default/services/np3");
        const np = await put({ ...s, spec: { ...s.spec, type: "NodePort" } });
        assert.ok(np.spec.ports[0].nodePort);
        assert.equal(np.spec.clusterIP, s.spec.clusterIP);
        const again = await put({ ...np, spec: { ...np.spec, ports: [{ port: 80, protocol: "TCP", targetPort: 80 }] } });
        assert.equal(again.spec.ports[0].nodePort, np.spec.ports[0].nodePort, "left out on update: kept");
    });
    test("dry run allocates nothing", async () => {
        const r = await t.client.request("POST", "/api/v1/namespaces/default/services?dryRun=All", { body: svc("dry", { clusterIP: "10.100.0.11" }) });
        assert.equal(r.spec.clusterIP, "10.100.0.11");
        const s = await post(svc("wet", { clusterIP: "10.100.0.11" }));
        assert.equal(s.spec.clusterIP, "10.100.0.11");
    });
});
test("ClusterIPAllocator falls back to the lower band when the upper one is full", () => {
    const a = new ClusterIPAllocator(parseCidr("10.1.0.0/27"), () => 0);
    // /27: 30 usable addresses, lower band 16 → upper band .17-.30
    assert.equal(a.allocate(), "10.1.0.17");
});
//# sourceMappingURL=service-allocation.test.js.map