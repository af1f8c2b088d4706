/**
 * nodelet's own API beside the Kubernetes one, under /apis/nodelet.io/v1 (not advertised in discovery, so kubectl
 * never sees it): the node's images, and a pod's recorded host steps for `nodelet explain`.
 *   GET    /apis/nodelet.io/v1/images                            → {items: Image[]}
 *   POST   /apis/nodelet.io/v1/images  {fromHost: [...], tag}     → Image (nodelet image build --from-host)
 *   POST   /apis/nodelet.io/v1/images  {debian: [...], tag}       → Image (nodelet image build --debian)
 *   GET    /apis/nodelet.io/v1/images/NAME[:TAG]                  → the image's record, tags and layers (image inspect)
 *   DELETE /apis/nodelet.io/v1/images/NAME[:TAG]
 *   DELETE /apis/nodelet.io/v1/images[?all=true]                  → {deleted, reclaimedBytes} (image prune)
 *   POST   /apis/nodelet.io/v1/imageimports?path=FILE|DIR        → {items: [{id, tags}]} (image import)
 *   POST   /apis/nodelet.io/v1/imagesaves?image=REF&path=FILE   → {id, path} (image save: an OCI layout tar)
 *   POST   /apis/nodelet.io/v1/imagepulls?image=REF              → NDJSON: {progress} lines, then {image, downloaded} or {error}
 *   POST   /apis/nodelet.io/v1/images/push  {image}              → {repository, tag, digest, size, …} (nodelet image push)
 *   GET    /apis/nodelet.io/v1/namespaces/NS/pods/NAME/explain    → text/x-shellscript
 *   GET    /apis/nodelet.io/v1/namespaces/NS/pods/NAME/timing     → StartTiming (sys/start-trace.ts): where its start went
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError, FieldError } from "../api/errors.js";
import type { Pod } from "../api/types.js";
import type { Store } from "../store/store.js";
import type { StartTiming } from "../sys/start-trace.js";
import type { ApiServer } from "./server.js";

/** The node's images as this API serves them (the runtime's ImageStore is one); images are sent as JSON as they are. */
export interface NodeImages {
  list(): Promise<object[]>;
  buildFromHost(paths: string[], tag: string): Promise<object>;
  /** A Debian image of these packages, made with mmdebstrap from the node's apt sources. */
  buildDebian(packages: string[], tag: string): Promise<object>;
  /** False when no image has that name. */
  remove(ref: string): Promise<boolean>;
  /** The image a reference (or id) names, in full, or undefined. */
  inspect(ref: string): Promise<object | undefined>;
  /** Removes untagged unused images (all unused ones with `all`). */
  prune(all: boolean): Promise<{ deleted: string[]; reclaimedBytes: number }>;
  /** Imports the images of an archive or layout at a path on this node. */
  import(path: string): Promise<object>;
  /** Writes an image as an OCI layout tar at a path on this node. */
  save(ref: string, path: string): Promise<object>;
  /** Pulls an image, reporting each layer's progress. */
  pull(ref: string, onProgress: (p: object) => void): Promise<object>;
}

/** What the node API reads: the node's images, the store, and the node's record of how it built a pod. */
export interface NodeApiDeps {
  images: NodeImages;
  store: Store;
  /** Pushes a node image to the registry its reference names (images/registry/push-image.ts). */
  push?(image: string): Promise<object>;
  /** The host steps that built the pod, as a shell script titled `title` (the node side reads its own records). */
  explain(pod: Pod, title: string): string;
  /** The timed steps of the pod's start, while the node keeps them (the last N pods started). */
  timing?(pod: Pod): StartTiming | undefined;
}

const PREFIX = "/apis/nodelet.io/v1/";

export function registerNodeApi(api: ApiServer, deps: NodeApiDeps): void {
  api.registerHandler(PREFIX, (req: IncomingMessage, res: ServerResponse, url: URL) => handle(deps, req, res, url));
}

