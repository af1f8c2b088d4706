/**
 * Small JSON state files written atomically (temporary file + rename), so a crash leaves either the old or the new
 * content, never half of it.
 */
import { promises as fsp } from "node:fs";
import { dirname, join, basename } from "node:path";

export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await fsp.mkdir(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  await fsp.writeFile(tmp, JSON.stringify(value, null, 1));
  await fsp.rename(tmp, path);
}

export async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await fsp.readFile(path, "utf8")) as T;
  } catch {
    return undefined;
  }
}
