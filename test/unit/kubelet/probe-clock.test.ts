/**
 * The HTTP GET and gRPC health timeouts run on the injected clock: over a stream that never answers, nothing
 * happens until fake time reaches the deadline, and then the probe fails with the kubelet's message. The time a
 * dial took counts against the same deadline (one budget per probe, as the kubelet's context). The budgets are a
 * minute, so a real timer could not end these tests within waitFor's bound.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Duplex } from "node:stream";
import { grpcHealthCheck } from "../../../src/kubelet/grpc-health.js";
import { httpGet } from "../../../src/kubelet/http-get.js";
import type { Dialer } from "../../../src/kubelet/pod-dialer.js";
import { FakeClock } from "../../../src/sys/clock.js";
import { waitFor } from "../../helpers/wait.js";

/** A peer that takes every byte and never answers. */
class SilentPeer extends Duplex {
  written = 0;
  override _read(): void {}
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.written += chunk.length;
    cb();
  }
}

/** A dialer whose dial completes when the test says so (after moving the clock: a slow connect). */
function fakeDialer() {
  const peers: SilentPeer[] = [];
  let release: (() => void) | undefined;
  const dialer: Dialer = {
    dial: () =>
      new Promise((resolve) => {
        const peer = new SilentPeer();
        peers.push(peer);
        release = () => resolve(peer);
      }),
  };
  return { dialer, peers, connect: () => release?.() };
}

/** Tracks whether a promise settled, and how. */
function track<T>(p: Promise<T>) {
  const s: { done: boolean; value?: T; error?: Error } = { done: false };
  p.then((v) => Object.assign(s, { done: true, value: v }), (e: Error) => Object.assign(s, { done: true, error: e }));
  return s;
}

const settle = () => new Promise((r) => setImmediate(r));

test("httpGet: no answer fails at the deadline on the fake clock, the dial's time included", async () => {
  const clock = new FakeClock();
  const { dialer, peers, connect } = fakeDialer();
  const r = track(httpGet(dialer, { host: "10.1.2.3" }, { scheme: "HTTP", port: 8080, path: "/healthz", headers: [] }, 60_000, clock));
  await waitFor("the dial", () => peers.length === 1);
  clock.advance(40_000); // the connect took 40 s
  connect();
  await waitFor("the request on the stream", () => peers[0].written > 0);
  clock.advance(19_999);
  await settle();
  assert.equal(r.done, false, "still waiting 1 ms before the deadline");
  clock.advance(1);
  await waitFor("the timeout", () => r.done);
  assert.equal(r.error?.message, 'Get "http://10.1.2.3:8080/healthz": context deadline exceeded (Client.Timeout exceeded while awaiting headers)');
  assert.equal(peers[0].destroyed, true, "the stream is closed");
});

test("grpcHealthCheck: no answer fails at the deadline on the fake clock, the dial's time included", async () => {
  const clock = new FakeClock();
  const { dialer, peers, connect } = fakeDialer();
  const r = track(grpcHealthCheck(dialer, { host: "10.1.2.3" }, 9090, "", 60_000, clock));
  await waitFor("the dial", () => peers.length === 1);
  clock.advance(40_000);
  connect();
  await waitFor("the HTTP/2 preface on the stream", () => peers[0].written > 0);
  clock.advance(19_999);
  await settle();
  assert.equal(r.done, false, "still waiting 1 ms before the deadline");
  clock.advance(1);
  await waitFor("the timeout", () => r.done);
  assert.deepEqual(r.value, { ok: false, message: "timeout: health rpc did not complete within 60s" });
  assert.equal(peers[0].destroyed, true, "the stream is closed");
});
