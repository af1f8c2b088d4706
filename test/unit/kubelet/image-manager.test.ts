/**
 * The kubelet's image policies over a fake image service and a fake clock: defaults by tag, Never, IfNotPresent,
 * Always (but not for images built on the node), the pull back-off (10 s doubling to 300 s, counted from the last
 * failure), invalid names, and the exact event reasons and messages.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Container, Pod } from "../../../src/api/types.js";
import { defaultPullPolicy } from "../../../src/api/pod-defaults.js";
import { Backoff } from "../../../src/kubelet/backoff.js";
import type { EventRecorder } from "../../../src/kubelet/events.js";
import type { ImageService, PresentImage } from "../../../src/images/node-images.js";
import { ImageManager, seconds } from "../../../src/kubelet/image-manager.js";
import { InvalidImageNameError } from "../../../src/images/reference.js";

class FakeClock {
  t = 1_000_000;
  now(): number {
    return this.t;
  }
}

function setup(opts: { present?: Record<string, PresentImage>; pullMs?: number; failPull?: string } = {}) {
  const clock = new FakeClock();
  const events: string[] = [];
  const present = { ...(opts.present ?? {}) };
  let pulls = 0;
  const images: ImageService = {
    present: async (ref) => {
      if (ref.includes(" ")) throw new InvalidImageNameError(ref, "repository name must be lowercase");
      return present[ref];
    },
    pull: async (ref, secrets) => {
      pulls++;
      clock.t += opts.pullMs ?? 0;
      if (opts.failPull) throw new Error(opts.failPull);
      assert.deepEqual(secrets, ["{}"]);
      return (present[ref] = { id: "abc", size: 4242, local: false });
    },
  };
  const recorder = { record: (_p: Pod, type: string, reason: string, message: string) => void events.push(`${type} ${reason} ${message}`) } as unknown as EventRecorder;
  const m = new ImageManager({ images, events: recorder, clock: clock as never, backoff: new Backoff(clock as never), pullSecrets: () => ["{}"] });
  const pod = { metadata: { uid: "u1", name: "p", namespace: "default" }, spec: { containers: [] } } as unknown as Pod;
  const c = (image: string, imagePullPolicy?: Container["imagePullPolicy"]): Container => ({ name: "c", image, imagePullPolicy: imagePullPolicy ?? defaultPullPolicy(image) });
  return { clock, events, m, pod, c, pulls: () => pulls };
}

describe("image pull policies", () => {
  test("defaults: Always for :latest or no tag, IfNotPresent for a tag or a digest", () => {
    assert.equal(defaultPullPolicy("busybox"), "Always");
    assert.equal(defaultPullPolicy("busybox:latest"), "Always");
    assert.equal(defaultPullPolicy("busybox:1.28"), "IfNotPresent");
    assert.equal(defaultPullPolicy(`busybox@sha256:${"a".repeat(64)}`), "IfNotPresent");
    assert.equal(defaultPullPolicy("127.0.0.1:5000/app"), "Always");
  });

  test("IfNotPresent: present is used (Pulled, already present); missing is pulled with Pulling and Pulled with time and size", async () => {
    const s = setup({ present: { "here:1": { id: "h", size: 1, local: false } }, pullMs: 1234 });
    assert.deepEqual(await s.m.ensure(s.pod, s.c("here:1"), "spec.containers{c}"), { ok: true, image: { id: "h", size: 1, local: false } });
    const r = await s.m.ensure(s.pod, s.c("new:1"), "spec.containers{c}");
    assert.equal(r.ok, true);
    assert.deepEqual(s.events, [
      'Normal Pulled Container image "here:1" already present on machine',
      'Normal Pulling Pulling image "new:1"',
      'Normal Pulled Successfully pulled image "new:1" in 1.234s (1.234s including waiting). Image size: 4242 bytes.',
    ]);
  });

  test("Always pulls even when present, but not an image built on this node", async () => {
    const s = setup({ present: { "app:latest": { id: "a", size: 1, local: false }, busybox: { id: "b", size: 1, local: true } } });
    await s.m.ensure(s.pod, s.c("app:latest"), "f");
    await s.m.ensure(s.pod, s.c("busybox"), "f");
    assert.equal(s.pulls(), 1);
    assert.equal(s.events.at(-1), 'Normal Pulled Container image "busybox" already present on machine');
  });

  test("Never: ErrImageNeverPull when missing", async () => {
    const s = setup();
    assert.deepEqual(await s.m.ensure(s.pod, s.c("gone:1", "Never"), "f"), { ok: false, reason: "ErrImageNeverPull", message: 'Container image "gone:1" is not present with pull policy of Never' });
    assert.deepEqual(s.events, ['Warning ErrImageNeverPull Container image "gone:1" is not present with pull policy of Never']);
    assert.equal(s.pulls(), 0);
  });

  test("a failed pull is ErrImagePull, then ImagePullBackOff for 10 s, 20 s, 40 s ... 300 s from each failure", async () => {
    const s = setup({ failPull: "manifest unknown" });
    const first = await s.m.ensure(s.pod, s.c("nope:1"), "f");
    assert.deepEqual(first, { ok: false, reason: "ErrImagePull", message: "manifest unknown", retryAt: s.clock.t + 10_000 });
    assert.deepEqual(s.events.splice(0), ['Normal Pulling Pulling image "nope:1"', 'Warning Failed Failed to pull image "nope:1": manifest unknown']);
    s.clock.t += 9_999;
    assert.deepEqual(await s.m.ensure(s.pod, s.c("nope:1"), "f"), { ok: false, reason: "ImagePullBackOff", message: 'Back-off pulling image "nope:1"', retryAt: s.clock.t + 1 });
    assert.deepEqual(s.events.splice(0), ['Normal BackOff Back-off pulling image "nope:1"']);
    const waits: number[] = [];
    for (let i = 0; i < 7; i++) {
      s.clock.t += 400_000; // past any back-off, but within twice the maximum of the last failure: it keeps doubling
      const r = await s.m.ensure(s.pod, s.c("nope:1"), "f");
      assert.equal(r.ok ? "" : r.reason, "ErrImagePull");
      waits.push((r.ok ? 0 : r.retryAt!) - s.clock.t);
    }
    assert.deepEqual(waits, [20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
    assert.equal(s.pulls(), 8);
  });

  test("an invalid name is InvalidImageName with the kubelet's InspectFailed event", async () => {
    const s = setup();
    const r = await s.m.ensure(s.pod, s.c("bad name", "IfNotPresent"), "f");
    assert.deepEqual(r, { ok: false, reason: "InvalidImageName", message: 'Failed to apply default image tag "bad name": couldn\'t parse image name "bad name": invalid reference format: repository name must be lowercase' });
    assert.equal(s.events[0], `Warning InspectFailed ${r.ok ? "" : r.message}`);
  });

  test("durations print as Go's, truncated to the millisecond", () => {
    assert.equal(seconds(1234.9), "1.234s");
    assert.equal(seconds(850), "850ms");
    assert.equal(seconds(123_456), "2m3.456s");
    assert.equal(seconds(0), "0s");
  });
});
