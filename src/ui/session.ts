/**
 * The web view's sessions: a login (a bearer token checked once, or a one-time login URL of `nodelet dashboard`)
 * becomes a random session id kept in an HttpOnly cookie, so the token itself never stays in the browser. A session
 * ends when it has been idle for `idleMs`, `maxAgeMs` after it began, or at logout; ids are 256-bit random values.
 * Pure but for the random source: time comes from the injected clock, and the sessions go to an optional keeper (the
 * daemon's keeps them in a file, session-file.ts) so a daemon restart does not log everybody out: the page
 * reconnects. Only a hash of each id is kept (in memory too), so the file holds no credential, and the CSRF token
 * is derived from the id (an HMAC-like hash only the cookie's holder can compute), so it needs no storing either.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** Who a session acts as: the authenticated user, as the API server names it (structurally auth/user.ts UserInfo). */
export interface Viewer {
  name: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export interface Session {
  id: string;
  /** Sent back by the page in X-CSRF-Token on every state-changing request (logout). */
  csrf: string;
  user: Viewer;
  createdAt: number;
  lastSeen: number;
}

/** A session as kept: the hash of its id instead of the id. */
export interface StoredSession {
  key: string;
  user: Viewer;
  createdAt: number;
  lastSeen: number;
}

/** Where sessions outlive the process: read once at start, written after each change. */
export interface SessionKeeper {
  load(): StoredSession[];
  save(sessions: StoredSession[]): void;
}

export interface SessionLimits {
  /** A session unused this long ends (default 30 minutes). */
  idleMs: number;
  /** A session ends this long after login whatever its use (default 12 hours). */
  maxAgeMs: number;
  /** Sessions kept at once; the least recently used goes first beyond it (default 1,000). */
  maxSessions: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = { idleMs: 30 * 60_000, maxAgeMs: 12 * 3600_000, maxSessions: 1000 };

/** A 256-bit random value, base64url. */
export function randomId(): string {
  return randomBytes(32).toString("base64url");
}

/** Constant-time equality of two secrets (false for different lengths). */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The key a session is kept under: SHA-256 of its id (the id is 256 random bits, so the hash gives nothing away). */
export function sessionKey(id: string): string {
  return createHash("sha256").update(`nodelet-ui-session\0${id}`).digest("base64url");
}

/** The session's CSRF token: a hash of its id under another label, so it cannot be told from the key. */
export function csrfToken(id: string): string {
  return createHash("sha256").update(`nodelet-ui-csrf\0${id}`).digest("base64url");
}

/** A lastSeen moved by less than this is not written out (a read is not worth a file write). */
const SAVE_LAST_SEEN_MS = 60_000;

export class SessionStore {
  /** By key (sessionKey of the id), in use order: the first is the least recently used. */
  private readonly sessions = new Map<string, StoredSession>();
  private readonly limits: SessionLimits;
  private savedLastSeen = new Map<string, number>();

  constructor(
    private readonly now: () => number,
    limits: Partial<SessionLimits> = {},
    private readonly keeper?: SessionKeeper,
  ) {
    this.limits = { ...DEFAULT_SESSION_LIMITS, ...limits };
    const t = now();
    for (const s of keeper?.load() ?? []) if (!this.expired(s, t)) this.sessions.set(s.key, s);
    this.savedLastSeen = new Map([...this.sessions].map(([k, s]) => [k, s.lastSeen]));
  }

  /** A new session for `user`; the oldest-used one is dropped when the store is full. */
  create(user: Viewer): Session {
    const t = this.now();
    this.dropExpired(t);
    while (this.sessions.size >= this.limits.maxSessions) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      this.sessions.delete(oldest);
    }
    const id = randomId();
    this.sessions.set(sessionKey(id), { key: sessionKey(id), user, createdAt: t, lastSeen: t });
    this.save();
    return { id, csrf: csrfToken(id), user, createdAt: t, lastSeen: t };
  }

  /** The live session of an id, its idle time reset; undefined (and forgotten) when unknown, idle or too old. */
  touch(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const key = sessionKey(id);
    const s = this.sessions.get(key);
    if (!s) return undefined;
    const t = this.now();
    if (this.expired(s, t)) {
      this.sessions.delete(key);
      this.save();
      return undefined;
    }
    s.lastSeen = t;
    this.sessions.delete(key);
    this.sessions.set(key, s);
    if (t - (this.savedLastSeen.get(key) ?? 0) >= SAVE_LAST_SEEN_MS) this.save();
    return { id, csrf: csrfToken(id), user: s.user, createdAt: s.createdAt, lastSeen: t };
  }

  /** True while the session lives, without counting as use (a pushed update is not the user's activity). */
  alive(id: string): boolean {
    const key = sessionKey(id);
    const s = this.sessions.get(key);
    if (s && this.expired(s, this.now())) {
      this.sessions.delete(key);
      this.save();
      return false;
    }
    return s !== undefined;
  }

  /** Ends a session (logout); true when it existed. */
  end(id: string): boolean {
    const gone = this.sessions.delete(sessionKey(id));
    if (gone) this.save();
    return gone;
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Forgets every expired session. */
  sweep(): void {
    if (this.dropExpired(this.now())) this.save();
  }

  private dropExpired(t: number): boolean {
    let dropped = false;
    for (const [key, s] of this.sessions) if (this.expired(s, t)) dropped = this.sessions.delete(key);
    return dropped;
  }

  private save(): void {
    if (!this.keeper) return;
    const all = [...this.sessions.values()];
    this.keeper.save(all);
    this.savedLastSeen = new Map(all.map((s) => [s.key, s.lastSeen]));
  }

  private expired(s: Pick<StoredSession, "createdAt" | "lastSeen">, t: number): boolean {
    return t - s.lastSeen >= this.limits.idleMs || t - s.createdAt >= this.limits.maxAgeMs;
  }
}

/**
 * One-time login secrets (`nodelet dashboard`'s URL): each is accepted once, within `ttlMs` of being made, then
 * never again — so a URL left in a terminal's scrollback or a shell history opens nothing later.
 */
export class OneTimeLogins {
  private readonly pending = new Map<string, number>();

  constructor(
    private readonly now: () => number,
    private readonly ttlMs = 5 * 60_000,
  ) {}

  issue(): string {
    const secret = randomId();
    this.pending.set(secret, this.now() + this.ttlMs);
    return secret;
  }

  /** True once for a secret issued and not yet used or expired. */
  redeem(secret: string | null | undefined): boolean {
    if (!secret) return false;
    for (const [s, deadline] of this.pending) {
      if (!sameSecret(s, secret)) continue;
      this.pending.delete(s);
      return this.now() < deadline;
    }
    return false;
  }
}
