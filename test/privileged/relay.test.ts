/**
 * The port-forward relay: every byte arrives, in order, with half-close kept, whether the connection stays in
 * JavaScript or is handed to the shim's splice relay mid-stream.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { connect, createServer, type AddressInfo, type Server } from "node:net";
import { relay } from "../../src/sys/relay.js";
import { shimPath } from "../helpers/runtime-harness.js";

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));
}

/** An echo server behind a relay; sends `size` bytes, half-closes, and returns what came back. */
async function roundTrip(size: number, shim: string | undefined): Promise<{ sent: Buffer; got: Buffer }> {
  const echo = createServer({ allowHalfOpen: true }, (c) => c.pipe(c));
  const front = createServer({ allowHalfOpen: true }, (c) => {
    const up = connect({ port: echoPort, host: "127.0.0.1", allowHalfOpen: true });
    up.once("connect", () => void relay(c, up, { shimPath: shim, handoffBytes: 1 << 20 }));
  });
  const echoPort = await listen(echo);
  const frontPort = await listen(front);
  try {
    const sent = randomBytes(size);
    const s = connect({ port: frontPort, host: "127.0.0.1", allowHalfOpen: true });
    const chunks: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      s.on("data", (c: Buffer) => chunks.push(c));
      s.on("end", () => resolve());
      s.on("error", reject);
      s.end(sent);
    });
    return { sent, got: Buffer.concat(chunks) };
  } finally {
    echo.close();
    front.close();
  }
}

const digest = (b: Buffer) => createHash("sha256").update(b).digest("hex");

for (const [name, shim] of [["in JavaScript", undefined], ["handed to the splice relay", shimPath()]] as const) {
  test(`relay ${name}: small and bulk transfers arrive intact, half-close kept`, async () => {
    for (const size of [1, 64 << 10, 12 << 20]) {
      const { sent, got } = await roundTrip(size, shim);
      assert.equal(got.length, sent.length, `${size} bytes`);
      assert.equal(digest(got), digest(sent));
    }
  });
}
