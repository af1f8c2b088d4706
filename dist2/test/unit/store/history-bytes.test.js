import { test } from "node:test";
import assert from "node:assert/strict";
import { openStore } from "../../../src/store/sqlite-store.js";
test("the watch history is bounded by bytes: big objects push the oldest changes out (410 Expired from there)", () => {
    const store = openStore(":memory:", { historyBytes: 350 * 1024 });
    try {
        const big = "x".repeat(100 * 1024);
        const rvs = [];
        for (let i = 0; i < 10; i++) {
            const cm = store.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `cm-${i}`, namespace: "default" }, data: { big } });
            rvs.push(cm.metadata.resourceVersion);
        }
        assert.throws(() => store.watch("ConfigMap", { resourceVersion: rvs[0] }, () => undefined), /too old resource version/);
        // Three events of ~100 KiB fit in 350 KiB: resuming after the 7th change still works and replays the last 3.
        const seen = [];
        const stop = store.watch("ConfigMap", { resourceVersion: rvs[6] }, (ev) => seen.push(ev));
        stop();
        assert.deepEqual(seen.map((e) => e.object.metadata.name), ["cm-7", "cm-8", "cm-9"]);
    }
    finally {
        store.close();
    }
});
//# sourceMappingURL=history-bytes.test.js.map