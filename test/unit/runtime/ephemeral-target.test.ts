/**
 * An ephemeral container joins its target's PID namespace only while the target's recorded pid still names the
 * process the record started: a pid reused after the target exited (before its record says so) is refused with a
 * clear CreateContainerError, as is a target that is gone or not running.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { EphemeralContainer, Pod } from "../../../src/api/types.js";
import { ContainerStartError, type ContainerRecord } from "../../../src/runtime/pod-runtime.js";
import { ephemeralTargetPid } from "../../../src/runtime/ephemeral-target.js";

const pod = (spec: Partial<Pod["spec"]> = {}): Pod => ({ apiVersion: "v1", kind: "Pod", metadata: { name: "p", uid: "u1" }, spec: { containers: [{ name: "main" }], ...spec } });
const debug: EphemeralContainer = { name: "debugger", image: "busybox", targetContainerName: "main" };
const record = (over: Partial<ContainerRecord>): ContainerRecord =>
  ({ id: `c${over.attempt ?? 0}`, podUid: "u1", name: "main", attempt: 0, state: "running", pid: 4242, pidStartTime: 1000, ...over }) as ContainerRecord;

function refused(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof ContainerStartError && e.reason === "CreateContainerError" && message.test(e.message));
}

describe("ephemeral container target", () => {
  it("joins the newest running attempt's pid while it names the recorded process", () => {
    const records = [record({ attempt: 0, pid: 100, state: "exited" }), record({ attempt: 1, pid: 4242, pidStartTime: 1000 })];
    assert.equal(ephemeralTargetPid(pod(), debug, records, (pid) => (pid === 4242 ? 1000 : undefined)), 4242);
  });

  it("refuses a pid that another process took after the target exited", () => {
    refused(() => ephemeralTargetPid(pod(), debug, [record({})], () => 2000), /target container "main" is not running: its process \(pid 4242\) has exited and the pid now names another process/);
  });

  it("refuses a target whose process is gone (or a zombie) though the record still says running", () => {
    refused(() => ephemeralTargetPid(pod(), debug, [record({})], () => undefined), /target container "main" is not running: its process \(pid 4242\) has exited$/);
  });

  it("refuses a target that is not running; joins nothing without a target or with a shared PID namespace", () => {
    refused(() => ephemeralTargetPid(pod(), debug, [record({ state: "exited" })], () => 1000), /target container "main" is not running$/);
    assert.equal(ephemeralTargetPid(pod(), { name: "debugger", image: "busybox" }, [record({})], () => 1000), undefined);
    assert.equal(ephemeralTargetPid(pod({ shareProcessNamespace: true }), debug, [], () => undefined), undefined);
    assert.equal(ephemeralTargetPid(pod({ hostPID: true }), debug, [], () => undefined), undefined);
  });
});
