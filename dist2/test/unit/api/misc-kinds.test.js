import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { admitCreate, admitUpdate } from "../../../src/api/admission.js";
import { base64Error } from "../../../src/api/misc-kinds.js";
import { assertErrors, assertHasError, createErrors, CTX, updateErrors } from "./helpers.js";
describe("Namespace", () => {
    const ns = (name) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name } });
    it("labels itself, gets the kubernetes finalizer and Active phase", () => {
        const out = admitCreate(ns("team-a"), CTX);
        assert.deepEqual(out.metadata.labels, { "kubernetes.io/metadata.name": "team-a" });
        assert.deepEqual(out.spec, { finalizers: ["kubernetes"] });
        assert.deepEqual(out.status, { phase: "Active" });
        assert.equal(out.metadata.namespace, undefined);
    });
    it("requires a DNS-1123 label name", () => {
        assertHasError(createErrors(ns("team.a")), 'metadata.name: Invalid value: "team.a": must not contain dots');
        assertHasError(createErrors(ns("Team")), 'metadata.name: Invalid value: "Team": a lowercase RFC 1123 label');
    });
    it("keeps spec and status on update", () => {
        const old = admitCreate(ns("a"), CTX);
        const next = structuredClone(old);
        next.spec = { finalizers: [] };
        next.metadata.labels = { team: "x" };
        const out = admitUpdate(next, old, CTX);
        assert.deepEqual(out.spec, { finalizers: ["kubernetes"] });
        assert.equal(out.metadata.labels["kubernetes.io/metadata.name"], "a");
    });
});
describe("ConfigMap", () => {
    const cm = (data, extra = {}) => ({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "cfg" },
        data,
        ...extra,
    });
    it("accepts valid keys", () => {
        assert.deepEqual(admitCreate(cm({ "app.properties": "a=b", KEY_1: "x" }), CTX).data, { "app.properties": "a=b", KEY_1: "x" });
    });
    it("rejects invalid and duplicate keys", () => {
        const errs = createErrors(cm({ "a/b": "x", dup: "y" }, { binaryData: { dup: "eA==" } }));
        assertErrors(errs, [
            "data[a/b]: Invalid value: \"a/b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name' or 'KEY_NAME' or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
            'data[dup]: Invalid value: "dup": duplicate of key present in binaryData',
        ]);
    });
    it("keeps immutable data immutable", () => {
        const old = admitCreate(cm({ a: "1" }, { immutable: true }), CTX);
        const next = structuredClone(old);
        next.data = { a: "2" };
        assertErrors(updateErrors(next, old), ["data: Forbidden: field is immutable when `immutable` is set"]);
    });
});
describe("Secret", () => {
    const secret = (extra) => ({ apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, ...extra });
    it("defaults type Opaque and folds stringData into data", () => {
        const out = admitCreate(secret({ stringData: { password: "hunter2" }, data: { user: "YWRtaW4=" } }), CTX);
        assert.equal(out.type, "Opaque");
        assert.deepEqual(out.data, { user: "YWRtaW4=", password: "aHVudGVyMg==" });
        assert.equal(out.stringData, undefined);
    });
    it("requires base64 data", () => {
        assertErrors(createErrors(secret({ data: { a: "not base64!" } })), [
            'data[a]: Invalid value: "<secret contents redacted>": illegal base64 data at input byte 3',
        ]);
        assert.equal(base64Error("YWJj"), undefined);
        assert.equal(base64Error("YWI="), undefined);
        assert.equal(base64Error("YW\nJj"), undefined);
        assert.equal(base64Error("YWJ"), "illegal base64 data at input byte 0");
        assert.equal(base64Error("YW=j"), "illegal base64 data at input byte 2");
    });
    it("requires the keys of typed secrets", () => {
        assertErrors(createErrors(secret({ type: "kubernetes.io/tls", data: { "tls.crt": "eA==" } })), ["data[tls.key]: Required value"]);
    });
    it("keeps its type", () => {
        const old = admitCreate(secret({}), CTX);
        const next = structuredClone(old);
        next.type = "kubernetes.io/basic-auth";
        next.data = { username: "eA==" };
        assertErrors(updateErrors(next, old), ['type: Invalid value: "kubernetes.io/basic-auth": field is immutable']);
    });
});
describe("Node", () => {
    const node = (extra = {}) => ({ apiVersion: "v1", kind: "Node", metadata: { name: "node-1" }, ...extra });
    it("defaults allocatable to capacity", () => {
        const out = admitCreate(node({ status: { capacity: { cpu: "4", memory: "8192Mi" } } }), CTX);
        assert.deepEqual(out.status.allocatable, { cpu: "4", memory: "8Gi" });
    });
    it("checks taints, pod CIDRs and resource quantities", () => {
        const errs = createErrors(node({ spec: { podCIDRs: ["10.244.0.0/33"], taints: [{ key: "k", effect: "Never" }] }, status: { capacity: { cpu: "-1" } } }));
        assertErrors(errs, [
            'spec.taints[0].effect: Unsupported value: "Never": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
            'status.capacity.cpu: Invalid value: "-1": must be greater than or equal to 0',
            // allocatable was defaulted from capacity, so it is reported too (as by the API server)
            'status.allocatable.cpu: Invalid value: "-1": must be greater than or equal to 0',
            'spec.podCIDRs[0]: Invalid value: "10.244.0.0/33": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
        ]);
    });
});
describe("Endpoints and EndpointSlice", () => {
    it("defaults port protocols and validates addresses and ports", () => {
        const ep = {
            apiVersion: "v1",
            kind: "Endpoints",
            metadata: { name: "web" },
            subsets: [{ addresses: [{ ip: "10.244.0.5" }], ports: [{ port: 80 }] }],
        };
        assert.equal(admitCreate(ep, CTX).subsets[0].ports[0].protocol, "TCP");
        const bad = {
            ...ep,
            subsets: [
                { addresses: [{ ip: "127.0.0.1" }, { ip: "x" }], ports: [{ port: 0 }, { name: "b", port: 81 }] },
                { ports: [{ port: 80 }] },
            ],
        };
        assertErrors(createErrors(bad), [
            'subsets[0].addresses[0].ip: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
            'subsets[0].addresses[1].ip: Invalid value: "x": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
            "subsets[0].ports[0].name: Required value",
            "subsets[0].ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive",
            "subsets[1]: Required value: must specify `addresses` or `notReadyAddresses`",
        ]);
    });
    it("validates EndpointSlices", () => {
        const slice = {
            apiVersion: "discovery.k8s.io/v1",
            kind: "EndpointSlice",
            metadata: { name: "web-abc" },
            addressType: "IPv4",
            endpoints: [{ addresses: ["10.244.0.5"], conditions: { ready: true } }],
            ports: [{ port: 80 }],
        };
        const out = admitCreate(slice, CTX);
        assert.deepEqual(out.ports, [{ port: 80, name: "", protocol: "TCP" }]);
        const bad = { ...slice, addressType: "IPv5", endpoints: [{ addresses: [] }], ports: [{ port: 70000 }, { port: 81 }] };
        assertErrors(createErrors(bad), [
            'addressType: Unsupported value: "IPv5": supported values: "FQDN", "IPv4", "IPv6"',
            "endpoints[0].addresses: Required value: must contain at least 1 address",
            "ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive",
            'ports[1].name: Duplicate value: ""',
        ]);
        assertHasError(createErrors({ ...slice, endpoints: [{ addresses: ["fd00::1"] }] }), 'endpoints[0].addresses[0]: Invalid value: "fd00::1": must be a valid IPv4 address');
    });
});
describe("Event", () => {
    const ev = (extra = {}) => ({
        apiVersion: "v1",
        kind: "Event",
        metadata: { name: "web.17a", namespace: "default" },
        involvedObject: { kind: "Pod", name: "web", namespace: "default" },
        reason: "Started",
        message: "Started container",
        type: "Normal",
        ...extra,
    });
    it("accepts a kubelet-style event", () => {
        assert.equal(admitCreate(ev(), CTX).reason, "Started");
    });
    it("requires involvedObject and a matching namespace", () => {
        assertErrors(createErrors(ev({ involvedObject: undefined })), ["involvedObject: Required value"]);
        assertErrors(createErrors(ev({ involvedObject: { kind: "Pod", name: "web", namespace: "other" } })), [
            'involvedObject.namespace: Invalid value: "other": does not match event.namespace',
        ]);
    });
    it("checks new-style events (with eventTime)", () => {
        const errs = createErrors(ev({ eventTime: "2024-01-01T00:00:00.000000Z", reason: "" }));
        assertErrors(errs, ["reportingController: Required value", "reportingInstance: Required value", "action: Required value", "reason: Required value"]);
    });
});
//# sourceMappingURL=misc-kinds.test.js.map