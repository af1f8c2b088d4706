/**
 * The web view's sessions: a login (a bearer token checked once, or a one-time login URL of `nodelet dashboard`)
 * becomes a random session id kept in an HttpOnly cookie, so the token itself never stays in the browser. A session
 * ends when it has been idle for `idleMs`, `maxAgeMs` after it began, or at logout; ids and CSRF tokens are 256-bit
 * random values, compared in constant time. Pure but for the random source: time comes from the injected clock, and
 * nothing leaves memory (a daemon restart logs everybody out, as kube-apiserver's tokens never do: the page says so).
 */
import { randomBytes, timingSafeEqual } from "node:crypto";

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

export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  private readonly limits: SessionLimits;

  constructor(
    private readonly now: () => number,
    limits: Partial<SessionLimits> = {},
  ) {
    this.limits = { ...DEFAULT_SESSION_LIMITS, ...limits };
  }

  /** A new session for `user`; the oldest-used one is dropped when the store is full. */
  create(user: Viewer): Session {
    const t = this.now();
    this.sweep();
    while (this.sessions.size >= this.limits.maxSessions) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      this.sessions.delete(oldest);
    }
    const s: Session = { id: randomId(), csrf: randomId(), user, createdAt: t, lastSeen: t };
    this.sessions.set(s.id, s);
    return s;
  }

  /** The live session of an id, its idle time reset; undefined (and forgotten) when unknown, idle or too old. */
  touch(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const s = this.sessions.get(id);
    if (!s) return undefined;
    const t = this.now();
    if (this.expired(s, t)) {
      this.sessions.delete(id);
      return undefined;
    }
    s.lastSeen = t;
    // Map order is use order: the first key is the least recently used (what create() drops first).
    this.sessions.delete(id);
    this.sessions.set(id, s);
    return s;
  }

  /** True while the session lives, without counting as use (a pushed update is not the user's activity). */
  alive(id: string): boolean {
    const s = this.sessions.get(id);
    if (s && this.expired(s, this.now())) this.sessions.delete(id);
    return s !== undefined && this.sessions.has(id);
  }

  /** Ends a session (logout); true when it existed. */
  end(id: string): boolean {
    return this.sessions.delete(id);
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Forgets every expired session. */
  sweep(): void {
    const t = this.now();
    for (const [id, s] of this.sessions) if (this.expired(s, t)) this.sessions.delete(id);
  }

  private expired(s: Session, t: number): boolean {
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
