import { test } from "node:test";
import assert from "node:assert/strict";
import { validateSettings, validateInterfaceName } from "../../../src/network/settings.js";
import { formatIPv4 } from "../../../src/api/cidr.js";
test("defaults are Kubernetes' usual ones", () => {
    const s = validateSettings({});
    assert.equal(s.bridge, "nodelet0");
    assert.equal(formatIPv4(s.gateway), "10.244.0.1");
    assert.equal(s.firewallBackend, "auto");
    assert.equal(s.hairpin, true);
    assert.equal(s.masqueradeMark, 0x2000);
});
test("errors name the setting and the reason", () => {
    const cases = [
        [{ bridge: "a-very-long-bridge-name" }, /^FieldError: --bridge: "a-very-long-bridge-name" is 23 bytes; interface names are at most 15 bytes$/],
        [{ bridge: "br/0" }, /^FieldError: --bridge: .*may only contain/],
        [{ bridge: "" }, /^FieldError: --bridge: must not be empty/],
        [{ podCIDR: "10.1.0.0/24" }, /^FieldError: --pod-cidr: 10.1.0.0\/24 is not inside --cluster-cidr 10.244.0.0\/16$/],
        [{ podCIDR: "10.244.0.0/31" }, /^FieldError: --pod-cidr: 10.244.0.0\/31 has no room for pods/],
        [{ serviceCIDR: "10.244.128.0/20" }, /^FieldError: --service-cidr: 10.244.128.0\/20 overlaps --cluster-cidr 10.244.0.0\/16$/],
        [{ clusterCIDR: "10.244.0.0/33" }, /^FieldError: --cluster-cidr: "10.244.0.0\/33" is not an IPv4 CIDR/],
        [{ firewallBackend: "ipvs" }, /^FieldError: --firewall-backend: "ipvs" is not one of/],
        [{ nodeIP: "localhost" }, /^FieldError: --node-ip: "localhost" is not an IPv4 address/],
        [{ masqueradeBit: 40 }, /^FieldError: --masquerade-bit: 40/],
    ];
    for (const [input, re] of cases)
        assert.throws(() => validateSettings(input), re, JSON.stringify(input));
});
test("interface names: 15 bytes counts bytes, not characters", () => {
    validateInterfaceName("--bridge", "abcdefghijklmno");
    assert.throws(() => validateInterfaceName("--bridge", "abcdefghijklmnop"), /16 bytes/);
    assert.throws(() => validateInterfaceName("--bridge", "brü"), /may only contain/);
    assert.throws(() => validateInterfaceName("--bridge", ".."), /may only contain/);
});
//# sourceMappingURL=settings.test.js.map