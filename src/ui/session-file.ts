/**
 * The daemon's web view sessions kept in a file (ROOT/ui-sessions.json, mode 0600), so a daemon restart leaves the
 * open pages logged in: they reconnect. It holds hashes of the session ids (session.ts sessionKey), the users and
 * times, no credential. Written whole (temp file + rename) after each change; a missing or unreadable file is no
 * sessions (everybody logs in again), never an error. Removed with the root (`nodelet reset`).
 */
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import type { SessionKeeper, StoredSession, Viewer } from "./session.js";

export class SessionFile implements SessionKeeper {
  constructor(
    private readonly path: string,
    private readonly log: (m: string) => void,
  ) {}

  load(): StoredSession[] {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(this.path, "utf8"));
    } catch {
      return [];
    }
    return Array.isArray(parsed) ? parsed.filter(isStoredSession) : [];
  }

  save(sessions: StoredSession[]): void {
    const tmp = `${this.path}.tmp`;
    try {
      writeFileSync(tmp, JSON.stringify(sessions), { mode: 0o600 });
      renameSync(tmp, this.path);
    } catch (err) {
      this.log(`web view: cannot keep the sessions in ${this.path}: ${err instanceof Error ? err.message : String(err)} (a restart will ask for logins again)`);
    }
  }
}

function isStoredSession(x: unknown): x is StoredSession {
  const s = x as Partial<StoredSession> | null;
  return typeof s?.key === "string" && typeof s.createdAt === "number" && typeof s.lastSeen === "number" && isViewer(s.user);
}

function isViewer(x: unknown): x is Viewer {
  const v = x as Partial<Viewer> | null;
  return typeof v?.name === "string" && Array.isArray(v.groups) && v.groups.every((g) => typeof g === "string");
}
