/**
 * What `cluster up` and `cluster status` ask of the cluster's API: one GET with the admin kubeconfig's credentials
 * (the control plane's CA pinned), bounded in time; and etcd's /health.
 */
import { request } from "node:https";
import { readKubeconfigEndpoint } from "../../store/remote-kubeconfig.js";

/** GETs `path` from the kubeconfig's server: the parsed JSON body, or undefined on any failure (down, refused, non-2xx). */
export async function apiGet<T>(kubeconfig: string, path: string, timeoutMs = 5000): Promise<T | undefined> {
  const body = await apiGetText(kubeconfig, path, timeoutMs);
  try {
    return body === undefined ? undefined : (JSON.parse(body) as T);
  } catch {
    return undefined;
  }
}

/** GETs `path` (from `server` instead of the kubeconfig's, when given): the body as text on a 2xx answer, else undefined. */
export function apiGetText(kubeconfig: string, path: string, timeoutMs = 5000, server?: string): Promise<string | undefined> {
  let ep;
  try {
    ep = readKubeconfigEndpoint(kubeconfig);
  } catch {
    return Promise.resolve(undefined);
  }
  return new Promise((resolve) => {
    const req = request(
      `${server ?? ep.server}${path}`,
      { ca: ep.ca, cert: ep.cert, key: ep.key, headers: ep.token ? { authorization: `Bearer ${ep.token}`, accept: "application/json" } : { accept: "application/json" }, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          resolve((res.statusCode ?? 500) >= 300 ? undefined : Buffer.concat(chunks).toString("utf8"));
        });
        res.on("error", () => resolve(undefined));
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", () => resolve(undefined));
    req.end();
  });
}

/** Whether an etcd member's /health says true. */
export async function etcdHealthy(clientURL: string, timeoutMs = 3000): Promise<boolean> {
  try {
    const res = await fetch(`${clientURL}/health`, { signal: AbortSignal.timeout(timeoutMs) });
    return res.ok && ((await res.json()) as { health?: string }).health === "true";
  } catch {
    return false;
  }
}

interface NodeList {
  items: { metadata: { name: string }; status?: { conditions?: { type: string; status: string }[] } }[];
}

/** Each Node's Ready condition status ("True", "False", "Unknown"), by name; undefined when the API does not answer. */
export async function nodeReadiness(kubeconfig: string): Promise<Map<string, string> | undefined> {
  const list = await apiGet<NodeList>(kubeconfig, "/api/v1/nodes");
  if (!list) return undefined;
  return new Map(list.items.map((n) => [n.metadata.name, n.status?.conditions?.find((c) => c.type === "Ready")?.status ?? "Unknown"]));
}
