import { test } from "node:test";
import assert from "node:assert/strict";
import { hostPortConflict, podHostPorts } from "../../../src/network/host-ports.js";
function pod(...containers) {
    return {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "p", namespace: "default", uid: "u" },
        spec: { containers: containers.map((ports, i) => ({ name: `c${i}`, image: "busybox", ports })) },
    };
}
test("only ports with a hostPort are mapped; protocol defaults to TCP; 0.0.0.0 is every address", () => {
    const m = podHostPorts(pod([{ containerPort: 80 }, { containerPort: 80, hostPort: 8080 }], [{ containerPort: 53, hostPort: 5353, protocol: "UDP", hostIP: "0.0.0.0" }]));
    assert.deepEqual(m, [
        { hostIP: undefined, hostPort: 8080, protocol: "TCP", containerPort: 80, field: "spec.containers[0].ports[1].hostPort" },
        { hostIP: undefined, hostPort: 5353, protocol: "UDP", containerPort: 53, field: "spec.containers[1].ports[0].hostPort" },
    ]);
});
test("bad values name the field", () => {
    assert.throws(() => podHostPorts(pod([{ containerPort: 80, hostPort: 70000 }])), /^FieldError: spec\.containers\[0\]\.ports\[0\]\.hostPort: 70000 must be between 1 and 65535, inclusive$/);
    assert.throws(() => podHostPorts(pod([{ containerPort: 0, hostPort: 80 }])), /^FieldError: spec\.containers\[0\]\.ports\[0\]\.containerPort: 0 must be between/);
    assert.throws(() => podHostPorts(pod([{ containerPort: 80, hostPort: 80, protocol: "ICMP" }])), /ports\[0\]\.protocol: Unsupported value: "ICMP"/);
    assert.throws(() => podHostPorts(pod([{ containerPort: 80, hostPort: 80, hostIP: "::1" }])), /ports\[0\]\.hostIP: "::1" must be a valid IPv4 address/);
    assert.throws(() => podHostPorts(pod([{ containerPort: 80, hostPort: 80 }], [{ containerPort: 81, hostPort: 80, hostIP: "127.0.0.1" }])), /^FieldError: spec\.containers\[1\]\.ports\[0\]\.hostPort: 127\.0\.0\.1:80\/TCP is also requested by spec\.containers\[0\]\.ports\[0\]\.hostPort$/);
});
test("conflicts: same port and protocol on addresses that can coincide", () => {
    const held = [{ pod: "default/web", mappings: podHostPorts(pod([{ containerPort: 80, hostPort: 8080, hostIP: "10.0.0.1" }])) }];
    const want = (p) => podHostPorts(pod([p]));
    assert.equal(hostPortConflict(want({ containerPort: 1, hostPort: 8080 }), held)?.message, "spec.containers[0].ports[0].hostPort: 8080/TCP is already allocated to pod default/web");
    assert.ok(hostPortConflict(want({ containerPort: 1, hostPort: 8080, hostIP: "10.0.0.1" }), held));
    assert.equal(hostPortConflict(want({ containerPort: 1, hostPort: 8080, hostIP: "10.0.0.2" }), held), undefined);
    assert.equal(hostPortConflict(want({ containerPort: 1, hostPort: 8080, protocol: "UDP" }), held), undefined);
    assert.equal(hostPortConflict(want({ containerPort: 1, hostPort: 8081 }), held), undefined);
});
//# sourceMappingURL=host-ports.test.js.map