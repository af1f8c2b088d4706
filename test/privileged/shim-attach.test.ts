/**
 * nodelet-shim monitor with --stdin-fifo, --tty and --control-fifo (shim/monitor_attach.h), as root: a shell on a
 * terminal of the container's own devpts whose prompt reaches the log at once, typed input through the FIFO, a
 * resize the shell sees with `stty size`; without a terminal, stdin that outlives each writer until "close-stdin"
 * gives the container EOF and removes the FIFO.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { describe, test } from "node:test";
import { needsRoot } from "../helpers/root.js";
import { logText, parseCriLog, pidAlive, Scratch, startContainer, waitExitFile, waitFor } from "../helpers/shim-harness.js";

const skip = needsRoot();

/** The container's log as text (P lines joined as they come), read now. */
function logNow(path: string): string {
  if (!existsSync(path)) return "";
  return parseCriLog(readFileSync(path, "utf8")).map((l) => l.content + (l.tag === "F" ? "\n" : "")).join("");
}

describe("shim monitor: stdin, terminal, control", { skip }, () => {
  test("--tty: a shell on the container's own pty; prompt at once, typed input, resize, exit code", () =>
    Scratch.with(async (s) => {
      const [stdin, control] = [s.path("c", "stdin"), s.path("c", "control")];
      const c = await startContainer(s, { cmd: ["sh"], flags: ["--tty", "--stdin-fifo", stdin, "--control-fifo", control] });
      assert.equal(statSync(stdin).mode & 0o777, 0o600);
      assert.ok(statSync(control).isFIFO());
      // An interactive shell's prompt has no newline: it is in the log as a P line before anything is typed
      // (busybox's line editor then asks the terminal where its cursor is: ESC [ 6 n).
      await waitFor("the prompt in the log", () => {
        const text = logNow(c.paths.log);
        return text.endsWith("/ # ") || text.endsWith("/ # \u001b[6n");
      });
      writeFileSync(control, "resize 123 45\n");
      writeFileSync(stdin, "stty size; tty; echo $((6*7))\n");
      await waitFor("the answers", () => /45 123\r\n\/dev\/pts\/0\r\n42\r\n/.test(logNow(c.paths.log)), 10_000);
      writeFileSync(stdin, "exit 3\n");
      const exit = await waitExitFile(c.paths.exit);
      assert.equal(exit.exitCode, 3);
      const log = parseCriLog(readFileSync(c.paths.log, "utf8"));
      assert.ok(log.every((l) => l.stream === "stdout"), "a terminal has one output stream");
      assert.ok(log.some((l) => l.tag === "P"));
    }));

  test("without a terminal: stdin outlives each writer; close-stdin gives EOF and removes the FIFO", () =>
    Scratch.with(async (s) => {
      const [stdin, control] = [s.path("c", "stdin"), s.path("c", "control")];
      const c = await startContainer(s, {
        cmd: ["sh", "-c", "read a; echo got:$a; cat; echo eof-seen"],
        flags: ["--stdin-fifo", stdin, "--control-fifo", control],
      });
      writeFileSync(stdin, "one\n"); // opens, writes, closes: the monitor's hold keeps EOF away
      await waitFor("got:one", () => logNow(c.paths.log).includes("got:one\n"));
      writeFileSync(stdin, "two\n");
      await waitFor("cat still reading", () => logNow(c.paths.log).includes("two\n"));
      assert.ok(pidAlive(c.pid));
      writeFileSync(control, "close-stdin\n");
      const exit = await waitExitFile(c.paths.exit);
      assert.equal(exit.exitCode, 0);
      assert.deepEqual(logText(parseCriLog(readFileSync(c.paths.log, "utf8")), "stdout"), ["got:one", "two", "eof-seen"]);
      assert.equal(existsSync(stdin), false, "no later attach can write to a closed stdin");
    }));
});
