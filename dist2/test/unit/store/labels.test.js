import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { escapeFieldValue, fieldValue, formatLabels, labelSelectorToString, matchLabelSelector, parseFieldSelector, parseLabelSelector, } from "../../../src/api/labels.js";
import { ApiError } from "../../../src/api/errors.js";
const web = { app: "web", tier: "front", release: "3" };
describe("label selector", () => {
    const cases = [
        ["", true],
        ["app=web", true],
        ["app==web", true],
        ["app=db", false],
        ["app!=db", true],
        ["missing!=x", true],
        ["app in (web,db)", true],
        ["app in (db)", false],
        ["app notin (db)", true],
        ["missing notin (db)", true],
        ["app notin (web)", false],
        ["app", true],
        ["missing", false],
        ["!missing", true],
        ["!app", false],
        ["app=web,tier=front", true],
        ["app=web, tier=back", false],
        ["release>2", true],
        ["release<2", false],
        ["  app  in  ( web , x )  ,  !missing ", true],
        ["app=", false],
    ];
    for (const [sel, want] of cases) {
        it(`${JSON.stringify(sel)} → ${want}`, () => assert.equal(parseLabelSelector(sel).matches(web), want));
    }
    it("matches an empty value with a=", () => assert.equal(parseLabelSelector("a=").matches({ a: "" }), true));
    it("treats undefined labels as none", () => assert.equal(parseLabelSelector("!a").matches(undefined), true));
    const bad = ["app in", "app in (", "app in ()", "app in (a b)", "=x", "app=web,", "a b", "-bad=x", "app=@@", "r>x", "a,,b"];
    for (const sel of bad) {
        it(`rejects ${JSON.stringify(sel)} with a BadRequest naming the selector`, () => {
            assert.throws(() => parseLabelSelector(sel), (e) => e instanceof ApiError && e.code === 400 && e.message.includes(`"${sel}"`));
        });
    }
    it("lists its requirements", () => {
        assert.deepEqual(parseLabelSelector("a in (x,y),!b").requirements, [
            { key: "a", operator: "in", values: ["x", "y"] },
            { key: "b", operator: "!", values: [] },
        ]);
    });
    it("accepts prefixed keys", () => {
        assert.equal(parseLabelSelector("app.kubernetes.io/name=web").matches({ "app.kubernetes.io/name": "web" }), true);
    });
});
describe("LabelSelector objects", () => {
    it("matchLabels and matchExpressions", () => {
        const sel = { matchLabels: { app: "web" }, matchExpressions: [{ key: "tier", operator: "In", values: ["front"] }] };
        assert.equal(matchLabelSelector(sel, web), true);
        assert.equal(matchLabelSelector(sel, { app: "web" }), false);
        assert.equal(labelSelectorToString(sel), "app=web,tier in (front)");
    });
    it("{} selects everything, no selector selects nothing", () => {
        assert.equal(matchLabelSelector({}, web), true);
        assert.equal(matchLabelSelector(undefined, web), false);
    });
    it("DoesNotExist / Exists / NotIn", () => {
        const sel = {
            matchExpressions: [
                { key: "x", operator: "DoesNotExist" },
                { key: "app", operator: "Exists" },
                { key: "tier", operator: "NotIn", values: ["back"] },
            ],
        };
        assert.equal(matchLabelSelector(sel, web), true);
    });
    it("formatLabels sorts and says <none>", () => {
        assert.equal(formatLabels({ b: "2", a: "1" }), "a=1,b=2");
        assert.equal(formatLabels({}), "<none>");
    });
});
describe("field selector", () => {
    const ev = { metadata: { name: "e1", namespace: "default" }, involvedObject: { name: "web", uid: "u-1", kind: "Pod" }, count: 3, type: "Normal" };
    it("equality, double equals and inequality", () => {
        assert.equal(parseFieldSelector("involvedObject.name=web,involvedObject.uid==u-1").matches(ev), true);
        assert.equal(parseFieldSelector("involvedObject.kind!=Pod").matches(ev), false);
        assert.equal(parseFieldSelector("type=Normal,metadata.namespace=default").matches(ev), true);
    });
    it("missing fields read as empty", () => {
        assert.equal(parseFieldSelector("spec.nodeName=").matches({ spec: {} }), true);
        assert.equal(parseFieldSelector("spec.nodeName!=").matches({ spec: { nodeName: "n" } }), true);
    });
    it("numbers compare as strings", () => assert.equal(parseFieldSelector("count=3").matches(ev), true));
    it("unescapes values", () => {
        const obj = { metadata: { name: "a,b=c\\" } };
        assert.equal(parseFieldSelector(`metadata.name=${escapeFieldValue("a,b=c\\")}`).matches(obj), true);
    });
    it("rejects terms without an operator", () => {
        assert.throws(() => parseFieldSelector("metadata.name"), (e) => e instanceof ApiError && e.code === 400);
    });
    it("reads dotted paths", () => {
        assert.equal(fieldValue(ev, "involvedObject.uid"), "u-1");
        assert.equal(fieldValue(ev, "involvedObject"), "");
        assert.equal(fieldValue(ev, "nope.deeper"), "");
    });
});
//# sourceMappingURL=labels.test.js.map