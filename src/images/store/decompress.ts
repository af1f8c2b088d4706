/**
 * Layer decompression as a stream. The format is read from the first bytes (gzip 1f 8b, zstd 28 b5 2f fd, else a
 * plain tar), as containerd's DecompressStream does: media types lie in practice (docker-archive layers are plain
 * tars whatever the manifest says), and a wrong guess would only fail later with a worse message.
 *
 * gzip is Node's zlib. zstd is Debian's `zstd` binary through the Runner, fed and read through pipes: Node 20's
 * zlib has no zstd (it arrives in Node 22.15/23.8), the npm decoders are either native addons to build or pure-JS
 * ports several times slower, and the binary is maintained by Debian and decodes on the second core while we hash
 * and write on this one.
 */
import { once } from "node:events";
import { Readable, type TransformOptions } from "node:stream";
import { createGunzip, type ZlibOptions } from "node:zlib";
import type { Runner } from "../../sys/runner.js";

export type Compression = "gzip" | "zstd" | "none";

export function sniffCompression(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return "gzip";
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return "zstd";
  return "none";
}

/** The decompressed bytes of `src`. Errors of the decoder (a truncated gzip, a bad frame) end the iteration. */
export async function* decompress(src: AsyncIterable<Buffer>, runner: Runner): AsyncGenerator<Buffer> {
  const it = src[Symbol.asyncIterator]();
  let first = await it.next();
  while (!first.done && first.value.length < 4) {
    const more = await it.next();
    if (more.done) break;
    first = { done: false, value: Buffer.concat([first.value, more.value]) };
  }
  if (first.done) return;
  const head = first.value;
  const rest = (async function* () {
    let ended = false;
    try {
      yield head;
      for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
      ended = true;
    } finally {
      if (!ended) await it.return?.(); // stopped early: close the source too
    }
  })();
  const kind = sniffCompression(head);
  if (kind === "none") yield* rest;
  else if (kind === "gzip") yield* throughGunzip(rest);
  else yield* throughZstd(rest, runner);
}

/**
 * zlib inflates on the thread pool, one output chunk per round trip. Node's defaults (16 KiB chunks, a 16 KiB
 * readable buffer) made every chunk a round trip the unpacker waited for; 128 KiB chunks and a 1 MiB buffer let the
 * inflater run ahead while the tar is parsed and written (measured: README, Images), at 1 MiB of memory per layer.
 */
const GUNZIP_CHUNK = 128 << 10;
const GUNZIP_AHEAD = 1 << 20;

async function* throughGunzip(src: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  // zlib hands its options to the Transform it is (Node's zlib.js); @types/node's ZlibOptions leaves the stream ones out.
  const opts: ZlibOptions & TransformOptions = { chunkSize: GUNZIP_CHUNK, readableHighWaterMark: GUNZIP_AHEAD };
  const gz = createGunzip(opts);
  const input = Readable.from(src);
  input.on("error", (err) => gz.destroy(err));
  input.pipe(gz);
  try {
    for await (const chunk of gz) yield chunk as Buffer;
  } finally {
    input.destroy();
    gz.destroy();
  }
}

async function* throughZstd(src: AsyncIterable<Buffer>, runner: Runner): AsyncGenerator<Buffer> {
  const child = runner.spawn(["zstd", "-d", "-c", "-q"], { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  const exited = once(child, "close") as Promise<[number | null, NodeJS.Signals | null]>;
  child.stdin!.on("error", () => undefined); // EPIPE when zstd fails early: its exit status tells why
  // Once zstd is gone no "drain" comes: the feed stops at its next chunk, and leaving the loop closes `src`.
  let stopped = false;
  const gone = exited.then(() => void (stopped = true));
  const feed = (async () => {
    for await (const chunk of src) {
      if (stopped) break;
      if (!child.stdin!.write(chunk)) await Promise.race([once(child.stdin!, "drain"), gone]);
    }
    if (!stopped) child.stdin!.end();
  })();
  let feedError: Error | undefined;
  feed.catch((err: unknown) => {
    feedError = err instanceof Error ? err : new Error(String(err));
    child.kill("SIGKILL");
  });
  try {
    for await (const chunk of child.stdout!) yield chunk as Buffer;
    const [code, signal] = await exited;
    if (feedError) throw feedError;
    if (code !== 0) throw new Error(`zstd: cannot decompress the layer (${signal ?? `exit ${code}`}): ${stderr.trim()}`);
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
  }
}
