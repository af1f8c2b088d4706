/**
 * The kubelet's `--bootstrap-kubeconfig`: a kubeconfig holding the API server, the cluster CA and a bootstrap token,
 * so the token reaches a joining node through a file (mode 0600, its owner's alone) instead of its command line,
 * where every user of the host reads it in `ps` for as long as the agent runs.
 *
 * The node's flow (nodeCredentialsFromBootstrap): with the file, the TLS bootstrap (tls-bootstrap.ts) gets the node
 * its own client certificate — or finds the one it already has — in ROOT/pki/kubelet.conf, and the file is then
 * removed, as `kubeadm join` removes bootstrap-kubelet.conf once the kubelet has its certificate: the token is
 * spent, and a copy left on disk would only be one more place it could leak from. Without the file (the normal
 * restart), the node uses ROOT/pki/kubelet.conf. The same command line serves the first start and every restart.
 */
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { renderKubeconfig } from "../api/kubeconfig.js";
import { parseKubeconfigEndpoint } from "../store/remote-kubeconfig.js";
import { readSecretFile } from "../sys/secret-file.js";
import { bootstrapNodeCredentials, KUBELET_CONF } from "./tls-bootstrap.js";

/** The bootstrap kubeconfig for `server`, trusting `caPem`, authenticating with `token` (written 0600 by the caller). */
export function renderBootstrapKubeconfig(server: string, caPem: string, token: string): string {
  // kubeadm's entry names in bootstrap-kubelet.conf.
  return renderKubeconfig({ server, caCert: caPem, token, names: { cluster: "kubernetes", user: "tls-bootstrap-token-user", context: "tls-bootstrap-token-user@kubernetes" } });
}

export interface BootstrapFromFileOptions {
  /** The --bootstrap-kubeconfig path. */
  file: string;
  /** The node's root: its certificate is kept in ROOT/pki/kubelet.conf. */
  root: string;
  nodeName: string;
  log: (m: string) => void;
}

/** The path of the node's own kubeconfig, made (or found) as the module comment says; the bootstrap file removed. */
export async function nodeCredentialsFromBootstrap(o: BootstrapFromFileOptions): Promise<string> {
  const dir = join(o.root, "pki");
  const own = join(dir, KUBELET_CONF);
  let text: string;
  try {
    text = readSecretFile(o.file, "--bootstrap-kubeconfig");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    if (existsSync(own)) return own;
    throw new Error(`--bootstrap-kubeconfig: ${o.file} does not exist, and the node has no certificate yet (${own}): give a bootstrap kubeconfig`, { cause: err });
  }
  const ep = parseKubeconfigEndpoint(text, o.file);
  if (!ep.token) throw new Error(`--bootstrap-kubeconfig: ${o.file}: the user has no token (a bootstrap token, abcdef.0123456789abcdef)`);
  const path = await bootstrapNodeCredentials({ server: ep.server, caPem: ep.ca, token: ep.token, nodeName: o.nodeName, dir, log: o.log });
  rmSync(o.file, { force: true });
  o.log(`tls-bootstrap: removed ${o.file}: the node has its own certificate (${path}), and the token is spent`);
  return path;
}

/** The token of the bootstrap kubeconfig at `file`, checked as at start; undefined when there is no such file. */
export function bootstrapToken(file: string): string | undefined {
  let text: string;
  try {
    text = readSecretFile(file, "--bootstrap-kubeconfig");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  return parseKubeconfigEndpoint(text, file).token;
}
