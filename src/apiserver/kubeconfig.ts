/**
 * A kubeconfig for kubectl (or any client-go program) that reaches the TCP listener: HTTPS with the node's CA (or
 * the serving certificate itself) as CA, and a client certificate and/or a bearer token. Written 0600, since the
 * credentials are a root credential.
 */
import { promises as fsp } from "node:fs";
import { dirname } from "node:path";
import { stringify } from "yaml";

export interface KubeconfigOptions {
  /** `https://127.0.0.1:6443` */
  server: string;
  /** PEM of the serving certificate (trusted as the CA). */
  caCert: string;
  /** Bearer token (omit or "" with a client certificate). */
  token?: string;
  /** PEM client certificate and its key (CN = user, O = groups). */
  clientCert?: string;
  clientKey?: string;
  /** Cluster, user and context name. Default "nodelet". */
  name?: string;
  /** Default namespace of the context. */
  namespace?: string;
}

export function renderKubeconfig(o: KubeconfigOptions): string {
  const name = o.name ?? "nodelet";
  const context: Record<string, string> = { cluster: name, user: name };
  if (o.namespace) context.namespace = o.namespace;
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name, cluster: { server: o.server, "certificate-authority-data": Buffer.from(o.caCert).toString("base64") } }],
    users: [{ name, user: userEntry(o) }],
    contexts: [{ name, context }],
    "current-context": name,
    preferences: {},
  });
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

/** Writes the kubeconfig to `path` (mode 0600, parent directories created). Returns its text. */
export async function writeKubeconfig(path: string, o: KubeconfigOptions): Promise<string> {
  const text = renderKubeconfig(o);
  await fsp.mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await fsp.writeFile(path, text, { mode: 0o600 });
  await fsp.chmod(path, 0o600);
  return text;
}
