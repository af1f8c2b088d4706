/**
 * `nodelet explain pod NAME`: the host steps that built a pod, as a shell script a person can read and replay.
 * The Runner records each step under the pod's uid; FileRecorder appends them to the pod's explain.jsonl;
 * renderScript turns them into shell with exact quoting. The shim's own in-container steps are listed as comments
 * next to the shim command line (what `nodelet-shim monitor` does, in the order it does it).
 */
import { appendFileSync, readFileSync } from "node:fs";
import { nextTurnPass } from "../sys/next-turn.js";
import type { Recorder, Step } from "../sys/runner.js";

export class FileRecorder implements Recorder {
  /** Steps not yet on disk, per file; written in one append per file after the current tick (order kept). */
  private readonly queued = new Map<string, string[]>();
  private readonly flushSoon = nextTurnPass(() => this.flush());

  constructor(
    /** Where an owner's steps go; undefined = not persisted. */
    private readonly fileFor: (owner: string) => string | undefined,
    /** Told of steps that could not be written (a full disk): they are dropped, the pod's work goes on. */
    private readonly onError?: (file: string, err: unknown) => void,
  ) {}

  record(owner: string, step: Step): void {
    const file = this.fileFor(owner);
    if (!file) return;
    const lines = this.queued.get(file);
    if (lines) lines.push(`${JSON.stringify(step)}\n`);
    else this.queued.set(file, [`${JSON.stringify(step)}\n`]);
    this.flushSoon();
  }

  /** Writes everything queued (also called before a pod's steps are read back). */
  flush(): void {
    for (const [file, lines] of this.queued) {
      try {
        appendFileSync(file, lines.join(""));
      } catch (err) {
        // The pod directory is gone (the pod was removed): its steps go with it. Any other failure (ENOSPC) loses
        // these steps only; it must not end the daemon (this runs from setImmediate, where a throw is fatal).
        if ((err as NodeJS.ErrnoException).code !== "ENOENT") this.onError?.(file, err);
      }
    }
    this.queued.clear();
  }
}

export function readSteps(file: string): Step[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return [];
  }
  return text
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Step);
}

/** Quotes one word for a POSIX shell: bare when safe, else single-quoted. */
export function shellQuote(word: string): string {
  if (word !== "" && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

function commandLine(argv: string[]): string {
  const line = argv.map(shellQuote).join(" ");
  if (line.length <= 110) return line;
  // Long shim command lines: one flag per line, as a person would write them.
  const parts: string[] = [];
  let cur = shellQuote(argv[0]);
  for (const w of argv.slice(1)) {
    if (w.startsWith("--") && cur.length > 0) {
      parts.push(cur);
      cur = w === "--" ? "--" : shellQuote(w);
    } else cur += ` ${shellQuote(w)}`;
  }
  parts.push(cur);
  return parts.join(" \\\n    ");
}

const SHIM_MONITOR_NOTES = [
  "# nodelet-shim monitor: forks the container's init, which",
  "#   joins the pod's cgroup and the sandbox's net/uts/ipc namespaces (--ns), unshares mount + pid namespaces,",
  "#   makes / rprivate, mounts overlay lower=image upper/work=container (--lower/--upper/--work) on --rootfs,",
  "#   mounts proc, a tmpfs /dev with bind-mounted null/zero/full/random/urandom/tty, devpts, shm, sysfs (ro),",
  "#   bind-mounts volumes and the pod's /etc files (--bind), masks (--masked) and read-only paths (--readonly),",
  "#   pivot_root(rootfs), umount the old root, drops capabilities to --cap, setgid/setuid, no_new_privs,",
  "#   execs the command; the monitor stays outside, writes the CRI log (--log) and the exit record (--exit-file).",
];

/** Renders recorded steps as a shell script. */
export function renderScript(steps: Step[], title: string): string {
  const out = ["#!/bin/sh", `# ${title}`, "# Every host step nodelet took, in order. Replay by hand as root.", "set -e", ""];
  for (const s of steps) {
    const failed = s.error ? `  # failed: ${s.error.split("\n")[0]}` : "";
    switch (s.kind) {
      case "comment":
        out.push("", `# ${s.input ?? ""}`);
        break;
      case "exec":
        if (s.argv[1] === "monitor" && /nodelet-shim$/.test(s.argv[0])) out.push(...SHIM_MONITOR_NOTES);
        out.push(commandWithInput(s.argv, s.input) + failed);
        break;
      case "spawn":
        if (s.argv[1] === "monitor") out.push(...SHIM_MONITOR_NOTES);
        out.push(`${commandLine(s.argv)} &${failed}`);
        break;
      case "write":
        out.push(writeLine(s.path ?? "", s.input ?? "") + failed);
        break;
      case "mkdir":
        out.push(`mkdir -p ${shellQuote(s.path ?? "")}${failed}`);
        break;
      case "rmdir":
        out.push(`rmdir ${shellQuote(s.path ?? "")}${failed}`);
        break;
      case "symlink":
        out.push(`ln -sfn ${s.argv.map(shellQuote).join(" ")}${failed}`);
        break;
      case "unlink":
        out.push(`rm -f ${shellQuote(s.path ?? "")}${failed}`);
        break;
    }
  }
  return `${out.join("\n")}\n`;
}

/** A command and what it read on stdin: NUL-terminated words (a shim spec) as a printf pipe, text as a here-doc. */
function commandWithInput(argv: string[], input: string | undefined): string {
  if (input === undefined) return commandLine(argv);
  if (input.endsWith("\0")) {
    const words = input.slice(0, -1).split("\0");
    return `${commandLine(["printf", "%s\\0", ...words])} |\n  ${commandLine(argv)}`;
  }
  return `${commandLine(argv)} <<'EOF'\n${input.replace(/\n$/, "")}\nEOF`;
}

function writeLine(path: string, data: string): string {
  if (!data.includes("\n") && data.length < 80) return `echo ${shellQuote(data)} > ${shellQuote(path)}`;
  return `cat > ${shellQuote(path)} <<'EOF'\n${data.replace(/\n$/, "")}\nEOF`;
}
