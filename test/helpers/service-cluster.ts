/**
 * A real daemon with its own bridge, pod/service CIDRs and proxy mode, three `busybox httpd` pods (each serving its
 * own name, and at /cgi-bin/ip the client address it sees) behind Services, a client pod, and a network namespace
 * acting as another host — for the privileged service tests and the benchmark. cleanup() stops the daemon, resets
 * it and removes the namespace, even after a failure; leftovers() lists anything of ours still on the host (rules,
 * route, bridge, processes).
 */
import { httpGet as getBody } from "./http-get.js";
import type { Endpoints, Pod } from "../../src/api/types.js";
import { iptablesPrefix, nftProxyTable } from "../../src/proxy/names.js";
import { TestDaemon, eventually } from "./daemon.js";
import { PeerNamespace, sh } from "./netns.js";
import { freeOctets } from "./subnets.js";

export type Mode = "iptables" | "nftables" | "userspace";

export const WEB_PODS = ["web-0", "web-1", "web-2"];

export function webPod(name: string): string {
  return `apiVersion: v1
kind: Pod
metadata: {name: ${name}, labels: {app: web}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: web
    image: busybox
    command: ["sh", "-c", "mkdir -p /www/cgi-bin && hostname > /www/index.html && { echo '#!/bin/sh'; echo 'echo Content-Type: text/plain'; echo echo; echo 'echo $REMOTE_ADDR'; } > /www/cgi-bin/ip && chmod +x /www/cgi-bin/ip && touch /www/ready && exec httpd -f -p 8080 -h /www"]
    ports: [{name: http, containerPort: 8080}]
    readinessProbe: {httpGet: {path: /ready, port: 8080}, periodSeconds: 1, failureThreshold: 1, timeoutSeconds: 10}
`;
}

export const CLIENT_POD = `apiVersion: v1
kind: Pod
metadata: {name: client}
spec:
  terminationGracePeriodSeconds: 0
  containers: [{name: c, image: busybox, command: ["sleep", "3600"]}]
`;

export const SERVICES = `apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: v1
kind: Service
metadata: {name: sticky}
spec:
  selector: {app: web}
  sessionAffinity: ClientIP
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: brief}
spec:
  selector: {app: web}
  sessionAffinity: ClientIP
  sessionAffinityConfig: {clientIP: {timeoutSeconds: 1}}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: web-headless}
spec:
  clusterIP: None
  selector: {app: web}
  ports: [{name: http, port: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: nobody}
spec:
  type: NodePort
  selector: {app: nobody}
  ports: [{port: 80}]
`;

export class ServiceCluster {
  readonly d: TestDaemon;
  readonly bridge: string;
  /** 10.OCTET.0.0/16 holds the pods, 10.(OCTET+1).0.0/16 the services: claimed for this process (subnets.ts). */
  readonly octet: number;
  readonly serviceCIDR: string;
  peer: PeerNamespace | undefined;

  /** `preferredOctet` is where the search for two free /16 blocks starts. */
  constructor(
    readonly mode: Mode,
    preferredOctet: number,
  ) {
    const octet = freeOctets(preferredOctet, 2);
    this.octet = octet;
    this.bridge = `nts${mode[0]}${process.pid % 100_000}`.slice(0, 15);
    this.serviceCIDR = `10.${octet + 1}.0.0/16`;
    this.d = new TestDaemon(`svc-${mode}`, [
      "--bridge", this.bridge,
      "--cluster-cidr", `10.${octet}.0.0/16`,
      "--pod-cidr", `10.${octet}.0.0/24`,
      "--service-cidr", this.serviceCIDR,
      "--proxy-mode", mode,
    ]);
  }

  /** Starts the daemon, the pods and services, and the peer namespace; waits until the endpoints are complete. */
  async start(opts: { peer?: boolean } = {}): Promise<void> {
    await this.d.start();
    // Services first, so that the pods' service-link variables name them (as in Kubernetes).
    await this.apply([SERVICES, ...WEB_PODS.map(webPod), CLIENT_POD].join("---\n"));
    await this.waitEndpoints("web", 3);
    await this.waitRunning("client");
    if (opts.peer) this.peer = await PeerNamespace.create(`ntsp${this.mode[0]}${process.pid % 10_000}`, `198.18.${this.octet}.1/30`, `198.18.${this.octet}.2/30`);
  }

