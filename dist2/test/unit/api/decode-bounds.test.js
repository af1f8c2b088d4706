import { test } from "node:test";
import assert from "node:assert/strict";
import { admitCreate } from "../../../src/api/admission.js";
import { nestedDeeperThan } from "../../../src/api/json.js";
import { decodeBytes } from "../../../src/apiserver/handlers/body.js";
const pod = (container) => ({ apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "default" }, spec: { containers: [{ name: "c", image: "busybox", ...container }] } });
test("nulls decode as Go decodes them: a null field is absent, a null map value or list item is its type's zero", () => {
    const out = admitCreate(pod({ resources: { limits: { memory: null } }, command: ["sh", null], workingDir: null }), { nodeName: "n" });
    const c = out.spec.containers[0];
    assert.equal(c.resources.limits.memory, "0");
    assert.deepEqual(c.command, ["sh", ""]);
    assert.equal("workingDir" in c, false);
});
test("a quantity of the wrong JSON type: upstream's message, then the field", () => {
    assert.throws(() => admitCreate(pod({ resources: { limits: { memory: { a: 1 } } } }), { nodeName: "n" }), (err) => err.code === 400 && /quantities must match the regular expression .* \(Go struct field ResourceRequirements\.spec\.containers\.resources\.limits\)/.test(err.message));
});
test("a body nesting more than 100 levels is a 400 before anything walks it; depth is measured without recursion", () => {
    const deep = (d) => `{"spec":${"[".repeat(d)}${"]".repeat(d)}}`;
    assert.doesNotThrow(() => decodeBytes(Buffer.from(deep(98)), "application/json"));
    assert.throws(() => decodeBytes(Buffer.from(deep(200_000)), "application/json"), (err) => err.code === 400 && /nests more than 100 levels deep/.test(err.message));
    let v = 1;
    for (let i = 0; i < 1_000_000; i++)
        v = [v];
    assert.equal(nestedDeeperThan(v, 100), true);
    assert.equal(nestedDeeperThan({ a: [{ b: 1 }] }, 3), false);
    assert.equal(nestedDeeperThan({ a: [{ b: {} }] }, 3), true);
});
//# sourceMappingURL=decode-bounds.test.js.map