/**
 * The joined node's kubelet server (kubelet/server/kubelet-server.ts) on --kubelet-port: its serving certificate from
 * the cluster (a kubelet-serving CSR for the node's name and address, kubelet/server/serving-cert.ts, kept in
 * ROOT/pki), client certificates checked against the cluster CA (the CA the node's credentials trust), and the
 * node's pods' IO (NodeIO over the runtime) for the pods the kubelet runs, and the node's own usage for the summary.
 *
 * The certificate may wait for approval (a node whose credentials are neither its own nor an admin's): the server
 * then starts once it is issued, and the node runs its pods meanwhile. The start waits up to `readyWithinMs` for it,
 * so a node that is approved at once (the usual case) is reachable when it says it is ready. The certificate is
 * renewed at a jittered 70–90 % of its life (auth/certificate-rotation.ts, the kubelet's serving certificate
 * manager): new connections get the new one, without a restart.
 */
import { join } from "node:path";
import type { Pod } from "../api/types.js";
import type { Kubelet } from "../kubelet/kubelet.js";
import { NodeIO } from "../kubelet/node-io.js";
import { NodeUsageReader } from "../kubelet/node-usage.js";
import { KubeletServer } from "../apiserver/kubelet-api/server.js";
import { ensureServingCertificate, requestServingCertificate, type ServingCertOptions, type ServingPair } from "../auth/kubelet-serving-cert.js";
import { CertificateRotation, retryDelay, validityOf } from "../auth/certificate-rotation.js";
import { realClock } from "../sys/clock.js";
import type { NodeRuntime } from "../runtime/node-runtime.js";
import type { RemoteStore } from "../store/remote-store.js";
import type { Node } from "../api/types.js";

export interface KubeletServerWiring {
  stop(): Promise<void>;
}

export async function startKubeletServer(o: {
  root: string;
  nodeName: string;
  hostIP: string;
  port: number;
  clientCA: string;
  store: RemoteStore;
  kubelet: Kubelet;
  host: Pick<NodeRuntime, "runtime" | "runner">;
  log: (m: string) => void;
  readyWithinMs?: number;
}): Promise<KubeletServerWiring> {
  const abort = new AbortController();
  let server: KubeletServer | undefined;
  const nodeUsage = new NodeUsageReader(realClock);
  let rotation: CertificateRotation | undefined;
  const request: ServingCertOptions = {
    api: (method, path, body) => o.store.requestAsync({ method, path, body }),
    caPem: o.clientCA,
    dir: join(o.root, "pki"),
    nodeName: o.nodeName,
    names: [o.nodeName, o.hostIP],
    timeoutMs: Infinity,
    signal: abort.signal,
    log: o.log,
  };
  const running = (async () => {
    await nodeRegistered(o.store, o.nodeName, abort.signal);
    const first = await firstCertificate(request, abort.signal, o.log);
    if (!first || abort.signal.aborted) return;
    let pair = first;
    // On the node's own address (the Node's InternalIP, which the control plane dials): agents sharing a host's
    // network namespace on addresses of their own (nodelet cluster up) each keep their port.
    const s = new KubeletServer({
      host: o.hostIP,
      port: o.port,
      cert: pair.cert,
      key: pair.key,
      clientCA: o.clientCA,
      nodeName: o.nodeName,
      pod: (ns, name) => podOf(o.kubelet, ns, name),
      pods: () => o.kubelet.activePods().filter((p) => p.spec.nodeName === o.nodeName),
      io: new NodeIO(o.host.runtime, o.host.runner, realClock),
      nodeUsage: () => nodeUsage.sample(),
      log: o.log,
    });
    await s.start();
    server = s;
    o.log(`kubelet server: https://${o.hostIP}:${s.address().port} (client certificates from the cluster CA)`);
    rotation = new CertificateRotation({
      name: "kubelet serving certificate",
      clock: realClock,
      current: () => validityOf(pair.cert),
      rotate: async () => {
        // The kubelet's certificateWaitTimeout: a request nobody approves is given up and asked again.
        const next = await requestServingCertificate({ ...request, timeoutMs: 15 * 60_000 });
        s.useCertificate(next.cert, next.key);
        pair = next;
      },
      log: o.log,
    });
    rotation.start();
  })().catch((err: Error) => {
    if (!abort.signal.aborted) o.log(`kubelet server not started: ${err.message}`);
  });
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([running, new Promise((r) => (timer = setTimeout(r, o.readyWithinMs ?? 30_000)))]);
  clearTimeout(timer);
  return {
    async stop() {
      abort.abort();
      await running;
      await rotation?.stop();
      await server?.close();
    },
  };
}

/**
 * The serving certificate at start, asked again after a failure (the control plane away, a connection closed by a
 * client certificate rotation, a denial an admin may undo) with the rotation's backoff; undefined once stopped.
 */
async function firstCertificate(request: ServingCertOptions, signal: AbortSignal, log: (m: string) => void): Promise<ServingPair | undefined> {
  for (let attempt = 1; !signal.aborted; attempt++) {
    try {
      return await ensureServingCertificate(request);
    } catch (err) {
      if (signal.aborted) return undefined;
      const wait = retryDelay(attempt, Math.random());
      log(`${(err as Error).message}; asking again in ${Math.round(wait / 1000)} s`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, wait);
        signal.addEventListener(
          "abort",
          () => {
            clearTimeout(t);
            resolve();
          },
          { once: true },
        );
      });
    }
  }
  return undefined;
}

/** The pod a kubelet's worker holds (terminating ones too: their logs are still read). */
function podOf(kubelet: Kubelet, namespace: string, name: string): Pod | undefined {
  for (const w of kubelet.workers.values()) {
    const p = w.current;
    if (p && p.metadata.name === name && (p.metadata.namespace ?? "default") === namespace) return p;
  }
  return undefined;
}

/** Waits until the Node lists an address: the control plane approves the serving names against it. */
async function nodeRegistered(store: RemoteStore, nodeName: string, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    try {
      if (store.get<Node>("Node", "", nodeName)?.status?.addresses?.length) return;
    } catch {
      // the control plane is unreachable for now: ask again
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
