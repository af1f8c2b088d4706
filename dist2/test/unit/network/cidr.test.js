import { test } from "node:test";
import assert from "node:assert/strict";
import { contains, containsCidr, formatCidr, formatIPv4, gatewayOf, lastAddress, overlaps, parseCidr, parseCidrSetting, parseIPv4, podRange, } from "../../../src/api/cidr.js";
test("parses and formats IPv4 addresses, refusing anything ambiguous", () => {
    assert.equal(parseIPv4("10.244.0.1"), 0x0af40001);
    assert.equal(formatIPv4(0x0af40001), "10.244.0.1");
    assert.equal(formatIPv4(parseIPv4("255.255.255.255")), "255.255.255.255");
    for (const bad of ["10.244.0", "10.244.0.256", "010.1.1.1", "1.2.3.4.5", "a.b.c.d", "", "1..2.3"])
        assert.equal(parseIPv4(bad), undefined, bad);
});
test("parses CIDRs strictly or loosely", () => {
    assert.deepEqual(parseCidr("10.244.0.0/24"), { base: 0x0af40000, prefix: 24 });
    assert.equal(parseCidr("10.244.0.1/24"), undefined, "host bits set");
    assert.deepEqual(parseCidr("10.244.0.1/24", false), { base: 0x0af40000, prefix: 24 });
    assert.equal(parseCidr("10.244.0.0/33"), undefined);
    assert.equal(parseCidr("10.244.0.0"), undefined);
    assert.deepEqual(parseCidr("0.0.0.0/0"), { base: 0, prefix: 0 });
    assert.equal(formatCidr(parseCidr("192.168.1.128/25")), "192.168.1.128/25");
});
test("CIDR settings errors name the setting and suggest the network", () => {
    assert.throws(() => parseCidrSetting("--pod-cidr", "10.244.0.1/24"), (e) => e.message === '--pod-cidr: "10.244.0.1/24" has host bits set; did you mean 10.244.0.0/24?');
    assert.throws(() => parseCidrSetting("--cluster-cidr", "banana"), /--cluster-cidr: "banana" is not an IPv4 CIDR/);
});
test("containment and overlap", () => {
    const cluster = parseCidr("10.244.0.0/16");
    const pod = parseCidr("10.244.3.0/24");
    const other = parseCidr("10.245.0.0/24");
    assert.ok(containsCidr(cluster, pod));
    assert.ok(!containsCidr(pod, cluster));
    assert.ok(overlaps(pod, cluster) && overlaps(cluster, pod));
    assert.ok(!overlaps(cluster, other));
    assert.ok(contains(pod, parseIPv4("10.244.3.255")));
    assert.ok(!contains(pod, parseIPv4("10.244.4.0")));
    assert.ok(overlaps(parseCidr("0.0.0.0/0"), other));
});
test("pod range skips network, gateway and broadcast", () => {
    const pod = parseCidr("10.244.0.0/24");
    assert.equal(formatIPv4(gatewayOf(pod)), "10.244.0.1");
    assert.equal(formatIPv4(lastAddress(pod)), "10.244.0.255");
    const r = podRange(pod);
    assert.equal(formatIPv4(r.first), "10.244.0.2");
    assert.equal(formatIPv4(r.last), "10.244.0.254");
    const tiny = podRange(parseCidr("10.0.0.0/30"));
    assert.equal(tiny.last - tiny.first + 1, 1, "a /30 holds one pod");
    const none = podRange(parseCidr("10.0.0.0/31"));
    assert.ok(none.last < none.first, "a /31 holds none");
});
//# sourceMappingURL=cidr.test.js.map