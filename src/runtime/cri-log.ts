/**
 * Reading container logs written in the CRI log format (`TIMESTAMP STREAM F|P CONTENT`), as the kubelet's
 * kuberuntime/logs does for `kubectl logs`: partial lines joined, --tail, --timestamps, --since, --limit-bytes,
 * and --follow until the container has exited, across rotation (the monitor renames the live file and opens a new
 * one: the reader finishes the old file, then continues with the new).
 */
import { promises as fsp, watch, type FSWatcher } from "node:fs";
import { basename, dirname, join } from "node:path";
import { Readable } from "node:stream";

export interface CriLine {
  time: string;
  stream: "stdout" | "stderr";
  partial: boolean;
  content: string;
}

/** Parses one CRI log line; undefined for a malformed line. */
export function parseCriLine(line: string): CriLine | undefined {
  const a = line.indexOf(" ");
  const b = line.indexOf(" ", a + 1);
  const c = line.indexOf(" ", b + 1);
  if (a < 0 || b < 0) return undefined;
  const stream = line.slice(a + 1, b);
  if (stream !== "stdout" && stream !== "stderr") return undefined;
  const tag = c < 0 ? line.slice(b + 1) : line.slice(b + 1, c);
  return { time: line.slice(0, a), stream, partial: tag === "P", content: c < 0 ? "" : line.slice(c + 1) };
}

export interface ReadLogOptions {
  tailLines?: number;
  timestamps?: boolean;
  /** Only lines at or after this time (ms since epoch). */
  sinceMs?: number;
  limitBytes?: number;
  follow?: boolean;
  /**
   * Attach: the content of each "P" line as soon as it is read, not joined into its line first (a terminal's
   * prompt has no newline; the monitor writes it as a P line at once).
   */
  live?: boolean;
  /**
   * Start at this byte offset of the live file instead of its beginning (attach: the size when the session began,
   * taken before its input can make the container print anything).
   */
  startOffset?: number;
  /**
   * Stops following at once when aborted. Destroying the stream alone does not: an async generator takes its
   * return() only at its next yield, and a quiet container yields nothing.
   */
  signal?: AbortSignal;
  /** Only this stream's lines (an attach session without a terminal keeps stdout and stderr apart). */
  stream?: "stdout" | "stderr";
  /** While following: is the container still running (more may come)? */
  isRunning?: () => boolean;
  /** Resolves when the container has exited (or after timeoutMs): wakes a follower at once instead of at its next look. */
  exited?: (timeoutMs: number) => Promise<unknown>;
  /** The longest a follower sleeps before looking again (ms); file changes and the exit wake it earlier. */
  pollMs?: number;
}

/** A log message as kubectl shows it: content (+ "\n" for full lines), optionally prefixed with its timestamp. */
function render(line: CriLine, pending: string, timestamps: boolean): string {
  const text = pending + line.content + (line.partial ? "" : "\n");
  return timestamps ? `${line.time} ${text}` : text;
}

/** Decodes CRI text into output messages (joining partial lines), applying --since. */
function* decode(text: string, state: { pending: string; pendingTime?: string }, opts: ReadLogOptions): Generator<string> {
  for (const raw of text.split("\n")) {
    if (raw === "") continue;
    const line = parseCriLine(raw);
    if (!line) continue;
    if (opts.sinceMs !== undefined && Date.parse(line.time) < opts.sinceMs) continue;
    if (opts.stream && line.stream !== opts.stream) continue;
    if (line.partial && opts.live) {
      yield line.content;
      continue;
    }
    if (line.partial) {
      state.pending += line.content;
      state.pendingTime ??= line.time;
      continue;
    }
    const out = render({ ...line, time: state.pendingTime ?? line.time }, state.pending, opts.timestamps === true);
    state.pending = "";
    state.pendingTime = undefined;
    yield out;
  }
}

/** The log of a container as a byte stream. */
export function readContainerLog(path: string, opts: ReadLogOptions = {}): Readable {
  return Readable.from(logChunks(path, opts), { objectMode: false });
}

