/** Reading streamed responses: newline-delimited watch events, and the Status of a refused stream. */
import type { Readable } from "node:stream";
import type { Status, WatchEvent } from "../api/types.js";
import { ConnectionError } from "./connection-error.js";
import { errorFromResponse, errorFromStatus } from "./errors.js";

/** A response being read: node's IncomingMessage, or unix-http's. */
type Response = Readable & { statusCode?: number };

/** Collects a failed response's body and reports its ApiError. */
export function collectError(res: Response, fail: (err: unknown) => void): void {
  const chunks: Buffer[] = [];
  res.on("data", (c: Buffer) => chunks.push(c));
  res.on("end", () => fail(errorFromResponse(res.statusCode ?? 0, Buffer.concat(chunks))));
}

/** Reads newline-delimited watch events; ERROR events fail the watch. */
export function readEvents(res: Response, onEvent: (ev: WatchEvent) => void, fail: (err: unknown) => void, end: () => void): void {
  let buf = "";
  let failed = false;
  const line = (text: string) => {
    if (!text.trim() || failed) return;
    const ev = JSON.parse(text) as WatchEvent;
    if (ev.type === "ERROR") {
      failed = true;
      return fail(errorFromStatus(ev.object as unknown as Status, 500));
    }
    onEvent(ev);
  };
  res.setEncoding("utf8");
  res.on("data", (chunk: string) => {
    buf += chunk;
    for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
      const text = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        line(text);
      } catch (err) {
        failed = true;
        fail(err);
      }
    }
  });
  res.on("end", () => {
    try {
      line(buf);
    } catch (err) {
      return fail(err);
    }
    if (!failed) end();
  });
  res.on("error", fail);
  res.on("aborted", () => fail(new ConnectionError("the watch connection was closed", "ECONNRESET")));
}
