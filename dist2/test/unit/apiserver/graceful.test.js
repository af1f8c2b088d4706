import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { planPodDeletion } from "../../../src/apiserver/graceful.js";
const NOW = Date.parse("2026-11-27T04:00:00Z");
function pod(over = {}) {
    return {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "web", namespace: "default", deletionTimestamp: over.deletionTimestamp, deletionGracePeriodSeconds: over.deletionGrace },
        spec: { containers: [{ name: "c" }], nodeName: over.nodeName ?? "node1", terminationGracePeriodSeconds: over.grace },
        status: { phase: (over.phase ?? "Running") },
    };
}
describe("graceful pod deletion", () => {
    it("a bound running pod is marked with now + 30s by default", () => {
        assert.deepEqual(planPodDeletion(pod(), undefined, NOW), {
            action: "mark",
            deletionTimestamp: "2026-11-27T04:00:30Z",
            gracePeriodSeconds: 30,
            firstMark: true,
        });
    });
    it("uses spec.terminationGracePeriodSeconds, then the request", () => {
        assert.equal(planPodDeletion(pod({ grace: 5 }), undefined, NOW).gracePeriodSeconds, 5);
        assert.equal(planPodDeletion(pod({ grace: 5 }), 7, NOW).gracePeriodSeconds, 7);
    });
    it("a negative grace means 1 second", () => {
        assert.equal(planPodDeletion(pod(), -1, NOW).gracePeriodSeconds, 1);
    });
    it("grace 0, unbound pods and terminal pods go at once", () => {
        assert.deepEqual(planPodDeletion(pod(), 0, NOW), { action: "remove" });
        assert.deepEqual(planPodDeletion(pod({ nodeName: "" }), undefined, NOW), { action: "remove" });
        assert.deepEqual(planPodDeletion(pod({ phase: "Succeeded" }), undefined, NOW), { action: "remove" });
        assert.deepEqual(planPodDeletion(pod({ phase: "Failed" }), 30, NOW), { action: "remove" });
        assert.deepEqual(planPodDeletion(pod({ grace: 0 }), undefined, NOW), { action: "remove" });
    });
    it("a second delete may only shorten the grace period", () => {
        const marked = pod({ deletionTimestamp: "2026-11-27T04:00:30Z", deletionGrace: 30 });
        assert.deepEqual(planPodDeletion(marked, undefined, NOW + 5000), { action: "unchanged" });
        assert.deepEqual(planPodDeletion(marked, 60, NOW + 5000), { action: "unchanged" });
        assert.deepEqual(planPodDeletion(marked, 10, NOW + 5000), {
            action: "mark",
            deletionTimestamp: "2026-11-27T04:00:10Z",
            gracePeriodSeconds: 10,
            firstMark: false,
        });
        assert.deepEqual(planPodDeletion(marked, 0, NOW), { action: "remove" });
    });
    it("a pod marked with no grace left is removed", () => {
        assert.deepEqual(planPodDeletion(pod({ deletionTimestamp: "2026-11-27T04:00:00Z", deletionGrace: 0 }), undefined, NOW), { action: "remove" });
    });
});
//# sourceMappingURL=graceful.test.js.map