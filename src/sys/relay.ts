/**
 * Moving bytes between two connections both ways (port-forward): in JavaScript at first, and, once a connection
 * has carried enough to be bulk traffic, handed to `nodelet-shim relay`, which splices between the two sockets in
 * the kernel. Short connections (HTTP requests through a forward) never pay for a process; long transfers are no
 * longer limited by copying every chunk through the event loop (about a third of loopback throughput, measured).
 * Half-close is kept in both phases.
 */
import { spawn } from "node:child_process";
import { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { TLSSocket } from "node:tls";

export interface RelayOptions {
  /** The shim binary; without it the relay stays in JavaScript. */
  shimPath?: string;
  /** Bytes a connection must carry before it is handed to the splice relay (default 4 MiB). */
  handoffBytes?: number;
}

/** Relays a ↔ b until both directions have ended (or one side failed). */
export function relay(a: Duplex, b: Duplex, o: RelayOptions = {}): Promise<void> {
  return new Promise((resolve) => {
    let moved = 0;
    let ended = 0;
    let handingOff = false;
    const finish = () => {
      a.destroy();
      b.destroy();
      resolve();
    };
    const onEnd = (to: Duplex) => () => {
      to.end();
      if (++ended === 2) finish();
    };
    const forward = (from: Duplex, to: Duplex) => (chunk: Buffer) => {
      moved += chunk.length;
      if (!to.write(chunk)) {
        from.pause();
        to.once("drain", () => handingOff || from.resume());
      }
      if (!handingOff && o.shimPath && moved >= (o.handoffBytes ?? 4 << 20) && ended === 0 && spliceable(a) && spliceable(b)) {
        handingOff = true;
        void handOff(a, b, o.shimPath, listeners).then((handed) => {
          if (handed) resolve();
          else handingOff = false; // stays in JavaScript; `ended` keeps it from trying again
        }, finish);
      }
    };
    const listeners = { ab: forward(a, b), ba: forward(b, a), aEnd: onEnd(b), bEnd: onEnd(a), err: finish };
    a.on("data", listeners.ab);
    b.on("data", listeners.ba);
    a.on("end", listeners.aEnd);
    b.on("end", listeners.bEnd);
    a.on("error", listeners.err);
    b.on("error", listeners.err);
    // A side handed over paused (a tunnel that stopped reading at its 101) does not flow on a data listener alone.
    a.resume();
    b.resume();
  });
}

/** A plain socket (TCP or unix) with a file descriptor the kernel can splice; TLS and in-memory streams are not. */
function spliceable(s: Duplex): s is Socket {
  const fd = (s as unknown as { _handle?: { fd?: number } })._handle?.fd;
  return s instanceof Socket && !(s instanceof TLSSocket) && typeof fd === "number" && fd >= 0;
}

type Listeners = { ab: (c: Buffer) => void; ba: (c: Buffer) => void; aEnd: () => void; bEnd: () => void; err: () => void };

/**
 * Stops the JavaScript relay without losing a byte, gives both sockets to the splice relay and lets go of them;
 * resolves true when the relay process exits, false when the connection ended meanwhile and stays in JavaScript.
 *
 * Our earlier writes must reach the kernel before the relay process writes after them, but we must not stop
 * reading while they drain: the peer may be another relay (the CLI's, facing the daemon's) waiting on us, and an
 * echoing container only reads what it can write back. So reads go on into hold buffers, and what is held is
 * handed to the relay process on two extra pipes that it writes out before it splices from the sockets.
 */
async function handOff(a: Socket, b: Socket, shimPath: string, l: Listeners): Promise<boolean> {
  const held: [Buffer[], Buffer[]] = [[], []]; // a→b, b→a
  const holdA = (c: Buffer) => held[0].push(c);
  const holdB = (c: Buffer) => held[1].push(c);
  let ended = false;
  const onEnd = () => (ended = true);
  for (const [s, data, hold, end] of [[a, l.ab, holdA, l.aEnd], [b, l.ba, holdB, l.bEnd]] as const) {
    s.off("data", data);
    s.off("end", end);
    s.on("data", hold);
    s.once("end", onEnd);
    s.resume(); // it may have been paused for back-pressure
  }
  await Promise.all([drained(a), drained(b)]);
  a.off("data", holdA);
  b.off("data", holdB);
  a.off("end", onEnd);
  b.off("end", onEnd);
  if (a.destroyed || b.destroyed) return true; // failed meanwhile: `err` has already finished the relay
  if (ended || a.readableEnded || b.readableEnded) {
    // A half-closed connection is nearly done: finish it here rather than hand over an ended stream.
    for (const c of held[0]) b.write(c);
    for (const c of held[1]) a.write(c);
    a.on("data", l.ab).on("end", l.aEnd);
    b.on("data", l.ba).on("end", l.bEnd);
    if (a.readableEnded) l.aEnd();
    if (b.readableEnded) l.bEnd();
    return false;
  }
  // Node must not shut down a socket's write half when it reads an EOF now: the socket is shared with the relay
  // process, which sees the EOF itself (a read after FIN returns it again) and half-closes the other side.
  a.allowHalfOpen = b.allowHalfOpen = true;
  stopReading(a);
  stopReading(b);
  for (const [s, hold] of [[a, held[0]], [b, held[1]]] as const) {
    for (let chunk = s.read() as Buffer | null; chunk; chunk = s.read() as Buffer | null) hold.push(chunk);
  }
  const child = spawn(shimPath, ["relay", "--pending"], { stdio: ["ignore", "ignore", "ignore", a, b, "pipe", "pipe"] });
  await new Promise<void>((resolve) => {
    child.once("spawn", () => {
      // The child holds its own copies of the two descriptors: closing ours leaves the connections open.
      a.destroy();
      b.destroy();
      for (const [i, hold] of [[5, held[0]], [6, held[1]]] as const) {
        const pending = (child.stdio as ReadonlyArray<unknown>)[i] as Duplex;
        pending.on("error", () => undefined); // the relay exits early on a reset; its exit ends ours too
        pending.end(Buffer.concat(hold));
      }
    });
    child.once("exit", () => resolve());
    child.once("error", () => resolve());
  });
  return true;
}

/**
 * Stops the socket's reads at the source. pause() alone only stops 'data' events: libuv goes on reading into the
 * stream's buffer until it is full, and read() restarts it; bytes read after we emptied the buffer would be lost
 * when our descriptor closes.
 */
function stopReading(s: Socket): void {
  s.pause();
  // read() below would call _read() and start the handle again when the buffer runs low.
  (s as unknown as { _read: () => void })._read = () => undefined;
  const handle = (s as unknown as { _handle?: { reading?: boolean; readStop?: () => number } })._handle;
  if (handle?.reading && handle.readStop) {
    handle.reading = false;
    handle.readStop();
  }
}

/** Resolves when the socket's queued writes are in the kernel, or it has closed. */
function drained(s: Socket): Promise<void> {
  if (s.writableLength === 0 || s.destroyed) return Promise.resolve();
  return new Promise((r) => {
    const done = () => {
      s.off("drain", done);
      s.off("close", done);
      r();
    };
    s.on("drain", done);
    s.on("close", done);
  });
}
