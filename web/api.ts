/** The page's side of /ui/api: JSON reads, the pushed topology, and streamed reads (watches, followed logs). */

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** What the banner says about the connection; set by every read. */
export type Health = "ok" | "expired" | "unreachable";
let onHealth: (h: Health, detail?: string) => void = () => undefined;
export function watchHealth(fn: (h: Health, detail?: string) => void): void {
  onHealth = fn;
}

async function failure(res: Response): Promise<HttpError> {
  let message = `${res.status} ${res.statusText}`;
  try {
    const body = (await res.json()) as { error?: string; message?: string };
    message = body.message ?? body.error ?? message;
  } catch {
    // not JSON
  }
  if (res.status === 401) onHealth("expired");
  return new HttpError(res.status, message);
}

async function get(path: string, accept = "application/json"): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(path, { credentials: "same-origin", headers: { Accept: accept } });
  } catch (err) {
    onHealth("unreachable", String(err));
    throw new HttpError(0, "the node does not answer");
  }
  if (!res.ok) throw await failure(res);
  onHealth("ok");
  return res;
}

export async function getJson<T>(path: string): Promise<T> {
  return (await (await get(path)).json()) as T;
}

export async function getText(path: string): Promise<string> {
  return (await get(path, "text/plain")).text();
}

/** The Kubernetes API as the logged-in user. */
export const k8s = (path: string): string => `/ui/api/k8s${path}`;

export interface SessionInfo {
  user: string;
  groups: string[];
  csrf: string;
}

export async function logout(csrf: string): Promise<void> {
  await fetch("/ui/logout", { method: "POST", credentials: "same-origin", headers: { "X-CSRF-Token": csrf } });
}

/**
 * Reads a streamed response line by line (a watch's JSON lines, a followed log) until `signal` aborts it or the
 * server ends it; resolves when it ends.
 */
export async function streamLines(path: string, signal: AbortSignal, onLine: (line: string) => void): Promise<void> {
  const res = await fetch(path, { credentials: "same-origin", signal });
  if (!res.ok) throw await failure(res);
  if (!res.body) return;
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let rest = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    rest += decoder.decode(value, { stream: true });
    let i;
    while ((i = rest.indexOf("\n")) >= 0) {
      onLine(rest.slice(0, i));
      rest = rest.slice(i + 1);
    }
  }
  if (rest) onLine(rest);
}

/** Minimal shapes of the Kubernetes objects the page reads. */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
}

export interface ContainerState {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: { reason?: string; exitCode: number; finishedAt?: string; message?: string };
}

export interface PodObject {
  metadata: ObjectMeta;
  spec: { nodeName?: string; containers: { name: string; image: string; resources?: { requests?: Record<string, string>; limits?: Record<string, string> } }[] };
  status?: {
    phase?: string;
    podIP?: string;
    qosClass?: string;
    conditions?: { type: string; status: string }[];
    containerStatuses?: { name: string; ready: boolean; restartCount: number; state?: ContainerState; lastState?: ContainerState }[];
  };
}

export interface EventObject {
  metadata: ObjectMeta;
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  lastTimestamp?: string;
  eventTime?: string;
  firstTimestamp?: string;
  involvedObject: { kind?: string; namespace?: string; name?: string };
}

export interface NodeObject {
  metadata: ObjectMeta;
  status?: {
    conditions?: { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string }[];
    capacity?: Record<string, string>;
    allocatable?: Record<string, string>;
    nodeInfo?: Record<string, string>;
    addresses?: { type: string; address: string }[];
  };
}
