/** A plain HTTP GET for tests that talk to pods, services and host ports. */
import { request } from "node:http";

/** The body of GET http://host:port/path (any status), failing after `timeoutMs` of silence; no connection kept. */
export async function httpGet(host: string, port: number, path = "/", timeoutMs = 3000): Promise<string> {
  return (await httpGetStatus(host, port, path, timeoutMs)).body;
}

/** GET http://host:port/path: the status and body (any status), failing after `timeoutMs` of silence; no connection kept. */
export function httpGetStatus(host: string, port: number, path = "/", timeoutMs = 3000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, timeout: timeoutMs, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (d: Buffer) => chunks.push(d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end();
  });
}
