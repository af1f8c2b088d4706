/**
 * The API's load balancer for a cluster with several control-plane replicas (`nodelet cluster lb`), as kind's
 * external load balancer and k3d's server load balancer are: one TCP address on the link that kubectl and the nodes
 * use, handing each new connection to the next replica in turn that accepts it. TLS passes through untouched (every
 * replica's serving certificate names this address), so the balancer holds no key and sees no request.
 *
 * A replica that is down refuses at once (its address stays on the link, nothing listens): the connection goes to
 * the next one, and the client never notices. Connections already open to a replica that dies are reset, as they
 * would be without a balancer; clients reconnect (watches resume from their last resourceVersion). A replica that
 * does not answer a connect within `connectTimeoutMs` is skipped for that connection.
 */
import { createConnection, createServer, type Server, type Socket } from "node:net";

export interface Backend {
  host: string;
  port: number;
}

export interface BalancerOptions {
  listen: Backend;
  backends: Backend[];
  connectTimeoutMs?: number;
  log: (m: string) => void;
}

export interface Balancer {
  address: Backend;
  /** Stops accepting and closes every forwarded connection. */
  close(): Promise<void>;
}

const CONNECT_TIMEOUT_MS = 2000;

/** "HOST:PORT" as a Backend; throws naming `what` when it is not one. */
export function parseBackend(v: string, what: string): Backend {
  const m = /^([A-Za-z0-9.-]+):(\d{1,5})$/.exec(v);
  const port = Number(m?.[2]);
  if (!m || port < 1 || port > 65535) throw new Error(`${what}: "${v}" is not HOST:PORT`);
  return { host: m[1], port };
}

export async function startBalancer(o: BalancerOptions): Promise<Balancer> {
  if (o.backends.length === 0) throw new Error("--backend: at least one replica is needed");
  const open = new Set<Socket>();
  const down = new Set<string>();
  let next = 0;
  const name = (b: Backend) => `${b.host}:${b.port}`;

  /** The first backend from the rotation's next that accepts, or undefined when none does. */
  const connect = async (start: number): Promise<Socket | undefined> => {
    for (let i = 0; i < o.backends.length; i++) {
      const b = o.backends[(start + i) % o.backends.length];
      const s = await tryConnect(b, o.connectTimeoutMs ?? CONNECT_TIMEOUT_MS);
      if (typeof s !== "string") {
        if (down.delete(name(b))) o.log(`lb: ${name(b)} accepts connections again`);
        return s;
      }
      if (!down.has(name(b))) {
        down.add(name(b));
        o.log(`lb: ${name(b)}: ${s}; using the other replicas`);
      }
    }
    return undefined;
  };

  const server: Server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (client) => {
    open.add(client);
    client.on("close", () => open.delete(client));
    client.on("error", () => client.destroy());
    const start = next;
    next = (next + 1) % o.backends.length;
    void connect(start).then((upstream) => {
      if (!upstream) {
        client.destroy();
        return;
      }
      if (client.destroyed) {
        upstream.destroy();
        return;
      }
      open.add(upstream);
      upstream.on("close", () => {
        open.delete(upstream);
        client.destroy();
      });
      upstream.on("error", () => upstream.destroy());
      client.on("close", () => upstream.destroy());
      // Half-closes pass through (pipe ends the other side's writing half; allowHalfOpen keeps the reading one).
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.listen.port, o.listen.host, () => resolve());
  });
  const addr = server.address() as { address: string; port: number };
  return {
    address: { host: addr.address, port: addr.port },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of open) s.destroy();
      }),
  };
}

/** A connected socket (paused), or why not ("connection refused", "no answer within 2000 ms"). */
function tryConnect(b: Backend, timeoutMs: number): Promise<Socket | string> {
  return new Promise((resolve) => {
    const s = createConnection({ host: b.host, port: b.port, allowHalfOpen: true });
    const timer = setTimeout(() => {
      s.destroy();
      resolve(`no answer within ${timeoutMs} ms`);
    }, timeoutMs);
    s.once("connect", () => {
      clearTimeout(timer);
      s.removeAllListeners("error");
      resolve(s);
    });
    s.once("error", (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      s.destroy();
      resolve(err.code === "ECONNREFUSED" ? "connection refused" : err.message);
    });
  });
}
