/**
 * What admission adds to a request besides its result: `Warning` response headers (RFC 7234 warn-code 299, agent
 * "-", the text quoted, as the apiserver sends them; kubectl prints each as `Warning: TEXT`), each text once, and
 * annotations for the request's audit event, kept per request until the audit log writes it.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

const annotations = new WeakMap<IncomingMessage, Record<string, string>>();

/** Sends `text` as a warning with the response (headers must not be sent yet). */
export function addWarning(res: ServerResponse, text: string): void {
  const header = `299 - ${JSON.stringify(text)}`;
  const existing = res.getHeader("Warning");
  const list = existing === undefined ? [] : Array.isArray(existing) ? existing : [String(existing)];
  if (list.includes(header) || res.headersSent) return;
  res.setHeader("Warning", [...list, header]);
}

export function addAuditAnnotation(req: IncomingMessage, key: string, value: string): void {
  annotations.set(req, { ...annotations.get(req), [key]: value });
}

/** The annotations admission added to `req`'s audit event. */
export function auditAnnotationsOf(req: IncomingMessage): Record<string, string> | undefined {
  return annotations.get(req);
}
