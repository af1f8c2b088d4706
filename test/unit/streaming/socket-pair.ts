/** Two connected TCP sockets on 127.0.0.1 for protocol tests, and small stream helpers. */
import { once } from "node:events";
import { createServer, connect, type Socket } from "node:net";
import type { Readable } from "node:stream";

export async function socketPair(): Promise<[Socket, Socket]> {
  const server = createServer({ allowHalfOpen: true });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as { port: number }).port;
  const accepted = once(server, "connection") as Promise<[Socket]>;
  const client = connect({ port, host: "127.0.0.1", allowHalfOpen: true });
  const [serverSide] = await accepted;
  await once(client, "connect").catch(() => undefined);
  server.close();
  return [client, serverSide];
}

/** All bytes of a readable until it ends. */
export async function readAll(r: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
