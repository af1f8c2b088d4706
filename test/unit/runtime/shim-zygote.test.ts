/**
 * The monitor zygote's frames as the daemon writes and reads them (shim/zygote.c is the other side; the privileged
 * shim-zygote test runs them against it), and the requests refused before they reach it.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { decodeZygoteReplies, encodeZygoteRequest, MonitorZygote } from "../../../src/runtime/shim-zygote.js";
import { ShimError } from "../../../src/runtime/shim-client.js";
import { ScriptedRunner } from "../../../src/sys/scripted-runner.js";

describe("monitor zygote frames", () => {
  test("a request: len | tag | idlen | id | speclen | spec, little-endian, len counting what follows it", () => {
    const spec = Buffer.from("--rootfs\0/r\0--\0true\0");
    const f = encodeZygoteRequest(7, "abc", spec);
    assert.equal(f.readUInt32LE(0), f.length - 4);
    assert.equal(f.readUInt32LE(4), 7);
    assert.equal(f.readUInt32LE(8), 3);
    assert.equal(f.subarray(12, 15).toString(), "abc");
    assert.equal(f.readUInt32LE(15), spec.length);
    assert.deepEqual(f.subarray(19), spec);
  });

  test("ids and specs the zygote would refuse are refused here, naming why", () => {
    const spec = Buffer.from("x\0");
    for (const id of ["", "../x", "a b", "a".repeat(129), "a\0b"]) {
      assert.throws(() => encodeZygoteRequest(1, id, spec), (e: Error) => e instanceof ShimError && /container id/.test(e.message), id);
    }
    assert.throws(() => encodeZygoteRequest(1, "c", Buffer.alloc(0)), /the container spec is 0 bytes/);
    assert.throws(() => encodeZygoteRequest(1, "c", Buffer.alloc((16 << 20) + 1)), /1 byte to 16 MiB/);
  });

  test("replies are split as they come, a frame cut in two waits for its end", () => {
    const frame = (tag: number, line: string) => {
      const b = Buffer.alloc(8 + Buffer.byteLength(line));
      b.writeUInt32LE(4 + Buffer.byteLength(line), 0);
      b.writeUInt32LE(tag, 4);
      b.write(line, 8);
      return b;
    };
    const all = Buffer.concat([frame(0, "ready"), frame(3, "ok 10 11 monitor=5"), frame(4, "error exec: x")]);
    const got: [number, string][] = [];
    const rest = decodeZygoteReplies(all.subarray(0, all.length - 3), (t, l) => got.push([t, l]));
    assert.deepEqual(got, [[0, "ready"], [3, "ok 10 11 monitor=5"]]);
    decodeZygoteReplies(Buffer.concat([rest, all.subarray(all.length - 3)]), (t, l) => got.push([t, l]));
    assert.deepEqual(got.at(-1), [4, "error exec: x"]);
  });

  test("only the monitor command, and only while the zygote runs, is taken from the Runner", () => {
    const z = new MonitorZygote({
      shimPath: "/nonexistent/nodelet-shim",
      runner: new ScriptedRunner(),
      cgroups: { create: async () => undefined, dirs: () => [] },
    });
    assert.equal(z.available, false);
    const spec = Buffer.from("--\0true\0");
    assert.equal(z.tryRun(["/nonexistent/nodelet-shim", "monitor", "--id", "c", "--spec-fd", "0"], spec), undefined, "not running: exec'd");
    assert.equal(z.tryRun(["/nonexistent/nodelet-shim", "sandbox"], undefined), undefined);
    assert.equal(z.tryRun(["/bin/true", "monitor", "--id", "c", "--spec-fd", "0"], spec), undefined);
  });
});