  /** Stops the daemon with SIGTERM (pods keep running) and starts it again in `mode`. */
  async restart(mode: Mode): Promise<void> {
    await this.d.terminate();
    const args = this.d.extraArgs;
    args[args.indexOf("--proxy-mode") + 1] = mode;
    this.d.log = "";
    await this.d.start();
  }

  async apply(yaml: string): Promise<void> {
    const r = await this.d.cli(["apply", "-f", "-"], yaml);
    if (r.code !== 0) throw new Error(`apply: ${r.stderr}`);
  }

  async kubectl(args: string[]): Promise<string> {
    const r = await this.d.cli(args);
    if (r.code !== 0) throw new Error(`nodelet ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  }

  async jsonpath(kind: string, name: string, path: string): Promise<string> {
    return (await this.kubectl(["get", kind, name, "-o", `jsonpath=${path}`])).trim();
  }

  /** Runs a command in a pod's container; resolves with its output and exit code. */
  exec(pod: string, command: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return this.d.cli(["exec", pod, "--", ...command]);
  }

  /** The ready endpoint IPs of a service (from its Endpoints object). */
  async endpointIPs(name: string): Promise<string[]> {
    const ep = await this.d.client.request<Endpoints>("GET", `/api/v1/namespaces/default/endpoints/${name}`).catch(() => undefined);
    return (ep?.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => a.ip)).sort();
  }

  async waitEndpoints(name: string, n: number, timeoutMs = 30_000): Promise<void> {
    await eventually(async () => (await this.endpointIPs(name)).length === n, timeoutMs, `${n} endpoints of ${name}`);
  }

  async waitRunning(pod: string): Promise<void> {
    await eventually(async () => (await this.pod(pod))?.status?.phase === "Running", 30_000, `pod ${pod} running`);
  }

  pod(name: string): Promise<Pod | undefined> {
    return this.d.client.request<Pod>("GET", `/api/v1/namespaces/default/pods/${name}`).catch(() => undefined);
  }

  /** Writes the pod's Ready condition through the status subresource (what a failing readiness probe does). */
  /**
   * Makes the pod's readiness probe pass or fail (it asks for /ready): the kubelet then writes Ready itself. Writing the
   * condition through the API instead would race the kubelet's status sync, which puts its own view back.
   */
  async setReady(name: string, ready: boolean): Promise<void> {
    const r = await this.exec(name, ["sh", "-c", ready ? "touch /www/ready" : "rm -f /www/ready"]);
    if (r.code !== 0) throw new Error(`setReady ${name}: ${r.stderr}`);
  }

  /** `count` requests from a pod to `url` (busybox wget); the bodies, one per line. */
  async fromPod(pod: string, url: string, count: number): Promise<string[]> {
    const r = await this.exec(pod, ["sh", "-c", `for i in $(seq ${count}); do wget -qO- ${url} || echo FAIL; done`]);
    return r.stdout.split("\n").filter(Boolean);
  }

  /** `count` requests from this (host) process. */
  async fromHost(host: string, port: number, count: number): Promise<string[]> {
    const out: string[] = [];
    for (let i = 0; i < count; i++) out.push(await httpGet(host, port).catch((e: Error) => `FAIL ${e.message}`));
    return out;
  }

  /** What of ours is still on the host: rules in any backend, the service route, the bridge, processes. */
  async leftovers(): Promise<string[]> {
    const found = this.d.leftovers();
    if ((await sh(["nft", "list", "table", "ip", nftProxyTable(this.bridge)])).code === 0) found.push(`nft table ${nftProxyTable(this.bridge)}`);
    for (const bin of ["iptables-nft-save", "iptables-legacy-save"]) {
      const lines = (await sh([bin])).stdout.split("\n").filter((l) => l.includes(iptablesPrefix(this.bridge)));
      found.push(...lines.map((l) => `${bin}: ${l}`));
    }
    const routes = (await sh(["ip", "route", "show", "table", "local"])).stdout.split("\n").filter((l) => l.startsWith(`local ${this.serviceCIDR}`));
    found.push(...routes.map((r) => `route ${r}`));
    if ((await sh(["ip", "link", "show", this.bridge])).code === 0) found.push(`bridge ${this.bridge}`);
    return found;
  }

  async cleanup(): Promise<void> {
    await this.peer?.remove();
    await this.d.cleanup();
  }
}

/** The trimmed body of GET http://host:port/ (the pods answer with their name and a newline). */
export async function httpGet(host: string, port: number, timeoutMs = 3000): Promise<string> {
  return (await getBody(host, port, "/", timeoutMs)).trim();
}
