/**
 * Small JSON state files written atomically (temporary file + rename), so a crash leaves either the old or the new
 * content, never half of it. Synchronous on purpose: a few hundred bytes, on the pod start path, where the
 * thread pool's scheduling costs more than the write (see sys/runner.ts).
 */
import { mkdirSync, promises as fsp, renameSync, writeFileSync } from "node:fs";
import { dirname, join, basename } from "node:path";

export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  writeFileSync(tmp, JSON.stringify(value));
  renameSync(tmp, path);
}

export async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await fsp.readFile(path, "utf8")) as T;
  } catch {
    return undefined;
  }
}
