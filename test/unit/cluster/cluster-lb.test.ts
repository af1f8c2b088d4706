/**
 * `nodelet cluster lb` (cmd/cluster/lb.ts) over loopback: connections go to the replicas in turn, bytes and
 * half-closes pass through both ways, a replica that refuses is skipped for the next without the client noticing,
 * a connection open to a replica that goes away sees its end, and with none left a connection is closed at once.
 */
import assert from "node:assert/strict";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { after, describe, it } from "node:test";
import { parseBackend, startBalancer, type Balancer } from "../../../src/cmd/cluster/lb.js";

/** A replica stand-in: answers each connection with its name and an echo of what it got, once the client ends. */
async function replica(name: string): Promise<{ server: Server; port: number; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer({ allowHalfOpen: true }, (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    const got: Buffer[] = [];
    s.on("data", (d: Buffer) => got.push(d));
    s.on("end", () => s.end(`${name}:${Buffer.concat(got).toString()}`));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, port: (server.address() as { port: number }).port, sockets };
}

/** Sends `text`, half-closes, and reads to the end: the reply, or "closed" when the connection closed with nothing. */
function ask(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    const s = createConnection({ host: "127.0.0.1", port, allowHalfOpen: true });
    const got: Buffer[] = [];
    s.on("data", (d: Buffer) => got.push(d));
    s.on("close", () => resolve(got.length ? Buffer.concat(got).toString() : "closed"));
    s.on("error", () => undefined);
    s.end(text);
  });
}

const closeServer = (s: Server) => new Promise<void>((r) => s.close(() => r()));

describe("cluster lb", () => {
  const servers: Server[] = [];
  let lb: Balancer | undefined;
  after(async () => {
    await lb?.close();
    for (const s of servers) if (s.listening) await closeServer(s);
  });

  it("parses HOST:PORT and names the flag otherwise", () => {
    assert.deepEqual(parseBackend("10.250.0.2:6443", "--backend"), { host: "10.250.0.2", port: 6443 });
    assert.throws(() => parseBackend("10.250.0.2", "--backend"), /--backend: "10.250.0.2" is not HOST:PORT/);
    assert.throws(() => parseBackend("h:70000", "--listen"), /--listen/);
  });

  it("hands connections to the replicas in turn, skips one that refuses, and closes when none is left", async () => {
    const a = await replica("a");
    const b = await replica("b");
    servers.push(a.server, b.server);
    const log: string[] = [];
    lb = await startBalancer({ listen: { host: "127.0.0.1", port: 0 }, backends: [{ host: "127.0.0.1", port: a.port }, { host: "127.0.0.1", port: b.port }], log: (m) => log.push(m) });
    const port = lb.address.port;
    assert.deepEqual([await ask(port, "1"), await ask(port, "2"), await ask(port, "3")], ["a:1", "b:2", "a:3"]);

    // A connection held open to b, then b goes away: the held one sees its end, and new ones all reach a.
    const held = createConnection({ host: "127.0.0.1", port, allowHalfOpen: true });
    const heldEnded = new Promise<void>((r) => held.on("end", () => r()));
    held.on("error", () => undefined);
    await new Promise<void>((r) => held.on("connect", () => r()));
    while (b.sockets.size === 0) await new Promise((r) => setImmediate(r));
    const bClosed = closeServer(b.server);
    for (const s of b.sockets) s.destroy();
    await bClosed;
    await heldEnded;
    held.destroy();
    assert.deepEqual([await ask(port, "4"), await ask(port, "5"), await ask(port, "6")], ["a:4", "a:5", "a:6"]);
    assert.ok(log.some((l) => l.includes(`127.0.0.1:${b.port}: connection refused`)), log.join("\n"));

    await closeServer(a.server);
    assert.equal(await ask(port, "7"), "closed");
  });
});
