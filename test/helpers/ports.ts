/**
 * Loopback ports for tests, from the kernel's ephemeral range: files run side by side (and other sessions' tests on
 * the same machine), so no test names a fixed port.
 */
import { createServer, type Server } from "node:net";

function listening(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => resolve(srv));
  });
}

function portOf(srv: Server): number {
  const addr = srv.address();
  if (typeof addr !== "object" || !addr) throw new Error("a listening server has no address");
  return addr.port;
}

/** `n` distinct ports no socket held when asked (all held at once while choosing, so none repeats). */
export async function freePorts(n: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < n; i++) servers.push(await listening());
    return servers.map(portOf);
  } finally {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  }
}

/** A port no socket held when asked. */
export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port;
}
