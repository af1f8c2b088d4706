/**
 * The port-forward relay: every byte arrives, in order, with half-close kept, whether the connection stays in
 * JavaScript or is handed to the shim's splice relay mid-stream.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { connect, createServer } from "node:net";
import { relay } from "../../src/sys/relay.js";
import { shimPath } from "../helpers/runtime-harness.js";
function listen(server) {
    return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server.address().port)));
}
/** A server that relays each connection to `port`. */
function relayTo(port, shim) {
    return createServer({ allowHalfOpen: true }, (c) => {
        const up = connect({ port, host: "127.0.0.1", allowHalfOpen: true });
        up.once("connect", () => void relay(c, up, { shimPath: shim, handoffBytes: 1 << 20 }));
    });
}
/**
 * An echo server behind `hops` relays in series (a port-forward has two: the CLI's and the daemon's); sends
 * `size` bytes, half-closes, and returns what came back.
 */
async function roundTrip(size, shim, hops = 1) {
    const echo = createServer({ allowHalfOpen: true }, (c) => c.pipe(c));
    const servers = [echo];
    let frontPort = await listen(echo);
    for (let i = 0; i < hops; i++) {
        const hop = relayTo(frontPort, shim);
        servers.push(hop);
        frontPort = await listen(hop);
    }
    try {
        const sent = randomBytes(size);
        const s = connect({ port: frontPort, host: "127.0.0.1", allowHalfOpen: true });
        const chunks = [];
        await new Promise((resolve, reject) => {
            s.on("data", (c) => chunks.push(c));
            s.on("end", () => resolve());
            s.on("error", reject);
            s.end(sent);
        });
        return { sent, got: Buffer.concat(chunks) };
    }
    finally {
        for (const server of servers)
            server.close();
    }
}
const digest = (b) => createHash("sha256").update(b).digest("hex");
for (const [name, shim] of [["in JavaScript", undefined], ["handed to the splice relay", shimPath()]]) {
    test(`relay ${name}: small and bulk transfers arrive intact, half-close kept`, async () => {
        for (const size of [1, 64 << 10, 12 << 20]) {
            const { sent, got } = await roundTrip(size, shim);
            assert.equal(got.length, sent.length, `${size} bytes`);
            assert.equal(digest(got), digest(sent));
        }
    });
}
test("two splice relays in series hand off while an echo fills both ways (no deadlock)", async () => {
    // Both relays reach the hand-off together and must keep reading while their earlier writes drain.
    for (const size of [8 << 20, 24 << 20]) {
        const { sent, got } = await roundTrip(size, shimPath(), 2);
        assert.equal(got.length, sent.length, `${size} bytes`);
        assert.equal(digest(got), digest(sent));
    }
});
//# sourceMappingURL=relay.test.js.map