/**
 * The daemon's kubeconfig for kubectl (or any client-go program) that reaches the TCP listener: HTTPS with the node's
 * CA (or the serving certificate itself) as CA, and a client certificate and/or a bearer token (rendered by
 * api/kubeconfig.ts). Written 0600, since the credentials are a root credential.
 */
import { promises as fsp } from "node:fs";
import { dirname } from "node:path";
import { renderKubeconfig, type KubeconfigOptions } from "../api/kubeconfig.js";

export { renderKubeconfig, type KubeconfigOptions };

/** Writes the kubeconfig to `path` (mode 0600, parent directories created). Returns its text. */
export async function writeKubeconfig(path: string, o: KubeconfigOptions): Promise<string> {
  const text = renderKubeconfig(o);
  await fsp.mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await fsp.writeFile(path, text, { mode: 0o600 });
  await fsp.chmod(path, 0o600);
  return text;
}
