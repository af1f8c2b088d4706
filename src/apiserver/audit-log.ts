/**
 * The audit log of `--audit-log-path`: one audit.k8s.io/v1 Event a line (auth/audit.ts decides the level and builds
 * the event), appended through one write stream, file mode 0600. A request's body is taken from what the handler
 * read (http.ts keeps it per request); a response body is captured only at RequestResponse, only while it stays
 * under 1 MiB of JSON (a watch or a log stream is recorded without it).
 */
import { randomUUID } from "node:crypto";
import { createWriteStream, type WriteStream } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { requestAttributes } from "../auth/attributes.js";
import { auditEvent, auditLevel, type AuditLevel, type AuditPolicy } from "../auth/audit.js";
import type { Authorizer } from "../auth/rbac/authorizer.js";
import type { UserInfo } from "../auth/user.js";
import { bodyOf } from "./http.js";
import { auditAnnotationsOf } from "./request-notes.js";

const MAX_RESPONSE = 1024 * 1024;

export class AuditLog {
  private readonly out: WriteStream;

  constructor(
    path: string,
    private readonly policy: AuditPolicy,
    private readonly authorizer: Authorizer,
  ) {
    this.out = createWriteStream(path, { flags: "a", mode: 0o600 });
  }

  /** Records `req` once its response completes (or, for an upgrade, at once). Unauthenticated requests are recorded as system:anonymous. */
  observe(req: IncomingMessage, res: ServerResponse | undefined, user: UserInfo | undefined): void {
    const who = user ?? { name: "system:anonymous", groups: ["system:unauthenticated"] };
    const attrs = requestAttributes(who, req.method ?? "GET", req.url ?? "/");
    const { level, omitStages } = auditLevel(this.policy, attrs);
    if (level === "None") return;
    const received = new Date();
    const base = {
      attrs,
      auditID: randomUUID(),
      requestURI: req.url ?? "/",
      sourceIPs: [req.socket.remoteAddress ?? "local"].filter(Boolean),
      userAgent: req.headers["user-agent"],
      received,
      decision: user ? this.authorizer.authorize(attrs) : { allowed: false, reason: "" },
    };
    if (!res) {
      if (!omitStages.includes("ResponseStarted")) this.write(level, { ...base, stage: "ResponseStarted", completed: new Date() });
      return;
    }
    const captured = level === "RequestResponse" ? captureResponse(res) : undefined;
    res.once("close", () => {
      if (omitStages.includes("ResponseComplete")) return;
      this.write(level, {
        ...base,
        stage: "ResponseComplete",
        code: res.statusCode,
        completed: new Date(),
        requestObject: parsed(bodyOf(req)),
        responseObject: captured?.(),
        annotations: auditAnnotationsOf(req),
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.out.end(resolve));
  }

  private write(level: AuditLevel, input: Parameters<typeof auditEvent>[1]): void {
    this.out.write(`${JSON.stringify(auditEvent(level, input))}\n`);
  }
}

function parsed(body: Buffer | undefined): unknown {
  if (!body?.length) return undefined;
  try {
    return JSON.parse(body.toString("utf8")) as unknown;
  } catch {
    return undefined;
  }
}

/** Tees what the handler writes, up to MAX_RESPONSE; returns the parsed body if it fit and was JSON. */
function captureResponse(res: ServerResponse): () => unknown {
  const chunks: Buffer[] = [];
  let size = 0;
  let overflow = false;
  const keep = (chunk: unknown) => {
    if (overflow || chunk === undefined || chunk === null || typeof chunk === "function") return;
    const b = Buffer.isBuffer(chunk) ? chunk : typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array); // what res.write takes
    size += b.length;
    if (size > MAX_RESPONSE) overflow = true;
    else chunks.push(b);
  };
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  res.write = ((chunk: unknown, ...rest: unknown[]) => (keep(chunk), write(chunk, ...rest))) as typeof res.write;
  res.end = ((chunk?: unknown, ...rest: unknown[]) => (keep(chunk), end(chunk, ...rest))) as typeof res.end;
  return () => (overflow ? undefined : parsed(Buffer.concat(chunks)));
}
