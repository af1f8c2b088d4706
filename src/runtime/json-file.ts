/**
 * Small JSON state files, replaced so that a crash leaves either the old or the new content, never half of it
 * (sys/state-file.ts). Synchronous on purpose: a few hundred bytes, on the pod start path, where the thread pool's
 * scheduling costs more than the write (see sys/runner.ts).
 */
import { readStateFile, replaceFile } from "../sys/state-file.js";

export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  replaceFile(path, JSON.stringify(value));
}

export async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    const text = readStateFile(path);
    return text === undefined ? undefined : (JSON.parse(text) as T);
  } catch {
    return undefined;
  }
}
