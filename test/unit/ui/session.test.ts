import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { clearedSessionCookie, cookieValue, SESSION_COOKIE, sessionCookie } from "../../../src/ui/cookies.js";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OneTimeLogins, sameSecret, SessionStore, type StoredSession } from "../../../src/ui/session.js";
import { SessionFile } from "../../../src/ui/session-file.js";
import { sameOrigin } from "../../../src/ui/ui-server.js";

const alice = { name: "alice", groups: ["dev"] };

function clock(start = 1_000_000): { now: () => number; advance(ms: number): void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

describe("web view sessions (fake clock)", () => {
  it("a session lives while used, and ends after idleMs without use", () => {
    const c = clock();
    const s = new SessionStore(c.now, { idleMs: 1000, maxAgeMs: 10_000 });
    const a = s.create(alice);
    assert.match(a.id, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(a.id, a.csrf);
    c.advance(999);
    assert.equal(s.touch(a.id)?.user.name, "alice");
    c.advance(999);
    assert.ok(s.touch(a.id), "use resets the idle time");
    c.advance(1000);
    assert.equal(s.touch(a.id), undefined);
    assert.equal(s.size, 0, "an expired session is forgotten");
  });

  it("a session ends maxAgeMs after login however much it is used", () => {
    const c = clock();
    const s = new SessionStore(c.now, { idleMs: 1000, maxAgeMs: 3000 });
    const a = s.create(alice);
    for (let i = 0; i < 5; i++) {
      c.advance(500);
      assert.ok(s.touch(a.id));
    }
    c.advance(500);
    assert.equal(s.touch(a.id), undefined);
  });

  it("alive() tells without counting as use; end() logs out; unknown and empty ids are nobody", () => {
    const c = clock();
    const s = new SessionStore(c.now, { idleMs: 1000 });
    const a = s.create(alice);
    c.advance(600);
    assert.equal(s.alive(a.id), true);
    c.advance(600);
    assert.equal(s.alive(a.id), false, "alive() did not reset the idle time");
    const b = s.create(alice);
    assert.equal(s.end(b.id), true);
    assert.equal(s.touch(b.id), undefined);
    assert.equal(s.touch(undefined), undefined);
    assert.equal(s.touch(""), undefined);
    assert.equal(s.touch("x".repeat(43)), undefined);
  });

  it("beyond maxSessions the least recently used session goes first", () => {
    const s = new SessionStore(clock().now, { maxSessions: 2 });
    const a = s.create(alice);
    const b = s.create(alice);
    s.touch(a.id);
    const c = s.create(alice);
    assert.ok(s.touch(a.id));
    assert.equal(s.touch(b.id), undefined);
    assert.ok(s.touch(c.id));
    assert.equal(s.size, 2);
  });

  it("kept sessions outlive a restart: the keeper holds hashes, not ids; the CSRF token stays; expired ones are not loaded", () => {
    const c = clock();
    let kept: StoredSession[] = [];
    const keeper = { load: () => structuredClone(kept), save: (all: StoredSession[]) => void (kept = structuredClone(all)) };
    const before = new SessionStore(c.now, { idleMs: 1000 }, keeper);
    const a = before.create(alice);
    const b = before.create(alice);
    assert.equal(kept.length, 2);
    assert.ok(!JSON.stringify(kept).includes(a.id) && !JSON.stringify(kept).includes(a.csrf), "no id or CSRF token kept");
    c.advance(500);
    assert.ok(before.touch(b.id));
    before.end(a.id);
    c.advance(700);
    const after = new SessionStore(c.now, { idleMs: 1000 }, keeper);
    assert.equal(after.touch(a.id), undefined, "logged out stays logged out");
    assert.equal(after.touch(b.id)?.csrf, b.csrf, "the same session, the same CSRF token");
    c.advance(1000);
    assert.equal(new SessionStore(c.now, { idleMs: 1000 }, keeper).size, 0, "idle beyond idleMs: not loaded");
  });

  it("the session file: mode 0600, whole writes, anything unreadable is no sessions", () => {
    const dir = mkdtempSync(join(tmpdir(), "ui-sessions-"));
    try {
      const file = new SessionFile(join(dir, "s.json"), () => undefined);
      assert.deepEqual(file.load(), []);
      const one: StoredSession = { key: "k", user: alice, createdAt: 1, lastSeen: 2 };
      file.save([one]);
      assert.equal(statSync(join(dir, "s.json")).mode & 0o777, 0o600);
      assert.deepEqual(file.load(), [one]);
      writeFileSync(join(dir, "s.json"), JSON.stringify([one, { key: 1 }, null, { ...one, user: { name: "x" } }]));
      assert.deepEqual(file.load(), [one], "malformed entries are left out");
      writeFileSync(join(dir, "s.json"), "{not json");
      assert.deepEqual(file.load(), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a one-time login is accepted once, and not after its ttl", () => {
    const c = clock();
    const l = new OneTimeLogins(c.now, 1000);
    const first = l.issue();
    assert.equal(l.redeem("wrong"), false);
    assert.equal(l.redeem(first), true);
    assert.equal(l.redeem(first), false, "used");
    const second = l.issue();
    c.advance(1000);
    assert.equal(l.redeem(second), false, "expired");
    assert.equal(l.redeem(null), false);
    assert.equal(l.redeem(""), false);
  });

  it("compares secrets whole", () => {
    assert.equal(sameSecret("abc", "abc"), true);
    assert.equal(sameSecret("abc", "abd"), false);
    assert.equal(sameSecret("abc", "abcd"), false);
  });
});

describe("web view cookies and origin checks", () => {
  it("the session cookie is HttpOnly, Secure, SameSite=Strict and only for /ui/", () => {
    const set = sessionCookie("ID");
    assert.match(set, /^nodelet_session=ID; /);
    for (const attr of ["HttpOnly", "Secure", "SameSite=Strict", "Path=/ui/"]) assert.ok(set.split("; ").includes(attr), `${attr} in ${set}`);
    assert.ok(!/Max-Age|Expires|Domain/.test(set), "a browser-session cookie, for this host only");
    assert.match(clearedSessionCookie(), /^nodelet_session=; .*Max-Age=0$/);
  });

  it("reads one cookie from a Cookie header", () => {
    assert.equal(cookieValue("a=1; nodelet_session=xyz; b=2", SESSION_COOKIE), "xyz");
    assert.equal(cookieValue("nodelet_sessionx=1", SESSION_COOKIE), undefined);
    assert.equal(cookieValue(undefined, SESSION_COOKIE), undefined);
    assert.equal(cookieValue(`nodelet_session=${"a".repeat(9000)}`, SESSION_COOKIE), undefined, "oversized headers are not parsed");
  });

  it("a login form posted from another site is refused", () => {
    const req = (headers: Record<string, string>) => ({ headers: { host: "node:6443", ...headers } });
    assert.equal(sameOrigin(req({ origin: "https://node:6443" })), true);
    assert.equal(sameOrigin(req({})), true, "non-browser clients send no Origin");
    assert.equal(sameOrigin(req({ origin: "https://evil.example" })), false);
    assert.equal(sameOrigin(req({ origin: "null" })), false);
    assert.equal(sameOrigin(req({ "sec-fetch-site": "cross-site" })), false);
    assert.equal(sameOrigin(req({ "sec-fetch-site": "same-origin", origin: "https://node:6443" })), true);
    assert.equal(sameOrigin(req({ "sec-fetch-site": "same-origin", origin: "null" })), true, "Chromium's own form under Referrer-Policy no-referrer");
    assert.equal(sameOrigin(req({ "sec-fetch-site": "same-site", origin: "https://node:6443" })), false);
  });
});
