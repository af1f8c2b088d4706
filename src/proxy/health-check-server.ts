/**
 * kube-proxy's service health check server (pkg/proxy/healthcheck/service_health.go): for each Service of type
 * LoadBalancer with externalTrafficPolicy Local, an HTTP listener on its `spec.healthCheckNodePort` (on the node's
 * address) that a load balancer probes to learn which nodes have endpoints of the service. Any path answers:
 * 200 when this node has Ready endpoints of the service and the proxy's last sync succeeded, else 503, with
 * kube-proxy's JSON body and headers (X-Load-Balancing-Endpoint-Weight: the count).
 *
 * sync(state) opens the listeners of new health check ports and closes those no longer wanted; a port that cannot
 * be bound is logged and tried again at the next sync (kube-proxy's "FailedToStartServiceHealthcheck"). close()
 * closes every listener.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { ProxyState } from "./model.js";

interface Check {
  namespace: string;
  name: string;
  localEndpoints: number;
}

/** kube-proxy's body: its dedented Go template, tabs and all, without a trailing newline. */
export function healthCheckBody(c: Check, proxyHealthy: boolean): string {
  return `{\n\t"service": {\n\t\t"namespace": ${JSON.stringify(c.namespace)},\n\t\t"name": ${JSON.stringify(c.name)}\n\t},\n\t"localEndpoints": ${c.localEndpoints},\n\t"serviceProxyHealthy": ${proxyHealthy}\n}`;
}

/** The health checks `state` asks for, by port (one per service; the first service to name a port keeps it). */
export function wantedChecks(state: ProxyState): Map<number, Check> {
  const out = new Map<number, Check>();
  for (const s of state.services) {
    if (!s.healthCheck || out.has(s.healthCheck.port)) continue;
    out.set(s.healthCheck.port, { namespace: s.namespace, name: s.service, localEndpoints: s.healthCheck.localEndpoints });
  }
  return out;
}

export class ServiceHealthServer {
  private readonly servers = new Map<number, { server: Server; check: Check }>();

  constructor(
    /** Whether the proxy's rules are current (kube-proxy's healthz): its last sync succeeded. */
    private readonly proxyHealthy: () => boolean,
    private readonly log: (m: string) => void = () => undefined,
    /** Where to listen: the node's address; every address when undefined. */
    private readonly host = "0.0.0.0",
  ) {}

  /** Listeners for the wanted checks, with their current counts; the others closed. */
  async sync(state: ProxyState): Promise<void> {
    const want = wantedChecks(state);
    for (const [port, s] of this.servers) {
      const check = want.get(port);
      if (check && check.namespace === s.check.namespace && check.name === s.check.name) continue;
      this.servers.delete(port);
      await closeServer(s.server);
    }
    for (const [port, check] of want) {
      const open = this.servers.get(port);
      if (open) open.check.localEndpoints = check.localEndpoints;
      else await this.open(port, check);
    }
  }

  /** The ports listened on now. */
  ports(): number[] {
    return [...this.servers.keys()].sort((a, b) => a - b);
  }

  async close(): Promise<void> {
    const all = [...this.servers.values()];
    this.servers.clear();
    await Promise.all(all.map((s) => closeServer(s.server)));
  }

  private async open(port: number, check: Check): Promise<void> {
    const entry = { server: createServer((req, res) => this.answer(entry.check, req, res)), check };
    try {
      await new Promise<void>((resolve, reject) => {
        entry.server.once("error", reject);
        entry.server.listen({ host: this.host, port, exclusive: true }, () => resolve());
      });
    } catch (err) {
      this.log(`service health check for ${check.namespace}/${check.name}: cannot listen on port ${port}, tried again at the next sync: ${String(err)}`);
      return;
    }
    entry.server.on("error", (err) => this.log(`service health check on port ${port}: ${String(err)}`));
    this.servers.set(port, entry);
  }

  private answer(check: Check, _req: IncomingMessage, res: ServerResponse): void {
    const healthy = this.proxyHealthy();
    res.setHeader("Content-Type", "application/json");
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("X-Load-Balancing-Endpoint-Weight", String(check.localEndpoints));
    res.writeHead(check.localEndpoints !== 0 && healthy ? 200 : 503);
    res.end(healthCheckBody(check, healthy));
  }
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
