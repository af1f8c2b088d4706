/**
 * `kubectl attach` (and `run -it`) to a running container: its output from now on (the monitor writes it to the
 * CRI log; read live, so a prompt without a newline shows), its stdin through the monitor's FIFO, and terminal
 * resizes. As containerd's CRI attach (internal/cri/io/container_io.go Attach) and the kubelet's ServeAttach:
 * - the container's own `tty` decides: with it, output is one terminal stream and resizes reach the pty; without,
 *   stdout and stderr stay apart and resizes are ignored;
 * - stdin is connected only if the container has `stdin: true` (otherwise what the client sends is drained);
 * - when the client's stdin ends (or it goes away), `stdinOnce` without a terminal closes the container's stdin
 *   (it reads EOF and no later attach gets a writer); in every other case the session ends, the container runs on;
 * - the outcome is Success whatever the container's exit code (kubectl run reads that from the pod's status).
 */
import { statSync } from "node:fs";
import type { Readable, Writable } from "node:stream";
import type { ExecOptions, ExecSession } from "../api/pod-io.js";
import type { Container } from "../api/types.js";
import { readContainerLog } from "../runtime/cri-log.js";
import type { ContainerRecord, PodRuntime } from "../runtime/pod-runtime.js";

export function attachSession(runtime: PodRuntime, c: ContainerRecord, spec: Container, opts: Omit<ExecOptions, "command">): ExecSession {
  const tty = spec.tty === true;
  // Output from this moment: the log's size now, before any input of this session reached the container.
  const startOffset = logSize(c.logPath);
  const stop = new AbortController();
  const follow = (stream?: "stdout" | "stderr"): Readable =>
    readContainerLog(c.logPath, {
      follow: true,
      live: true,
      startOffset,
      signal: stop.signal,
      stream,
      isRunning: () => runtime.container(c.id)?.state === "running",
      exited: (ms) => runtime.waitForExit(c.id, ms),
    });
  const wantsOut = opts.stdout || (tty && opts.stderr);
  const stdout = wantsOut ? follow(tty ? undefined : "stdout") : null;
  const stderr = !tty && opts.stderr ? follow("stderr") : null;
  // Without an output stream the session still lasts as long as the container: follow the log and drop it.
  const outputs = [stdout, stderr].filter((s): s is Readable => s !== null);
  if (outputs.length === 0) outputs.push(follow().resume());
  const end = () => {
    stop.abort();
    outputs.forEach((o) => o.destroy());
  };
  const exit = Promise.all(outputs.map((o) => new Promise<void>((resolve) => o.on("close", resolve)))).then(() => 0);

  const attachment = runtime.attach(c.id);
  const closesStdin = spec.stdinOnce === true && !tty;
  let stdinDone = false;
  const stdinEnded = () => {
    if (stdinDone) return;
    stdinDone = true;
    if (closesStdin) attachment.closeStdin();
    else end();
  };
  let stdin: Writable | null = null;
  if (opts.stdin && spec.stdin) {
    stdin = attachment.openStdin();
    // A FIFO writer that has ended has nothing left to do: close it (the monitor's hold keeps the FIFO open).
    stdin?.on("finish", () => stdin?.destroy());
    stdin?.on("close", stdinEnded);
  }
  // The container is gone: this session's writer goes too.
  void exit.then(() => stdin?.destroy());
  return {
    stdin,
    stdout,
    stderr,
    resize: (width, height) => {
      if (tty) attachment.resize(width, height);
    },
    exit,
    kill: () => {
      stdin?.destroy();
      if (stdin && closesStdin && !stdinDone) stdinEnded();
      end();
    },
  };
}

function logSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0; // not written yet: everything in it is new
  }
}
