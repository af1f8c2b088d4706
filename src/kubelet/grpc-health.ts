/**
 * The gRPC health checking protocol (grpc.health.v1.Health/Check) over HTTP/2 without TLS, as the kubelet's grpc
 * probe speaks it (pkg/probe/grpc/grpc.go), on a stream from the PodDialer. The request and response are one
 * length-prefixed protobuf message each: HealthCheckRequest{service = 1} and HealthCheckResponse{status = 1}.
 * Results carry the kubelet's messages: `service unhealthy (responded with "NOT_SERVING")`, ... The timeout runs
 * on the injected Clock, so its tests run on fake time.
 */
import { connect, constants, type IncomingHttpHeaders } from "node:http2";
import type { Duplex } from "node:stream";
import type { Clock } from "./clock.js";
import type { Dialer, PodEndpoint } from "./pod-dialer.js";

export type GrpcHealth = { ok: true } | { ok: false; message: string };

const STATUS_NAMES = ["UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"];
const GRPC_UNIMPLEMENTED = 12;

/** HealthCheckRequest{service}: field 1, wire type 2 (length-delimited), framed with gRPC's 5-byte prefix. */
export function encodeHealthRequest(service: string): Buffer {
  const name = Buffer.from(service);
  const msg = name.length ? Buffer.concat([Buffer.from([0x0a]), varint(name.length), name]) : Buffer.alloc(0);
  const head = Buffer.alloc(5);
  head.writeUInt32BE(msg.length, 1);
  return Buffer.concat([head, msg]);
}

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}

/** The status enum of a framed HealthCheckResponse (0 = UNKNOWN when absent, as proto3 defaults it). */
export function decodeHealthStatus(frame: Buffer): number {
  const msg = frame.subarray(5, 5 + frame.readUInt32BE(1));
  for (let i = 0; i < msg.length; ) {
    const tag = msg[i++];
    let value = 0;
    for (let shift = 0; i < msg.length; shift += 7) {
      const b = msg[i++];
      value |= (b & 0x7f) << shift;
      if (!(b & 0x80)) break;
    }
    if (tag === 0x08) return value;
    if ((tag & 7) === 2) i += value;
  }
  return 0;
}

export async function grpcHealthCheck(dialer: Dialer, endpoint: PodEndpoint, port: number, service: string, timeoutMs: number, clock: Clock): Promise<GrpcHealth> {
  const deadline = clock.now() + timeoutMs;
  const addr = `${endpoint.host}:${port}`;
  const secs = `${Math.round(timeoutMs / 1000)}s`;
  let stream: Duplex;
  try {
    stream = await dialer.dial(endpoint, port, timeoutMs);
  } catch (err) {
    return { ok: false, message: `timeout: failed to connect service "${addr}" within ${secs}: ${(err as Error).message}` };
  }
  return new Promise((resolve) => {
    const session = connect(`http://${addr}`, { createConnection: () => stream });
    const finish = (h: GrpcHealth) => {
      timer.cancel();
      session.destroy();
      stream.destroy();
      resolve(h);
    };
    // The connect took part of the budget: the rpc gets what is left (the kubelet's one context deadline).
    const timer = clock.setTimeout(() => finish({ ok: false, message: `timeout: health rpc did not complete within ${secs}` }), Math.max(1, deadline - clock.now()));
    session.on("error", (err: Error) => finish({ ok: false, message: `error: health rpc probe failed: ${err.message}` }));
    const req = session.request({
      [constants.HTTP2_HEADER_METHOD]: "POST",
      [constants.HTTP2_HEADER_PATH]: "/grpc.health.v1.Health/Check",
      "content-type": "application/grpc",
      te: "trailers",
      "user-agent": "kube-probe/1.32",
    });
    const chunks: Buffer[] = [];
    let grpcStatus: number | undefined;
    req.on("response", (h) => {
      if (h["grpc-status"] !== undefined) grpcStatus = Number(h["grpc-status"]);
    });
    req.on("trailers", (t: IncomingHttpHeaders) => (grpcStatus = Number(t["grpc-status"] ?? 0)));
    req.on("data", (d: Buffer) => chunks.push(d));
    req.on("error", (err: Error) => finish({ ok: false, message: `error: health rpc probe failed: ${err.message}` }));
    req.on("end", () => finish(interpret(grpcStatus, Buffer.concat(chunks))));
    req.end(encodeHealthRequest(service));
  });
}

function interpret(grpcStatus: number | undefined, body: Buffer): GrpcHealth {
  if (grpcStatus === GRPC_UNIMPLEMENTED) {
    return { ok: false, message: "this server does not implement the grpc health protocol (grpc.health.v1.Health): Unimplemented" };
  }
  if (grpcStatus !== 0 || body.length < 5) return { ok: false, message: `error: health rpc probe failed: grpc status ${grpcStatus ?? "missing"}` };
  const status = decodeHealthStatus(body);
  if (status === 1) return { ok: true };
  return { ok: false, message: `service unhealthy (responded with "${STATUS_NAMES[status] ?? String(status)}")` };
}
