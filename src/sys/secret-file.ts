/**
 * Reading a file that holds a secret (a bootstrap token, say) the way ssh reads a private key: a regular file,
 * not a symbolic link, owned by this process's user and closed to group and others, or it is refused — a secret
 * every local user could read is one to replace, not to use. Opened once with O_NOFOLLOW and checked on that
 * descriptor, so what is checked is what is read.
 */
import { closeSync, constants, fstatSync, openSync, readFileSync } from "node:fs";

/** The largest secret file read (a kubeconfig with a CA bundle fits many times over). */
const MAX_BYTES = 1 << 20;

export class SecretFileError extends Error {}

/**
 * The text of `path`, checked as above. `what` names the setting in errors ("--bootstrap-kubeconfig"). A missing
 * file is an Error with code ENOENT (the caller may have a meaning for it); every refusal is a SecretFileError.
 */
export function readSecretFile(path: string, what: string): string {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw err;
    if (code === "ELOOP") throw new SecretFileError(`${what}: ${path} is a symbolic link: give the file itself`);
    throw new SecretFileError(`${what}: cannot open ${path}: ${(err as Error).message}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new SecretFileError(`${what}: ${path} is not a regular file`);
    const uid = process.geteuid?.();
    if (uid !== undefined && st.uid !== uid) throw new SecretFileError(`${what}: ${path} is owned by uid ${st.uid}, not by this user (uid ${uid}): it holds a secret`);
    if ((st.mode & 0o077) !== 0) {
      const mode = (st.mode & 0o777).toString(8).padStart(4, "0");
      throw new SecretFileError(`${what}: ${path} has mode ${mode}: it holds a secret, so it must be readable by its owner alone (chmod 600 ${path})`);
    }
    if (st.size > MAX_BYTES) throw new SecretFileError(`${what}: ${path} is ${st.size} bytes, more than ${MAX_BYTES}`);
    return readFileSync(fd, "utf8");
  } finally {
    closeSync(fd);
  }
}
