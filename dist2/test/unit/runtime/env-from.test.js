/** envFrom as the kubelet applies it: prefixes, order, env over envFrom, invalid keys skipped and reported, optional sources. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { containerEnvironment } from "../../../src/runtime/container-env.js";
const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "ns1", uid: "u" }, spec: { containers: [] } };
function run(c, over = {}) {
    const warnings = [];
    const src = {
        configMaps: { cfg: { SPECIAL_LEVEL: "very", SPECIAL_TYPE: "charm", "1BAD": "x", "bad key": "y", shared: "from-cfg" } },
        secrets: { sec: { username: "admin", shared: "from-secret" } },
        hostname: "p",
        warnInvalidKeys: (m) => warnings.push(m),
        ...over,
    };
    const list = containerEnvironment(pod, c, ["PATH=/bin"], src);
    return { env: new Map(list.map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)])), warnings };
}
test("every valid key of a ConfigMap and a Secret becomes a variable; invalid ones are skipped with the kubelet's event text", () => {
    const { env, warnings } = run({ name: "c", envFrom: [{ configMapRef: { name: "cfg" } }, { secretRef: { name: "sec" } }] });
    assert.equal(env.get("SPECIAL_LEVEL"), "very");
    assert.equal(env.get("username"), "admin");
    assert.equal(env.has("1BAD"), false);
    assert.equal(env.has("bad key"), false);
    assert.deepEqual(warnings, [
        "Keys [1BAD, bad key] from the EnvFrom configMap ns1/cfg were skipped since they are considered invalid environment variable names.",
    ]);
});
test("a later source overrides an earlier one; env overrides envFrom; the prefix applies before the name check", () => {
    const { env, warnings } = run({
        name: "c",
        envFrom: [{ configMapRef: { name: "cfg" } }, { secretRef: { name: "sec" } }, { prefix: "P_", configMapRef: { name: "cfg" } }],
        env: [{ name: "SPECIAL_TYPE", value: "from-env" }, { name: "REF", value: "$(P_SPECIAL_LEVEL)" }],
    });
    assert.equal(env.get("shared"), "from-secret");
    assert.equal(env.get("SPECIAL_TYPE"), "from-env");
    assert.equal(env.get("P_1BAD"), "x", "with the prefix the key is a valid name");
    assert.equal(env.get("REF"), "very", "env may reference envFrom variables");
    assert.equal(warnings.length, 2);
    assert.match(warnings[1], /^Keys \[P_bad key\] from the EnvFrom configMap ns1\/cfg/);
});
test("a missing source fails the start with the kubelet's message unless optional", () => {
    assert.throws(() => run({ name: "c", envFrom: [{ configMapRef: { name: "nope" } }] }), { message: 'configmap "nope" not found' });
    assert.throws(() => run({ name: "c", envFrom: [{ secretRef: { name: "nope" } }] }), { message: 'secret "nope" not found' });
    const { env } = run({ name: "c", envFrom: [{ secretRef: { name: "nope", optional: true } }] });
    assert.equal(env.get("PATH"), "/bin");
});
test("a missing key of an existing ConfigMap is the kubelet's `couldn't find key`", () => {
    const c = { name: "c", env: [{ name: "X", valueFrom: { configMapKeyRef: { name: "cfg", key: "nokey" } } }] };
    assert.throws(() => run(c), { message: "couldn't find key nokey in ConfigMap ns1/cfg" });
});
//# sourceMappingURL=env-from.test.js.map