async function handle(d: NodeApiDeps, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const parts = url.pathname.slice(PREFIX.length).split("/").map(decodeURIComponent);
  try {
    if (parts[0] === "images") return await images(d, req, res, parts.slice(1).join("/"), url);
    if (parts[0] === "imageimports" && parts.length === 1 && req.method === "POST") return sendJson(res, 201, { items: await d.images.import(url.searchParams.get("path") ?? "") });
    if (parts[0] === "imagesaves" && parts.length === 1 && req.method === "POST") return sendJson(res, 201, await d.images.save(url.searchParams.get("image") ?? "", url.searchParams.get("path") ?? ""));
    if (parts[0] === "imagepulls" && parts.length === 1 && req.method === "POST") return await pull(d, res, url.searchParams.get("image") ?? "");
    if (parts[0] === "namespaces" && parts[2] === "pods" && parts[4] === "explain" && req.method === "GET") {
      return explain(d, res, parts[1], parts[3]);
    }
    if (parts[0] === "namespaces" && parts[2] === "pods" && parts[4] === "timing" && req.method === "GET") {
      return timing(d, res, parts[1], parts[3]);
    }
    throw new ApiError("NotFound", `the server could not find the requested resource (${url.pathname})`);
  } catch (err) {
    const e = err instanceof FieldError ? ApiError.invalid("Image", "", [err]) : err instanceof ApiError ? err : new ApiError("InternalError", err instanceof Error ? err.message : String(err));
    sendJson(res, e.code, e.toStatus());
  }
}

async function images(d: NodeApiDeps, req: IncomingMessage, res: ServerResponse, name: string, url: URL): Promise<void> {
  if (req.method === "GET" && !name) return sendJson(res, 200, { kind: "ImageList", items: await d.images.list() });
  if (req.method === "GET" && name) {
    const found = await d.images.inspect(name);
    if (!found) throw new ApiError("NotFound", `image "${name}" not found`);
    return sendJson(res, 200, found);
  }
  if (req.method === "DELETE" && !name) return sendJson(res, 200, await d.images.prune(url.searchParams.get("all") === "true"));
  if (req.method === "POST" && !name) {
    const body = JSON.parse((await readBody(req)) || "{}") as { fromHost?: unknown; debian?: unknown; tag?: unknown };
    if (typeof body.tag !== "string" || !body.tag) throw new FieldError("--tag", "Required value: a name for the image");
    if (body.debian !== undefined && body.fromHost !== undefined) throw new FieldError("--debian", "Forbidden: --debian and --from-host build different images, give one");
    if (body.debian !== undefined) return sendJson(res, 201, await d.images.buildDebian(stringList(body.debian, "--debian"), body.tag));
    return sendJson(res, 201, await d.images.buildFromHost(stringList(body.fromHost ?? [], "--from-host"), body.tag));
  }
  if (req.method === "POST" && name === "push" && d.push) {
    const body = JSON.parse((await readBody(req)) || "{}") as { image?: unknown };
    if (typeof body.image !== "string" || !body.image) throw new FieldError("image", "Required value: the image to push");
    return sendJson(res, 200, await d.push(body.image));
  }
  if (req.method === "DELETE" && name) {
    if (!(await d.images.remove(name))) throw new ApiError("NotFound", `image "${name}" not found`);
    return sendJson(res, 200, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 200 });
  }
  throw new ApiError("MethodNotAllowed", `${req.method} is not supported on images`);
}

/** A pull as a stream of JSON lines, so the CLI can draw progress; the last line is the result or the error. */
async function pull(d: NodeApiDeps, res: ServerResponse, image: string): Promise<void> {
  if (!image) throw new FieldError("image", "Required value: the image to pull");
  res.writeHead(200, { "Content-Type": "application/x-ndjson" });
  const line = (o: object) => res.write(`${JSON.stringify(o)}\n`);
  try {
    line({ result: await d.images.pull(image, (progress) => line({ progress })) });
  } catch (err) {
    line({ error: err instanceof Error ? err.message : String(err) });
  }
  res.end();
}

function explain(d: NodeApiDeps, res: ServerResponse, namespace: string, name: string): void {
  const pod = d.store.get<Pod>("Pod", namespace, name);
  if (!pod) throw ApiError.notFound("pods", name);
  const script = d.explain(pod, `pod ${namespace}/${name} (uid ${pod.metadata.uid}): how nodelet built it`);
  res.writeHead(200, { "Content-Type": "text/x-shellscript; charset=utf-8" });
  res.end(script);
}

function timing(d: NodeApiDeps, res: ServerResponse, namespace: string, name: string): void {
  const pod = d.store.get<Pod>("Pod", namespace, name);
  if (!pod) throw ApiError.notFound("pods", name);
  const t = d.timing?.(pod);
  if (!t) throw new ApiError("NotFound", `no start timing is kept for pod "${name}": the node times the starts of the last pods it started (--start-traces), not pods it re-adopted after a restart`);
  sendJson(res, 200, t);
}

function sendJson(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString()));
    req.on("error", reject);
  });
}

/** A request body's list of strings, or a FieldError naming the flag it stands for. */
function stringList(v: unknown, field: string): string[] {
  if (!Array.isArray(v) || !v.every((x): x is string => typeof x === "string")) throw new FieldError(field, "Invalid value: a list of strings");
  return v;
}