async function* logChunks(path: string, opts: ReadLogOptions): AsyncGenerator<Buffer> {
  let budget = opts.limitBytes ?? Infinity;
  const state: { pending: string; pendingTime?: string } = { pending: "" };
  // Content of P lines with no F after them (a last line without a newline) is still output, unterminated.
  const flush = () => (state.pending ? [opts.timestamps ? `${state.pendingTime} ${state.pending}` : state.pending] : []);
  const emit = function* (messages: Iterable<string>): Generator<Buffer> {
    for (const m of messages) {
      if (budget <= 0) return;
      let buf = Buffer.from(m);
      if (buf.length > budget) buf = buf.subarray(0, budget);
      budget -= buf.length;
      yield buf;
    }
  };
  let fh = await fsp.open(path, "r").catch(() => undefined);
  if (!fh) return;
  try {
    let text = opts.startOffset === undefined ? (await fh.readFile()).toString() : "";
    let offset = opts.startOffset ?? Buffer.byteLength(text);
    // Only complete lines are decoded; a line still being written waits for the next read.
    let carry = "";
    const cut = text.lastIndexOf("\n");
    carry = text.slice(cut + 1);
    text = text.slice(0, cut + 1);
    let messages = [...decode(text, state, opts)];
    if (opts.tailLines !== undefined) messages = opts.tailLines > 0 ? messages.slice(-opts.tailLines) : [];
    yield* emit(messages);
    if (!opts.follow) {
      yield* emit(flush());
      return;
    }
    for (;;) {
      if (budget <= 0) return;
      const stillRunning = opts.isRunning?.() ?? false;
      const { bytes, data } = await readFrom(fh, offset);
      offset += bytes;
      if (bytes > 0) {
        const all = carry + data;
        const end = all.lastIndexOf("\n");
        carry = all.slice(end + 1);
        yield* emit(decode(all.slice(0, end + 1), state, opts));
        continue;
      }
      const rotated = await replacedFile(path, fh);
      if (rotated) {
        // The monitor may have written to the old file after our last read and before renaming it, and may have
        // rotated more than once since we looked: finish the old file, then read the files rotated after it.
        const rest = await readFrom(fh, offset, Infinity);
        const between = await rotatedAfter(path, fh, rotated);
        for (const chunk of [rest.data, ...between]) {
          const all = carry + chunk;
          const end = all.lastIndexOf("\n");
          carry = all.slice(end + 1);
          yield* emit(decode(all.slice(0, end + 1), state, opts));
        }
        await fh.close();
        fh = rotated;
        offset = 0;
        continue;
      }
      if (!stillRunning) {
        yield* emit(flush());
        return;
      }
      if (opts.signal?.aborted) return;
      await nextChange(path, opts);
    }
  } finally {
    await fh.close().catch(() => undefined);
  }
}

async function readFrom(fh: fsp.FileHandle, offset: number, max = 64 * 1024): Promise<{ bytes: number; data: string }> {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const buf = Buffer.alloc(Math.min(64 * 1024, max - total));
    if (buf.length === 0) break;
    const { bytesRead } = await fh.read(buf, 0, buf.length, offset + total);
    if (bytesRead === 0) break;
    chunks.push(buf.subarray(0, bytesRead));
    total += bytesRead;
    if (max !== Infinity) break;
  }
  return { bytes: total, data: Buffer.concat(chunks).toString() };
}

/** Rotated name order, oldest first, as the monitor sorts them: PATH.YYYYMMDD-HHMMSS, then the numeric .N. */
export function rotatedOrder(a: string, b: string): number {
  const key = (name: string): [string, number] => {
    const m = /\.(\d{8}-\d{6})(?:\.(\d+))?$/.exec(name);
    return m ? [m[1], Number(m[2] ?? 0)] : ["", 0];
  };
  const [ka, kb] = [key(a), key(b)];
  return ka[0] < kb[0] ? -1 : ka[0] > kb[0] ? 1 : ka[1] - kb[1];
}

/**
 * The contents of the files rotated after the one `fh` has open, oldest first. That file is found among the
 * rotated ones by inode; if the monitor already pruned it, the files modified since it was are the ones after.
 */
async function rotatedAfter(path: string, fh: fsp.FileHandle, next: fsp.FileHandle): Promise<string[]> {
  const dir = dirname(path);
  const base = basename(path);
  const names = (await fsp.readdir(dir).catch(() => [] as string[]))
    .filter((n) => n.startsWith(`${base}.`) && /^\.\d{8}-\d{6}(\.\d+)?$/.test(n.slice(base.length)))
    .sort(rotatedOrder);
  const [mine, theirs] = await Promise.all([fh.stat(), next.stat()]);
  const stats = await Promise.all(names.map((n) => fsp.stat(join(dir, n)).catch(() => undefined)));
  const own = stats.findIndex((st) => st?.ino === mine.ino);
  // The file opened as the live one may itself have been rotated meanwhile: it is read next, so stop before it.
  const stop = stats.findIndex((st) => st?.ino === theirs.ino);
  const candidates = stop >= 0 ? names.slice(0, stop) : names;
  const after = own >= 0 ? candidates.slice(own + 1) : candidates.filter((_, i) => stats[i] !== undefined && stats[i].mtimeMs >= mine.mtimeMs);
  const out: string[] = [];
  for (const n of after) out.push(await fsp.readFile(join(dir, n), "utf8").catch(() => ""));
  return out;
}

/** When the live log was rotated, the new file at `path` (a different inode), opened; else undefined. */
async function replacedFile(path: string, fh: fsp.FileHandle): Promise<fsp.FileHandle | undefined> {
  const [cur, onDisk] = await Promise.all([fh.stat(), fsp.stat(path).catch(() => undefined)]);
  if (!onDisk || onDisk.ino === cur.ino) return undefined;
  return fsp.open(path, "r").catch(() => undefined);
}

/** Waits until the log file changes (inotify), the container exits, or pollMs passes, whichever comes first. */
function nextChange(path: string, opts: ReadLogOptions): Promise<void> {
  const pollMs = opts.pollMs ?? 1000;
  return new Promise<void>((resolve) => {
    let watcher: FSWatcher | undefined;
    let timer: NodeJS.Timeout | undefined;
    const done = () => {
      watcher?.close();
      if (timer) clearTimeout(timer);
      resolve();
    };
    try {
      watcher = watch(path, done);
      watcher.on("error", done);
    } catch {
      // The file is being rotated away: look again soon.
    }
    timer = setTimeout(done, watcher ? pollMs : 20);
    void opts.exited?.(pollMs).then(done);
    opts.signal?.addEventListener("abort", done, { once: true });
  });
}
