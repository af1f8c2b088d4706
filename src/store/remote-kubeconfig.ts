/**
 * A kubeconfig's current context as the remote store's endpoint: the server URL, its CA (data or file), and the
 * client's certificate and key (data or file) or bearer token. What `nodelet node --kubeconfig FILE` reads, and
 * what the TLS bootstrap writes.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parse } from "yaml";
import type { RemoteEndpoint } from "./remote-worker.js";

interface Named<T> {
  name?: string;
  [k: string]: unknown;
  cluster?: T;
  user?: T;
  context?: T;
}

type Entry = Record<string, string | undefined>;

/** Reads `file`; a missing part (no server, no CA, no credentials) is an error naming the file and the part. */
export function readKubeconfigEndpoint(file: string): RemoteEndpoint {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new Error(`kubeconfig ${file}: ${(err as Error).message}`, { cause: err });
  }
  return parseKubeconfigEndpoint(text, file);
}

/** The endpoint of a kubeconfig's text read from `file` (relative CA and key paths are resolved against its directory). */
export function parseKubeconfigEndpoint(text: string, file: string): RemoteEndpoint {
  let doc: { clusters?: Named<Entry>[]; users?: Named<Entry>[]; contexts?: Named<Entry>[]; "current-context"?: string };
  try {
    doc = parse(text) as typeof doc;
  } catch (err) {
    throw new Error(`kubeconfig ${file}: ${(err as Error).message}`, { cause: err });
  }
  if (typeof doc !== "object" || doc === null) throw new Error(`kubeconfig ${file}: not a kubeconfig (no mapping at the top)`);
  const where = (what: string) => new Error(`kubeconfig ${file}: ${what}`);
  const ctxName = doc["current-context"];
  const ctx = doc.contexts?.find((c) => c.name === ctxName)?.context ?? (doc.contexts?.length === 1 ? doc.contexts[0].context : undefined);
  const cluster = (ctx?.cluster ? doc.clusters?.find((c) => c.name === ctx.cluster) : doc.clusters?.[0])?.cluster;
  const user = (ctx?.user ? doc.users?.find((u) => u.name === ctx.user) : doc.users?.[0])?.user;
  if (!cluster?.server) throw where("no cluster server in the current context");
  if (!cluster.server.startsWith("https://")) throw where(`server ${cluster.server} is not https://: a node talks to the control plane over HTTPS only`);
  const base = dirname(file);
  const pem = (data: string | undefined, path: string | undefined): string | undefined =>
    data ? Buffer.from(data, "base64").toString("utf8") : path ? readFileSync(resolve(base, path), "utf8") : undefined;
  const ca = pem(cluster["certificate-authority-data"], cluster["certificate-authority"]);
  if (!ca) throw where("the cluster has no certificate-authority(-data): the server's certificate could not be checked");
  const cert = pem(user?.["client-certificate-data"], user?.["client-certificate"]);
  const key = pem(user?.["client-key-data"], user?.["client-key"]);
  const token = user?.token;
  if (!(cert && key) && !token) throw where("the user has neither a client certificate and key nor a token");
  return { server: cluster.server.replace(/\/+$/, ""), ca, cert, key, token };
}
