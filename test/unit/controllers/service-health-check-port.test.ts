/**
 * healthCheckNodePort through the API, as the service REST storage and validation treat it: allocated for a
 * LoadBalancer with externalTrafficPolicy Local (or the one asked for), refused elsewhere, immutable while needed,
 * dropped and released when no longer needed; `allocateLoadBalancerNodePorts: false` allocates no node port;
 * loadBalancerSourceRanges validated as upstream does.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Service } from "../../../src/api/types.js";
import type { ApiError } from "../../../src/api/errors.js";
import { ClusterIPAllocator } from "../../../src/controllers/cluster-ip-allocator.js";
import { NodePortAllocator } from "../../../src/controllers/node-port-allocator.js";
import { ServiceAllocation } from "../../../src/controllers/service-allocation.js";
import { parseCidr } from "../../../src/api/cidr.js";
import { startTestServer, type TestServer } from "../apiserver/harness.js";

function lb(name: string, spec: Partial<Service["spec"]> = {}): Service {
  return { apiVersion: "v1", kind: "Service", metadata: { name }, spec: { type: "LoadBalancer", externalTrafficPolicy: "Local", selector: { app: name }, ports: [{ port: 80 }], ...spec } };
}

describe("healthCheckNodePort allocation and validation (API)", () => {
  let t: TestServer;
  let stop: () => void;
  const path = "/api/v1/namespaces/default/services";
  const post = (s: Service) => t.client.request<Service>("POST", path, { body: s });
  const put = (s: Service) => t.client.request<Service>("PUT", `${path}/${s.metadata.name}`, { body: s });
  const fails = (p: Promise<unknown>, code: number, re: RegExp) => assert.rejects(p, (e: ApiError) => e.code === code && re.test(e.message));

  before(async () => {
    t = await startTestServer();
    stop = new ServiceAllocation(new ClusterIPAllocator(parseCidr("10.101.0.0/24")!), new NodePortAllocator([30000, 30099], () => 0)).install(t.store, t.server);
  });
  after(async () => {
    stop();
    await t.close();
  });

  test("allocated from the node port range, apart from the service's node ports; kept when an update leaves it out", async () => {
    const s = await post(lb("a"));
    const hc = s.spec.healthCheckNodePort!;
    assert.ok(hc >= 30000 && hc <= 30099, String(hc));
    assert.notEqual(hc, s.spec.ports![0].nodePort);
    const { healthCheckNodePort: _dropped, ...spec } = s.spec;
    const again = await put({ ...s, spec });
    assert.equal(again.spec.healthCheckNodePort, hc);
    await fails(put({ ...again, spec: { ...again.spec, healthCheckNodePort: 30099 } }), 422, /spec\.healthCheckNodePort: Forbidden: field is immutable/);
  });

  test("a requested port is kept; one already held is upstream's 500; out of range too; nothing stored", async () => {
    const s = await post(lb("b", { healthCheckNodePort: 30095 }));
    assert.equal(s.spec.healthCheckNodePort, 30095);
    await fails(post(lb("c", { healthCheckNodePort: 30095 })), 500, /^Internal error occurred: failed to allocate requested HealthCheck NodePort 30095: provided port is already allocated$/);
    await fails(post(lb("c", { healthCheckNodePort: 31000 })), 500, /provided port is not in the valid range\. The range of valid ports is 30000-30099/);
    await fails(post(lb("c", { healthCheckNodePort: 70000 })), 422, /spec\.healthCheckNodePort: Invalid value: 70000: must be between 1 and 65535, inclusive/);
    assert.equal(await t.client.request("GET", `${path}/c`).catch((e: ApiError) => e.code), 404);
  });

  test("only a LoadBalancer with externalTrafficPolicy Local may have one", async () => {
    await fails(post(lb("d", { externalTrafficPolicy: "Cluster", healthCheckNodePort: 30097 })), 422, /spec\.healthCheckNodePort: Invalid value: 30097: may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'/);
    await fails(post(lb("d", { type: "NodePort", healthCheckNodePort: 30097 })), 422, /may only be set when `type` is 'LoadBalancer'/);
    const cluster = await post(lb("d", { externalTrafficPolicy: "Cluster" }));
    assert.equal(cluster.spec.healthCheckNodePort, undefined);
  });

  test("switching to Cluster drops the port and releases it; switching back allocates one", async () => {
    const s = await post(lb("e", { healthCheckNodePort: 30096 }));
    const cluster = await put({ ...s, spec: { ...s.spec, externalTrafficPolicy: "Cluster" } });
    assert.equal(cluster.spec.healthCheckNodePort, undefined);
    const taker = await post(lb("f", { healthCheckNodePort: 30096 }));
    assert.equal(taker.spec.healthCheckNodePort, 30096, "released: another service may take it");
    const local = await put({ ...cluster, spec: { ...cluster.spec, externalTrafficPolicy: "Local" } });
    assert.ok(local.spec.healthCheckNodePort && local.spec.healthCheckNodePort !== 30096);
  });

  test("loadBalancerSourceRanges: CIDRs, only on a LoadBalancer (upstream's field path)", async () => {
    await fails(post(lb("h", { externalTrafficPolicy: "Cluster", loadBalancerSourceRanges: ["10.0.0.0/8", "nope"] })), 422, /spec\.LoadBalancerSourceRanges\[1\]: Invalid value: "nope": must be a valid CIDR value/);
    await fails(post(lb("h", { type: "NodePort", externalTrafficPolicy: "Cluster", loadBalancerSourceRanges: ["10.0.0.0/8"] })), 422, /spec\.LoadBalancerSourceRanges: Forbidden: may only be used when `type` is 'LoadBalancer'/);
    const ok = await post(lb("h", { externalTrafficPolicy: "Cluster", loadBalancerSourceRanges: [" 10.0.0.0/8"] }));
    assert.deepEqual(ok.spec.loadBalancerSourceRanges, [" 10.0.0.0/8"]);
  });

  test("allocateLoadBalancerNodePorts false: no node port allocated, a requested one kept", async () => {
    const s = await post(lb("g", { externalTrafficPolicy: "Cluster", allocateLoadBalancerNodePorts: false, ports: [{ name: "a", port: 80 }, { name: "b", port: 81, nodePort: 30098 }] }));
    assert.deepEqual(s.spec.ports!.map((p) => p.nodePort), [undefined, 30098]);
  });
});
