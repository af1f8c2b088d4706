/**
 * A joined node's client certificate kept current (the kubelet's client certificate manager, --rotate-certificates):
 * the certificate the TLS bootstrap got (system:node:NAME, ROOT/pki/kubelet.conf) is renewed at a jittered 70–90 %
 * of its life (auth/certificate-rotation.ts) with a CSR the node makes with that certificate, which the control
 * plane approves as a renewal of the node's own identity (csrapproving's selfnodeclient). The new key and
 * certificate are written to kubelet.conf (0600, atomically) and the remote store presents them on its next
 * connections, closing the old ones, without a restart.
 *
 * Once the certificate has expired it cannot ask for its own renewal: the request is then made with the bootstrap
 * token — --token's, or the one in a --bootstrap-kubeconfig file put back in place (the node removes it after
 * joining) — as the kubelet falls back to its bootstrap kubeconfig (approved as nodeclient, if the token still exists);
 * a node that joined with --kubeconfig has no bootstrap credentials, and its certificate is the operator's: it is
 * not rotated, and its expiry is logged as the error it is.
 */
import { bootstrapApi, issueClientCertificate } from "../auth/tls-bootstrap.js";
import { atTime, CertificateRotation, validityOf, type Validity } from "../auth/certificate-rotation.js";
import type { ApiCall } from "../auth/csr-request.js";
import type { RemoteStore } from "../store/remote-store.js";
import type { RemoteEndpoint } from "../store/remote-worker.js";
import type { Clock } from "../sys/clock.js";

/** How long one renewal waits for its certificate (the kubelet's certificateWaitTimeout). */
const WAIT_MS = 15 * 60_000;

export interface ClientCertificateWiring {
  stop(): Promise<void>;
}

export interface ClientRotationOptions {
  store: RemoteStore;
  endpoint: RemoteEndpoint;
  nodeName: string;
  /**
   * The bootstrap credentials the node joined with; undefined for --kubeconfig FILE. `token` is asked when needed:
   * undefined when there is none now (the bootstrap kubeconfig was used up).
   */
  bootstrap?: { token: () => string | undefined; dir: string };
  /** The --kubeconfig the credentials came from (for the expiry message). */
  kubeconfig?: string;
  clock: Clock;
  random?: () => number;
  log: (m: string) => void;
}

export function startClientCertificateRotation(o: ClientRotationOptions): ClientCertificateWiring {
  const abort = new AbortController();
  if (!o.bootstrap) return watchExpiry(o);
  const { token, dir } = o.bootstrap;
  const user = `system:node:${o.nodeName}`;
  const asNode: ApiCall = (method, path, body) => o.store.requestAsync({ method, path, body });
  const rotation = new CertificateRotation({
    name: "client certificate",
    clock: o.clock,
    random: o.random,
    current: () => validityOf(o.store.clientCertificate()),
    rotate: async () => {
      let api = asNode;
      const asks = renewalCredentials(validityOf(o.store.clientCertificate()), o.clock.now());
      if (asks !== "self") {
        const t = token();
        if (t === undefined) throw new Error(`client certificate for ${user} ${asks.why}, and there is no bootstrap token to ask for a new one: put a bootstrap kubeconfig at the --bootstrap-kubeconfig path`);
        o.log(`client certificate for ${user} ${asks.why}: asking for a new one with the bootstrap token`);
        api = bootstrapApi(o.endpoint.server, o.endpoint.ca, t);
      }
      const pair = await issueClientCertificate({ api, server: o.endpoint.server, caPem: o.endpoint.ca, nodeName: o.nodeName, dir, timeoutMs: WAIT_MS, signal: abort.signal, log: (m) => o.log(`client certificate rotation: ${m}`) });
      o.store.useClientCertificate(pair.cert, pair.key);
    },
    log: o.log,
  });
  rotation.start();
  return {
    async stop() {
      abort.abort();
      await rotation.stop();
    },
  };
}

/**
 * Who asks for the renewal: the node itself while its certificate is valid (approved as selfnodeclient), else the
 * bootstrap token (upstream's clientsetFn: the certificate client only while Current() is not expired).
 */
export function renewalCredentials(current: Validity | undefined, now: number): "self" | { why: string } {
  if (!current) return { why: "unreadable" };
  if (now >= current.notAfter) return { why: `expired at ${new Date(current.notAfter).toISOString()}` };
  if (now < current.notBefore) return { why: `not valid before ${new Date(current.notBefore).toISOString()}` };
  return "self";
}

/** --kubeconfig credentials: not rotated; their expiry logged with what to do. */
function watchExpiry(o: ClientRotationOptions): ClientCertificateWiring {
  const expiry = validityOf(o.endpoint.cert)?.notAfter;
  if (expiry === undefined) return { stop: async () => undefined };
  const timer = atTime(o.clock, expiry, () => {
    o.log(
      `error: the client certificate in ${o.kubeconfig ?? "the kubeconfig"} expired at ${new Date(expiry).toISOString()}: the control plane refuses this node's requests from now on. ` +
        `It was given with --kubeconfig, so the node has no bootstrap token to renew it: give it a new kubeconfig, or join it with --server and --token (its certificate is then renewed before it expires)`,
    );
  });
  return {
    async stop() {
      timer.cancel();
    },
  };
}
