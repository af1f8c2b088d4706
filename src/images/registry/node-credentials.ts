/**
 * The node's registry credentials: its Docker config file (`--registry-config PATH`), used after a pod's
 * imagePullSecrets (kubelet/pull-secrets.ts reads those; image-source.ts puts them first). The file is read at start
 * (a missing or malformed file named by the flag fails the daemon's start) and again whenever its mtime changes, so
 * `docker login` style updates apply to the next pull without a restart.
 */
import { readFileSync, statSync } from "node:fs";
import { Keyring, type CredentialSource, type Credentials } from "./credentials.js";

/** The node's Docker config.json, re-read when it changes. */
export class NodeCredentialsFile implements CredentialSource {
  private keyring: Keyring;
  private mtimeMs: number;

  /** Reads and validates the file now; throws naming the flag and file. */
  constructor(readonly path: string) {
    const { keyring, mtimeMs } = this.read();
    this.keyring = keyring;
    this.mtimeMs = mtimeMs;
  }

  lookup(registry: string, repository: string): Credentials[] {
    try {
      const mtimeMs = statSync(this.path).mtimeMs;
      if (mtimeMs !== this.mtimeMs) ({ keyring: this.keyring, mtimeMs: this.mtimeMs } = this.read());
    } catch {
      // Unreadable or malformed mid-edit: keep the last good credentials; the next lookup tries again.
    }
    return this.keyring.lookup(registry, repository);
  }

  private read(): { keyring: Keyring; mtimeMs: number } {
    const origin = `--registry-config ${this.path}`;
    let text: string;
    let mtimeMs: number;
    try {
      mtimeMs = statSync(this.path).mtimeMs;
      text = readFileSync(this.path, "utf8");
    } catch (err) {
      throw new Error(`${origin}: cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
    }
    if (text.length > 4 << 20) throw new Error(`${origin}: over 4 MiB`);
    return { keyring: Keyring.from({ json: text, origin }), mtimeMs };
  }
}
