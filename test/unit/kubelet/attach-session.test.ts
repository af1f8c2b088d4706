/**
 * attachSession over a FakeRuntime and a real CRI log file: which streams an attach gets from the container's own
 * stdin/tty, live output (a prompt's P line at once), and what the end of the client's stdin does — stdinOnce
 * without a terminal closes the container's stdin and the session lasts until the container exits; otherwise the
 * session ends and the container reads on.
 */
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { after, test } from "node:test";
import type { Container, Pod } from "../../../src/api/types.js";
import { FakeClock } from "../../../src/kubelet/clock.js";
import { attachSession } from "../../../src/kubelet/attach-session.js";
import { FakeRuntime } from "../../helpers/fake-runtime.js";
import { waitFor } from "../../helpers/wait.js";

const dir = mkdtempSync(join(tmpdir(), "attach-session-"));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

async function running(spec: Container) {
  const rt = new FakeRuntime(new FakeClock(0));
  const pod = { metadata: { name: "p", namespace: "default", uid: `u${n}` }, spec: { containers: [spec] } } as Pod;
  const rec = await rt.startContainer(pod, spec, { attempt: 0, init: false, specHash: "h" } as Parameters<FakeRuntime["startContainer"]>[2]);
  const log = join(dir, `${n++}.log`);
  writeFileSync(log, "2026-01-01T00:00:00.000000000Z stdout F before the session\n");
  rt.setLogPath(rec.id, log);
  return { rt, rec, log, say: (stream: string, tag: string, text: string) => appendFileSync(log, `2026-01-01T00:00:01.000000000Z ${stream} ${tag} ${text}\n`) };
}

function collect(r: Readable | null): () => string {
  let text = "";
  r?.on("data", (b: Buffer) => (text += b.toString()));
  return () => text;
}

test("stdinOnce without a terminal: stdout and stderr apart; the end of stdin closes the container's", async () => {
  const { rt, rec, say } = await running({ name: "c", stdin: true, stdinOnce: true });
  const s = attachSession(rt, rec, { name: "c", stdin: true, stdinOnce: true }, { container: "c", stdin: true, stdout: true, stderr: true, tty: false });
  const [out, err] = [collect(s.stdout), collect(s.stderr)];
  say("stdout", "F", "hello");
  say("stderr", "F", "oops");
  await waitFor("output", () => out() === "hello\n" && err() === "oops\n", 5000);
  s.resize(100, 30);
  s.stdin!.end("typed\n");
  await waitFor("stdin closed", () => rt.calls.includes("close-stdin c"), 5000);
  assert.equal(rt.stdinWritten.get(rec.id), "typed\n");
  assert.ok(!rt.calls.some((c) => c.startsWith("resize")), "no terminal, no resize");
  say("stdout", "F", "after EOF");
  await waitFor("output after the close", () => out().endsWith("after EOF\n"), 5000);
  rt.exit(rec.id, 3);
  assert.equal(await s.exit, 0, "attach reports Success whatever the exit code, as the kubelet does");
  assert.equal(rt.attach(rec.id).openStdin(), null, "a later session gets no stdin");
});

test("a terminal: one live stream (a prompt at once), resizes; the end of stdin ends the session only", async () => {
  const { rt, rec, say } = await running({ name: "c", stdin: true, stdinOnce: true, tty: true });
  const s = attachSession(rt, rec, { name: "c", stdin: true, stdinOnce: true, tty: true }, { container: "c", stdin: true, stdout: true, stderr: false, tty: true });
  assert.equal(s.stderr, null);
  const out = collect(s.stdout);
  say("stdout", "P", "/ # ");
  await waitFor("the prompt", () => out() === "/ # ", 5000);
  s.resize(120, 40);
  assert.ok(rt.calls.includes("resize c 120x40"));
  s.stdin!.end("exit\r");
  assert.equal(await s.exit, 0);
  assert.ok(!rt.calls.includes("close-stdin c"), "stdinOnce with a terminal leaves stdin open (containerd)");
  assert.equal(rt.container(rec.id)?.state, "running");
});

test("a container without stdin: the session gets none; without output streams it lasts until the exit", async () => {
  const { rt, rec } = await running({ name: "c" });
  const s = attachSession(rt, rec, { name: "c" }, { container: "c", stdin: true, stdout: false, stderr: false, tty: false });
  assert.equal(s.stdin, null);
  let ended = false;
  void s.exit.then(() => (ended = true));
  rt.exit(rec.id, 0);
  await waitFor("the session to end with the container", () => ended, 5000);
});
