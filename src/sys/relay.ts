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
        void handOff(a, b, o.shimPath, listeners).then(resolve, finish);
      }
    };
    const listeners = { ab: forward(a, b), ba: forward(b, a), aEnd: onEnd(b), bEnd: onEnd(a), err: finish };
    a.on("data", listeners.ab);
    b.on("data", listeners.ba);
    a.on("end", listeners.aEnd);
    b.on("end", listeners.bEnd);
    a.on("error", listeners.err);
    b.on("error", listeners.err);
  });
}

/** A plain socket (TCP or unix) with a file descriptor the kernel can splice; TLS and in-memory streams are not. */
function spliceable(s: Duplex): s is Socket {
  const fd = (s as unknown as { _handle?: { fd?: number } })._handle?.fd;
  return s instanceof Socket && !(s instanceof TLSSocket) && typeof fd === "number" && fd >= 0;
}

type Listeners = { ab: (c: Buffer) => void; ba: (c: Buffer) => void; aEnd: () => void; bEnd: () => void; err: () => void };

/**
 * Stops the JavaScript relay without losing a byte (pending writes flushed, buffered reads forwarded), then gives
 * both sockets to the splice relay and lets go of them; resolves when the relay process exits.
 */
async function handOff(a: Socket, b: Socket, shimPath: string, l: Listeners): Promise<void> {
  a.off("data", l.ab);
  b.off("data", l.ba);
  stopReading(a);
  stopReading(b);
  for (const [from, to] of [[a, b], [b, a]] as const) {
    for (let chunk = from.read() as Buffer | null; chunk; chunk = from.read() as Buffer | null) to.write(chunk);
  }
  await Promise.all([drained(a), drained(b)]);
  a.off("end", l.aEnd);
  b.off("end", l.bEnd);
  const child = spawn(shimPath, ["relay"], { stdio: ["ignore", "ignore", "ignore", a, b] });
  await new Promise<void>((resolve) => {
    child.once("spawn", () => {
      // The child holds its own copies of the two descriptors: closing ours leaves the connections open.
      a.destroy();
      b.destroy();
    });
    child.once("exit", () => resolve());
    child.once("error", () => resolve());
  });
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

function drained(s: Socket): Promise<void> {
  return s.writableLength === 0 ? Promise.resolve() : new Promise((r) => s.once("drain", () => r()));
}
