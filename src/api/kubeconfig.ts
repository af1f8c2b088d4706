/**
 * A kubeconfig as text (client-go's clientcmd v1 Config): one cluster (server and CA), one user (a client certificate
 * and key, and/or a bearer token) and the context joining them, made current. The daemon's kubeconfig for kubectl
 * and a joined node's kubelet.conf are both rendered here; writing and reading them is their owners' business
 * (apiserver/kubeconfig.ts, auth/tls-bootstrap.ts; store/remote-kubeconfig.ts reads one back).
 */
import { stringify } from "yaml";

export interface KubeconfigOptions {
  /** `https://127.0.0.1:6443` */
  server: string;
  /** PEM of the CA the server's certificate must chain to (or the serving certificate itself). */
  caCert: string;
  /** Bearer token (omit or "" with a client certificate). */
  token?: string;
  /** PEM client certificate and its key (CN = user, O = groups). */
  clientCert?: string;
  clientKey?: string;
  /** Cluster, user and context name. Default "nodelet". */
  name?: string;
  /** Distinct names of the cluster, user and context entries (kubeadm's kubelet.conf: default-cluster, ...). */
  names?: { cluster: string; user: string; context: string };
  /** Default namespace of the context. */
  namespace?: string;
  /** A `# ` comment line on top (who the file is for, what wrote it). */
  comment?: string;
}

export function renderKubeconfig(o: KubeconfigOptions): string {
  const name = o.name ?? "nodelet";
  const names = o.names ?? { cluster: name, user: name, context: name };
  const context: Record<string, string> = { cluster: names.cluster, user: names.user };
  if (o.namespace) context.namespace = o.namespace;
  const text = stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: names.cluster, cluster: { server: o.server, "certificate-authority-data": Buffer.from(o.caCert).toString("base64") } }],
    users: [{ name: names.user, user: userEntry(o) }],
    contexts: [{ name: names.context, context }],
    "current-context": names.context,
    preferences: {},
  });
  return o.comment ? `# ${o.comment}\n${text}` : text;
}

function userEntry(o: KubeconfigOptions): Record<string, string> {
  const user: Record<string, string> = {};
  if (o.clientCert && o.clientKey) {
    user["client-certificate-data"] = Buffer.from(o.clientCert).toString("base64");
    user["client-key-data"] = Buffer.from(o.clientKey).toString("base64");
  }
  if (o.token) user.token = o.token;
  return user;
}
