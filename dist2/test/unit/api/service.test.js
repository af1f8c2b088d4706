import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { admitCreate, admitUpdate } from "../../../src/api/admission.js";
import { assertErrors, assertHasError, createErrors, CTX, updateErrors } from "./helpers.js";
function svc(spec = {}, name = "web") {
    return { apiVersion: "v1", kind: "Service", metadata: { name }, spec: { selector: { app: "web" }, ports: [{ port: 80 }], ...spec } };
}
describe("service defaults", () => {
    it("defaults a ClusterIP service", () => {
        const out = admitCreate(svc(), CTX);
        assert.deepEqual(out.spec, {
            selector: { app: "web" },
            ports: [{ port: 80, protocol: "TCP", targetPort: 80 }],
            type: "ClusterIP",
            sessionAffinity: "None",
            internalTrafficPolicy: "Cluster",
            ipFamilies: ["IPv4"],
            ipFamilyPolicy: "SingleStack",
        });
        assert.deepEqual(out.status, { loadBalancer: {} });
        assert.equal(out.metadata.namespace, "default");
    });
    it("defaults external traffic policy for NodePort and LoadBalancer", () => {
        const np = admitCreate(svc({ type: "NodePort" }), CTX);
        assert.equal(np.spec.externalTrafficPolicy, "Cluster");
        const lb = admitCreate(svc({ type: "LoadBalancer" }), CTX);
        assert.equal(lb.spec.allocateLoadBalancerNodePorts, true);
    });
    it("defaults ClientIP affinity timeout and drops config with None", () => {
        assert.deepEqual(admitCreate(svc({ sessionAffinity: "ClientIP" }), CTX).spec.sessionAffinityConfig, { clientIP: { timeoutSeconds: 10800 } });
        assert.equal(admitCreate(svc({ sessionAffinityConfig: { clientIP: { timeoutSeconds: 5 } } }), CTX).spec.sessionAffinityConfig, undefined);
    });
    it("keeps named target ports and syncs clusterIPs", () => {
        const out = admitCreate(svc({ clusterIP: "10.96.0.10", ports: [{ port: 80, targetPort: "http" }] }), CTX);
        assert.equal(out.spec.ports[0].targetPort, "http");
        assert.deepEqual(out.spec.clusterIPs, ["10.96.0.10"]);
    });
    it("defaults nothing IP-related for ExternalName", () => {
        const out = admitCreate(svc({ type: "ExternalName", externalName: "db.example.com", ports: [] }), CTX);
        assert.equal(out.spec.ipFamilies, undefined);
        assert.equal(out.spec.internalTrafficPolicy, undefined);
    });
});
describe("service validation", () => {
    it("requires a DNS-1035 name", () => {
        assertHasError(createErrors(svc({}, "1web")), 'metadata.name: Invalid value: "1web": a DNS-1035 label must consist of');
    });
    it("checks type and affinity enums", () => {
        assertErrors(createErrors(svc({ type: "Internal", sessionAffinity: "Sticky" })), [
            'spec.sessionAffinity: Unsupported value: "Sticky": supported values: "ClientIP", "None"',
            'spec.type: Unsupported value: "Internal": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
        ]);
    });
    it("checks the ClientIP timeout range", () => {
        assertErrors(createErrors(svc({ sessionAffinity: "ClientIP", sessionAffinityConfig: { clientIP: { timeoutSeconds: 86401 } } })), [
            "spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 86401: must be greater than 0 and less than 86400",
        ]);
        assert.doesNotThrow(() => admitCreate(svc({ sessionAffinity: "ClientIP", sessionAffinityConfig: { clientIP: { timeoutSeconds: 86400 } } }), CTX));
    });
    it("checks ports: required names when several, unique names and ports, ranges", () => {
        const errs = createErrors(svc({
            ports: [
                { port: 80 },
                { name: "b", port: 0, targetPort: 70000 },
                { name: "b", port: 443, protocol: "HTTP", targetPort: "Bad_Name" },
                { name: "d", port: 80 },
            ],
        }));
        assertErrors(errs, [
            "spec.ports[0].name: Required value",
            "spec.ports[1].port: Invalid value: 0: must be between 1 and 65535, inclusive",
            "spec.ports[1].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
            'spec.ports[2].name: Duplicate value: "b"',
            'spec.ports[2].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
            'spec.ports[2].targetPort: Invalid value: "Bad_Name": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
            'spec.ports[3]: Duplicate value: {"protocol":"TCP","port":80}',
        ]);
        assertErrors(createErrors(svc({ ports: [] })), ["spec.ports: Required value"]);
    });
    it("checks node ports: only for NodePort and LoadBalancer, in range", () => {
        assertErrors(createErrors(svc({ ports: [{ port: 80, nodePort: 30080 }] })), [
            "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
        ]);
        assertErrors(createErrors(svc({ type: "NodePort", ports: [{ port: 80, nodePort: 80 }] })), [
            "spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767",
        ]);
        assert.doesNotThrow(() => admitCreate(svc({ type: "NodePort", ports: [{ port: 80, nodePort: 30080 }] }), CTX));
    });
    it("checks cluster IPs: IPv4, empty or None", () => {
        assertHasError(createErrors(svc({ clusterIP: "10.96.0.300" })), 'spec.clusterIPs[0]: Invalid value: "10.96.0.300": must be a valid IP address');
        assertErrors(createErrors(svc({ clusterIP: "fd00::1" })), ['spec.clusterIPs[0]: Invalid value: "fd00::1": expected an IPv4 value as indicated by `ipFamilies[0]`']);
        assert.doesNotThrow(() => admitCreate(svc({ clusterIP: "None" }), CTX));
        assert.doesNotThrow(() => admitCreate(svc({ clusterIP: "None", ports: [] }), CTX));
        assertErrors(createErrors(svc({ clusterIP: "None", type: "NodePort" })), ["spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services"]);
    });
    it("checks selector labels and traffic policies", () => {
        const errs = createErrors(svc({ selector: { "a b": "c" }, internalTrafficPolicy: "Nearby", externalTrafficPolicy: "Local" }));
        assertHasError(errs, 'spec.selector: Invalid value: "a b": name part must consist of');
        assertHasError(errs, 'spec.internalTrafficPolicy: Unsupported value: "Nearby": supported values: "Cluster", "Local"');
        assertHasError(errs, 'spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services');
    });
    it("checks ExternalName services", () => {
        assertErrors(createErrors(svc({ type: "ExternalName", ports: [] })), ["spec.externalName: Required value"]);
        assertErrors(createErrors(svc({ type: "ExternalName", externalName: "db.example.com.", clusterIP: "10.0.0.1" })), [
            "spec.clusterIPs: Forbidden: may not be set for ExternalName services",
        ]);
    });
});
describe("service updates", () => {
    const stored = (spec = {}) => {
        const s = admitCreate(svc(spec), CTX);
        s.spec.clusterIP = "10.96.0.20";
        s.spec.clusterIPs = ["10.96.0.20"];
        s.metadata.uid = "u";
        return s;
    };
    it("forbids changing the cluster IP", () => {
        const old = stored();
        const next = structuredClone(old);
        next.spec.clusterIP = "10.96.0.21";
        next.spec.clusterIPs = ["10.96.0.21"];
        assertErrors(updateErrors(next, old), ['spec.clusterIPs[0]: Invalid value: ["10.96.0.21"]: may not change once set']);
    });
    it("keeps allocated clusterIP and node ports the client left out", () => {
        const old = stored({ type: "NodePort" });
        old.spec.ports[0].nodePort = 30123;
        const next = svc({ type: "NodePort", ports: [{ port: 80 }, { port: 81, name: "b" }] });
        next.spec.ports[0].name = "a";
        const out = admitUpdate(next, old, CTX);
        assert.equal(out.spec.clusterIP, "10.96.0.20");
        assert.equal(out.spec.ports[0].nodePort, 30123);
        assert.equal(out.spec.ports[1].nodePort, undefined);
    });
    it("ignores status on the main resource", () => {
        const old = stored();
        const next = structuredClone(old);
        next.status = { loadBalancer: { ingress: [{ ip: "1.2.3.4" }] } };
        assert.deepEqual(admitUpdate(next, old, CTX).status, { loadBalancer: {} });
    });
});
//# sourceMappingURL=service.test.js.map