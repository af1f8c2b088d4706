/**
 * A watcher that never reads, against a real daemon with its default bounds (privileged: the daemon runs as root):
 * the daemon closes it once the events waiting for it pass 8 MiB, instead of queueing every event it makes.
 * (That the memory is then freed is measured in-process, with a forced GC: unit/apiserver/http-bounds.test.ts.)
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
import { needsRoot } from "../helpers/root.js";
import { suiteDaemon } from "../helpers/daemon.js";
const skip = needsRoot();
describe("watch bounds (privileged)", { skip }, () => {
    const d = suiteDaemon("watchbounds", ["--no-network"]);
    test("a watcher that never reads is closed by the daemon after about 8 MiB of events", async () => {
        const big = "x".repeat(512 * 1024);
        const sleeper = connect(d.socket);
        let closed = false;
        sleeper.on("error", () => undefined);
        sleeper.on("close", () => (closed = true));
        await new Promise((r) => sleeper.once("connect", r));
        sleeper.pause(); // never reads
        sleeper.write("GET /api/v1/namespaces/default/configmaps?watch=1 HTTP/1.1\r\nHost: x\r\n\r\n");
        // 24 events of 512 KiB: 12 MiB, past the 8 MiB bound plus what the kernel's socket buffer holds.
        for (let i = 0; i < 24; i++) {
            const body = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: `burst-${i}` }, data: { big } };
            const r = await d.client.raw("POST", "/api/v1/namespaces/default/configmaps", { body });
            assert.equal(r.status, 201, r.body.toString());
        }
        // Reading now drains what the kernel holds, then shows whether the daemon ended the stream (an open one stays).
        sleeper.resume();
        const deadline = Date.now() + 10_000;
        while (!closed && Date.now() < deadline)
            await new Promise((r) => setTimeout(r, 50));
        assert.ok(closed, "the daemon closed the watch");
        sleeper.destroy();
    });
});
//# sourceMappingURL=watch-bounds.test.js.map