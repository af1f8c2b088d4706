import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { generateName, isAnnotationKey, isCapabilityName, isConfigMapKey, isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isEnvVarName, isLabelValue, isQualifiedName, isValidPortName, NAME_SUFFIX_ALPHABET, nameIsDNSSubdomain } from "../../../src/api/names.js";
import { expandIPv6, isCIDR, isIP, isIPv4, specialIPProblems } from "../../../src/api/ip.js";
const LABEL_MSG = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name' or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const SUBDOMAIN_MSG = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
describe("DNS names", () => {
    it("accepts valid labels and subdomains", () => {
        for (const v of ["a", "web-1", "123", "a".repeat(63)])
            assert.deepEqual(isDNS1123Label(v), [], v);
        for (const v of ["a.b", "web-1.example.com", "a".repeat(253)])
            assert.deepEqual(isDNS1123Subdomain(v), [], v);
    });
    it("rejects invalid labels with Kubernetes' messages", () => {
        assert.deepEqual(isDNS1123Label("Web"), [LABEL_MSG]);
        assert.deepEqual(isDNS1123Label("-a"), [LABEL_MSG]);
        assert.deepEqual(isDNS1123Label("a.b"), ["must not contain dots"]);
        assert.deepEqual(isDNS1123Label("a".repeat(64)), ["must be no more than 63 characters"]);
        assert.deepEqual(isDNS1123Subdomain("Web_1"), [SUBDOMAIN_MSG]);
        assert.deepEqual(isDNS1123Subdomain("a".repeat(254)), ["must be no more than 253 characters"]);
    });
    it("distinguishes RFC 1035 labels (must start with a letter)", () => {
        assert.deepEqual(isDNS1035Label("web"), []);
        assert.equal(isDNS1035Label("1web").length, 1);
        assert.match(isDNS1035Label("1web")[0], /^a DNS-1035 label must consist of/);
    });
    it("masks a trailing dash of generateName prefixes", () => {
        assert.deepEqual(nameIsDNSSubdomain("web-", true), []);
        assert.equal(nameIsDNSSubdomain("web-", false).length, 1);
    });
});
describe("label keys and values, annotation keys", () => {
    it("accepts prefixed and plain keys", () => {
        for (const k of ["app", "app.kubernetes.io/name", "example.com/My_Key", "a"])
            assert.deepEqual(isQualifiedName(k), [], k);
        assert.deepEqual(isLabelValue(""), []);
        assert.deepEqual(isLabelValue("v1.2_x-y"), []);
    });
    it("reports each problem of a key", () => {
        assert.deepEqual(isQualifiedName("/a"), ["prefix part must be non-empty"]);
        assert.deepEqual(isQualifiedName("example.com/"), [
            "name part must be non-empty",
            "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName' or 'my.name' or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
        ]);
        assert.match(isQualifiedName("a/b/c")[0], /^a qualified name must consist of/);
        assert.match(isQualifiedName("Example.com/a")[0], /^prefix part a lowercase RFC 1123 subdomain/);
        assert.deepEqual(isQualifiedName("a".repeat(64)).slice(0, 1), ["name part must be no more than 63 characters"]);
        assert.match(isLabelValue("-x")[0], /^a valid label must be an empty string/);
        assert.deepEqual(isLabelValue("a".repeat(64)).slice(0, 1), ["must be no more than 63 characters"]);
    });
    it("checks annotation keys case-insensitively", () => {
        assert.deepEqual(isAnnotationKey("Example.COM/Thing"), []);
    });
});
describe("IANA_SVC_NAME port names", () => {
    it("accepts service names", () => {
        for (const n of ["http", "web-8080", "a1"])
            assert.deepEqual(isValidPortName(n), [], n);
    });
    it("lists every broken rule", () => {
        assert.deepEqual(isValidPortName("8080"), ["must contain at least one letter (a-z)"]);
        assert.deepEqual(isValidPortName("a--b"), ["must contain consecutive hyphens".replace("must", "must not")]);
        assert.deepEqual(isValidPortName("-ab"), ["must not begin or end with a hyphen"]);
        assert.deepEqual(isValidPortName("HTTP"), [
            "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)",
            "must contain at least one letter (a-z)",
        ]);
        assert.deepEqual(isValidPortName("a-very-long-port-name"), ["must be no more than 15 characters"]);
    });
});
describe("env var names, config keys, capabilities", () => {
    it("env var names", () => {
        for (const n of ["PATH", "my.env-name", "_x", "MyEnvName1"])
            assert.deepEqual(isEnvVarName(n), [], n);
        assert.match(isEnvVarName("1A")[0], /^a valid environment variable name must consist of alphabetic characters/);
        assert.ok(isEnvVarName("..").includes("must not be '..'"));
        assert.equal(isEnvVarName("A=B").length, 1);
    });
    it("config map keys", () => {
        assert.deepEqual(isConfigMapKey("app.properties"), []);
        assert.match(isConfigMapKey("a/b")[0], /^a valid config key must consist of alphanumeric characters, '-', '_' or '.'/);
        assert.deepEqual(isConfigMapKey(".."), ["must not be '..'"]);
        assert.deepEqual(isConfigMapKey("..a"), ["must not start with '..'"]);
    });
    it("capability names", () => {
        for (const c of ["NET_ADMIN", "CAP_SYS_TIME", "ALL", "CHOWN"])
            assert.deepEqual(isCapabilityName(c), [], c);
        assert.equal(isCapabilityName("net_admin").length, 1);
        assert.equal(isCapabilityName("CAP_FLY").length, 1);
    });
});
describe("IP addresses", () => {
    it("parses IPv4 (sloppy, like Go) and IPv6", () => {
        assert.ok(isIPv4("10.0.0.1"));
        assert.ok(isIPv4("010.000.000.001"));
        assert.ok(!isIPv4("256.1.1.1"));
        assert.ok(!isIPv4("1.2.3"));
        assert.ok(isIP("2001:db8::1"));
        assert.ok(!isIP("not-an-ip"));
        assert.deepEqual(expandIPv6("::1"), [0, 0, 0, 0, 0, 0, 0, 1]);
        assert.deepEqual(expandIPv6("fe80::1:2"), [0xfe80, 0, 0, 0, 0, 0, 1, 2]);
        assert.deepEqual(expandIPv6("::ffff:1.2.3.4"), [0, 0, 0, 0, 0, 0xffff, 0x102, 0x304]);
    });
    it("recognises special addresses", () => {
        assert.deepEqual(specialIPProblems("10.1.2.3"), []);
        assert.deepEqual(specialIPProblems("127.0.0.1"), ["may not be in the loopback range (127.0.0.0/8, ::1/128)"]);
        assert.deepEqual(specialIPProblems("0.0.0.0"), ["may not be unspecified (0.0.0.0)"]);
        assert.deepEqual(specialIPProblems("169.254.1.1"), ["may not be in the link-local range (169.254.0.0/16, fe80::/10)"]);
        assert.deepEqual(specialIPProblems("224.0.0.5"), ["may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"]);
        assert.deepEqual(specialIPProblems("::1"), ["may not be in the loopback range (127.0.0.0/8, ::1/128)"]);
        assert.deepEqual(specialIPProblems("fe80::1"), ["may not be in the link-local range (169.254.0.0/16, fe80::/10)"]);
        assert.deepEqual(specialIPProblems("2001:db8::1"), []);
    });
    it("parses CIDRs", () => {
        assert.ok(isCIDR("10.244.0.0/16"));
        assert.ok(isCIDR("fd00::/64"));
        assert.ok(!isCIDR("10.244.0.0/33"));
        assert.ok(!isCIDR("10.244.0.0"));
    });
});
describe("generateName", () => {
    it("appends five characters of the Kubernetes alphabet", () => {
        const name = generateName("web-");
        assert.match(name, /^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
        let i = 0;
        const seq = [0, 0.5, 0.99, 0.1, 0.3];
        assert.equal(generateName("x-", () => seq[i++]), "x-br9dl");
        assert.equal(NAME_SUFFIX_ALPHABET.length, 27);
    });
    it("cuts long bases to 58 characters", () => {
        assert.equal(generateName("a".repeat(80), () => 0), "a".repeat(58) + "bbbbb");
    });
});
//# sourceMappingURL=names.test.js.map