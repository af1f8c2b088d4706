/**
 * Paged lists (limit/continue) of the store: key order, remainingItemCount, every page as of the first page's
 * resourceVersion while objects change underneath, 410 with an inconsistent-remainder token once the history has
 * moved on, malformed tokens refused.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ApiError } from "../../../src/api/errors.js";
import { decodeContinue, encodeContinue } from "../../../src/store/paging.js";
import { openStore } from "../../../src/store/sqlite-store.js";
function cm(ns, name, data = {}, labels) {
    return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: ns, labels }, data };
}
function names(items) {
    return items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`);
}
/** Every page of one list; `between` runs after each page (to change the store underneath). */
function allPages(s, opts, between = () => { }) {
    const pages = [];
    const rvs = [];
    const remaining = [];
    let token;
    do {
        const page = s.list("ConfigMap", { ...opts, continue: token });
        pages.push(page.items);
        rvs.push(page.resourceVersion);
        remaining.push(page.remainingItemCount);
        token = page.continue;
        between(pages.length);
    } while (token);
    return { pages, rvs, remaining };
}
describe("store: paged lists", () => {
    it("pages in namespace/name order with remainingItemCount, and the pages together are the list", () => {
        const s = openStore(":memory:");
        for (const ns of ["b", "a"])
            for (const n of ["z", "m", "c", "x", "d"])
                s.create(cm(ns, n));
        const whole = names(s.list("ConfigMap").items);
        const { pages, rvs, remaining } = allPages(s, { limit: 3 });
        assert.deepEqual(pages.map((p) => p.length), [3, 3, 3, 1]);
        assert.deepEqual(pages.flatMap(names), whole);
        assert.deepEqual(whole.slice(0, 4), ["a/c", "a/d", "a/m", "a/x"]);
        assert.deepEqual(remaining, [7, 4, 1, undefined]);
        assert.equal(new Set(rvs).size, 1);
        s.close();
    });
    it("a namespace's pages hold only that namespace", () => {
        const s = openStore(":memory:");
        for (const ns of ["a", "b", "c"])
            for (let i = 0; i < 4; i++)
                s.create(cm(ns, `o${i}`));
        const { pages, remaining } = allPages(s, { namespace: "b", limit: 3 });
        assert.deepEqual(pages.flatMap(names), ["b/o0", "b/o1", "b/o2", "b/o3"]);
        assert.deepEqual(remaining, [1, undefined]);
        s.close();
    });
    it("every page shows the store as of the first page, whatever changes between pages", () => {
        const s = openStore(":memory:");
        for (let i = 0; i < 10; i++)
            s.create(cm("ns", `o${i}`, { v: "1" }));
        const { pages, rvs } = allPages(s, { limit: 4 }, (page) => {
            if (page !== 1)
                return;
            s.delete("ConfigMap", "ns", "o5");
            s.create(cm("ns", "o55", { v: "new" }));
            const o7 = s.get("ConfigMap", "ns", "o7");
            s.update({ ...o7, data: { v: "2" } });
            s.delete("ConfigMap", "ns", "o8");
            s.create(cm("ns", "o8", { v: "recreated" }));
        });
        const items = pages.flat();
        assert.deepEqual(names(items), [...Array(10).keys()].map((i) => `ns/o${i}`));
        assert.ok(items.every((o) => o.data?.v === "1"), "objects as they were at the first page");
        assert.equal(new Set(rvs).size, 1);
        const o5 = items.find((o) => o.metadata.name === "o5");
        assert.ok(Number(o5.metadata.resourceVersion) <= Number(rvs[0]), "a deleted object keeps the version it had then");
        s.close();
    });
    it("remainingItemCount counts what the list's version holds after the page", () => {
        const s = openStore(":memory:");
        for (let i = 0; i < 6; i++)
            s.create(cm("ns", `o${i}`));
        const first = s.list("ConfigMap", { limit: 2 });
        s.delete("ConfigMap", "ns", "o4");
        s.create(cm("ns", "o9"));
        const second = s.list("ConfigMap", { limit: 2, continue: first.continue });
        assert.deepEqual(names(second.items), ["ns/o2", "ns/o3"]);
        assert.equal(second.remainingItemCount, 2);
        s.close();
    });
    it("with a selector a page fills with matches and has no remainingItemCount", () => {
        const s = openStore(":memory:");
        for (let i = 0; i < 12; i++)
            s.create(cm("ns", `o${String(i).padStart(2, "0")}`, {}, { even: String(i % 2 === 0) }));
        const { pages, remaining } = allPages(s, { labelSelector: "even=true", limit: 2 });
        assert.deepEqual(pages.flatMap(names), ["ns/o00", "ns/o02", "ns/o04", "ns/o06", "ns/o08", "ns/o10"]);
        assert.ok(remaining.every((r) => r === undefined));
        s.close();
    });
    it("a token older than the history is Expired (410) with upstream's message and a token for the remainder as of now", () => {
        const s = openStore(":memory:", { historySize: 3 });
        for (let i = 0; i < 6; i++)
            s.create(cm("ns", `o${i}`));
        const first = s.list("ConfigMap", { limit: 2 });
        for (let i = 0; i < 4; i++)
            s.create(cm("ns", `q${i}`));
        let expired;
        try {
            s.list("ConfigMap", { limit: 2, continue: first.continue });
        }
        catch (err) {
            expired = err;
        }
        assert.ok(expired instanceof ApiError);
        assert.equal(expired.code, 410);
        assert.equal(expired.reason, "Expired");
        assert.match(expired.message, /^The provided continue parameter is too old to display a consistent list result\. You can start a new list without the continue parameter, or use the continue token in this response/);
        const status = expired.toStatus();
        assert.ok(status.metadata.continue);
        assert.equal(decodeContinue(status.metadata.continue).rv, -1);
        const rest = s.list("ConfigMap", { limit: 100, continue: status.metadata.continue });
        assert.deepEqual(names(rest.items), ["ns/o2", "ns/o3", "ns/o4", "ns/o5", "ns/q0", "ns/q1", "ns/q2", "ns/q3"]);
        assert.equal(rest.resourceVersion, s.currentResourceVersion());
        s.close();
    });
    it("a malformed token is a 400 naming the problem", () => {
        const s = openStore(":memory:");
        const bad = (token, why) => assert.throws(() => s.list("ConfigMap", { limit: 1, continue: token }), (e) => e.code === 400 && /^invalid continue token: continue key is not valid: /.test(e.message) && why.test(e.message));
        bad("not base64!", /illegal base64/);
        bad(Buffer.from("nope").toString("base64url"), /not JSON/);
        bad(Buffer.from(JSON.stringify({ v: "meta.k8s.io/v2", rv: 1, start: "a\u0000" })).toString("base64url"), /does not recognize this encoded version "meta.k8s.io\/v2"/);
        bad(Buffer.from(JSON.stringify({ v: "meta.k8s.io/v1", rv: 0, start: "a\u0000" })).toString("base64url"), /incorrect encoded start resourceVersion/);
        bad(Buffer.from(JSON.stringify({ v: "meta.k8s.io/v1", rv: 3, start: "" })).toString("base64url"), /encoded start key empty/);
        s.close();
    });
    it("tokens have upstream's shape", () => {
        const token = encodeContinue({ rv: 42, after: { namespace: "default", name: "web-1" } });
        assert.deepEqual(JSON.parse(Buffer.from(token, "base64url").toString()), { v: "meta.k8s.io/v1", rv: 42, start: "default/web-1\u0000" });
        assert.doesNotMatch(token, /[=+/]/);
        assert.deepEqual(decodeContinue(token), { rv: 42, after: { namespace: "default", name: "web-1" } });
        assert.deepEqual(decodeContinue(encodeContinue({ rv: 7, after: { namespace: "", name: "node1" } })).after, { namespace: "", name: "node1" });
    });
    it("the history is bounded in bytes: big objects shorten it rather than grow memory", () => {
        const s = openStore(":memory:", { historySize: 1000, historyBytes: 64 * 1024 });
        const big = "x".repeat(16 * 1024);
        s.create(cm("ns", "small"));
        const first = s.list("ConfigMap", { limit: 1 });
        for (let i = 0; i < 10; i++)
            s.create(cm("ns", `big${i}`, { big }));
        assert.throws(() => s.watch("ConfigMap", { resourceVersion: first.resourceVersion }, () => { }), (e) => e.code === 410);
        const seen = [];
        const stop = s.watch("ConfigMap", { resourceVersion: String(Number(s.currentResourceVersion()) - 2) }, (ev) => seen.push(ev.object.metadata.name));
        stop();
        assert.deepEqual(seen, ["big8", "big9"]);
        s.close();
    });
});
//# sourceMappingURL=paging.test.js.map