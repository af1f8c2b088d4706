/**
 * Registry authentication (distribution's token auth spec, docs/spec/auth/token.md, and RFC 7617 Basic):
 *   1. `GET /v2/` once per endpoint: 200 means no auth; 401 carries the challenge (Basic, or Bearer realm/service).
 *   2. Basic: `Authorization: Basic base64(user:password)` on every request.
 *   3. Bearer: `GET realm?service=…&scope=repository:NAME:pull[,push]` with the credentials as Basic (or, for an
 *      identity token, the OAuth2 refresh-token POST), → `{token|access_token, expires_in}`; the token is cached per
 *      realm, service, scope set and credential until `expires_in` (60 s when absent or shorter, as the spec says)
 *      minus a margin, on the injected clock.
 * Credentials go only to the endpoint and to the realm it names, and to the realm only over HTTPS — or plain HTTP to a
 * host the node marks insecure (--insecure-registry, the registries file, loopback) — so an https registry that names
 * an http realm (a misconfiguration, or a man in the middle rewriting the challenge) cannot have them sent in clear.
 * The realm request trusts the endpoint's CAs (--registry-ca, the registry's `ca`), as the registry's own requests do.
 * Credentials never appear in an error message.
 */
import type { Challenge } from "./challenge.js";
import type { Credentials } from "./credentials.js";
import { RegistryError, statusError, type RegistryErrorContext } from "./errors.js";
import type { Endpoint } from "./hosts.js";
import { readBody, TransportError, type HttpRequest, type HttpResponse } from "./transport.js";
import { parseChallenges } from "./challenge.js";

/** What the authenticator needs of the transport (a fake in unit tests). */
export interface Sender {
  send(req: HttpRequest): Promise<HttpResponse>;
}

const MAX_TOKEN_RESPONSE = 1 << 20;
const MIN_TOKEN_LIFETIME_S = 60;
const EXPIRY_MARGIN_MS = 10_000;

interface CachedToken {
  token: string;
  expiresAt: number;
}

export class Authenticator {
  /** Endpoint URL → the challenge its /v2/ answered (null: no auth needed). */
  private readonly challenges = new Map<string, Promise<Challenge | null>>();
  private readonly tokens = new Map<string, CachedToken>();
  /** Token server round trips made (for tests and progress output). */
  tokenRequests = 0;

  constructor(
    private readonly sender: Sender,
    private readonly now: () => number = Date.now,
    /** Whether plain HTTP to this host[:port] is the node's explicit choice (RegistryHosts.isInsecure). */
    private readonly insecureHost: (host: string) => boolean = () => false,
  ) {}

  /** The endpoint's challenge, from one `GET /v2/` shared by concurrent callers; a failed ping is not cached. */
  challenge(ep: Endpoint, ctx: RegistryErrorContext): Promise<Challenge | null> {
    let p = this.challenges.get(ep.url);
    if (!p) {
      p = this.ping(ep, ctx);
      this.challenges.set(ep.url, p);
      p.catch(() => this.challenges.delete(ep.url));
    }
    return p;
  }

  /** Records a challenge a later 401 carried (a registry may start asking mid-session). */
  learn(ep: Endpoint, challenge: Challenge): void {
    this.challenges.set(ep.url, Promise.resolve(challenge));
  }

  /** Forgets cached tokens for this challenge and credential (after the registry refused one). */
  forget(challenge: Challenge, scopes: string[], cred: Credentials | undefined): void {
    this.tokens.delete(tokenKey(challenge, scopes, cred));
  }

  /** The Authorization header value for a request to `ep` under `challenge`, or undefined for anonymous access. */
  async header(ep: Pick<Endpoint, "ca">, challenge: Challenge | null, scopes: string[], cred: Credentials | undefined, ctx: RegistryErrorContext): Promise<string | undefined> {
    if (!challenge) return undefined;
    if (challenge.scheme === "basic") {
      return cred ? `Basic ${Buffer.from(`${cred.username}:${cred.password}`).toString("base64")}` : undefined;
    }
    if (challenge.scheme !== "bearer") {
      throw new RegistryError("unsupported", ctx, `the registry asks for ${challenge.scheme} authentication, which nodelet does not speak`);
    }
    const key = tokenKey(challenge, scopes, cred);
    const cached = this.tokens.get(key);
    if (cached && cached.expiresAt > this.now()) return `Bearer ${cached.token}`;
    const fresh = await this.fetchToken(ep, challenge, scopes, cred, ctx);
    this.tokens.set(key, fresh);
    return `Bearer ${fresh.token}`;
  }

  private async ping(ep: Endpoint, ctx: RegistryErrorContext): Promise<Challenge | null> {
    const res = await this.sender.send({ method: "GET", url: `${ep.url}/v2/`, ca: ep.ca, insecureTls: ep.insecureTls, followRedirects: true }).catch((err: unknown) => {
      throw transportError(err, ctx);
    });
    const body = await readBody(res, 64 << 10, "the /v2/ answer").catch(() => Buffer.alloc(0));
    if (res.status === 200) return null;
    if (res.status === 401) {
      const c = pickChallenge(res.headers["www-authenticate"]);
      if (!c) throw new RegistryError("protocol", ctx, "401 from /v2/ without a usable WWW-Authenticate challenge", 401);
      return c;
    }
    throw statusError(res.status, body, ctx, " from /v2/ (is this a registry?)");
  }

  private async fetchToken(ep: Pick<Endpoint, "ca">, challenge: Challenge, scopes: string[], cred: Credentials | undefined, ctx: RegistryErrorContext): Promise<CachedToken> {
    const realm = challenge.params.realm;
    let realmUrl: URL;
    try {
      realmUrl = new URL(realm ?? "");
      if (realmUrl.protocol !== "https:" && realmUrl.protocol !== "http:") throw new Error("scheme");
    } catch {
      throw new RegistryError("protocol", ctx, `the Bearer challenge's realm "${realm ?? ""}" is not an http(s) URL`);
    }
    if (cred && realmUrl.protocol === "http:" && !this.insecureHost(realmUrl.host)) {
      throw new RegistryError("tls", ctx, `refusing to send the credentials from ${cred.origin} to token server ${realmUrl.origin} over plain HTTP: the realm must be https, or ${realmUrl.host} marked insecure (--insecure-registry)`);
    }
    const params = new URLSearchParams();
    if (challenge.params.service) params.set("service", challenge.params.service);
    for (const s of scopes) params.append("scope", s);
    this.tokenRequests++;
    let res: HttpResponse;
    try {
      if (cred?.identityToken) {
        params.set("grant_type", "refresh_token");
        params.set("client_id", "nodelet");
        params.set("refresh_token", cred.identityToken);
        res = await this.sender.send({
          method: "POST",
          url: realmUrl.toString(),
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: Buffer.from(params.toString()),
          ca: ep.ca,
        });
      } else {
        for (const [k, v] of params) realmUrl.searchParams.append(k, v);
        const authorization = cred ? `Basic ${Buffer.from(`${cred.username}:${cred.password}`).toString("base64")}` : undefined;
        res = await this.sender.send({ method: "GET", url: realmUrl.toString(), ...(authorization ? { authorization } : {}), ca: ep.ca, followRedirects: true });
      }
    } catch (err) {
      throw transportError(err, ctx, `token server ${realmUrl.origin}: `);
    }
    const body = await readBody(res, MAX_TOKEN_RESPONSE, "the token response").catch((err: Error) => {
      throw new RegistryError("too-large", ctx, err.message);
    });
    if (res.status !== 200) {
      const who = cred ? `the credentials from ${cred.origin}` : "anonymous access";
      throw statusError(res.status === 401 || res.status === 403 ? res.status : res.status, body, ctx, ` from token server ${realmUrl.origin} for ${who}`);
    }
    let doc: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      doc = JSON.parse(body.toString("utf8")) as typeof doc;
    } catch {
      throw new RegistryError("protocol", ctx, `token server ${realmUrl.origin} did not answer JSON`);
    }
    const token = typeof doc.token === "string" && doc.token ? doc.token : typeof doc.access_token === "string" ? doc.access_token : "";
    if (!token) throw new RegistryError("protocol", ctx, `token server ${realmUrl.origin} answered without a token`);
    const lifetime = typeof doc.expires_in === "number" && doc.expires_in > MIN_TOKEN_LIFETIME_S ? doc.expires_in : MIN_TOKEN_LIFETIME_S;
    return { token, expiresAt: this.now() + lifetime * 1000 - EXPIRY_MARGIN_MS };
  }
}

/** The challenge we answer: Bearer if offered, else Basic, else the first. */
export function pickChallenge(header: string | string[] | undefined): Challenge | undefined {
  const all = parseChallenges(header);
  return all.find((c) => c.scheme === "bearer") ?? all.find((c) => c.scheme === "basic") ?? all[0];
}

function tokenKey(c: Challenge, scopes: string[], cred: Credentials | undefined): string {
  return JSON.stringify([c.params.realm, c.params.service, [...scopes].sort(), cred ? `${cred.origin}\0${cred.username}` : ""]);
}

/** A transport failure as a RegistryError of kind connection or tls, naming the endpoint. */
export function transportError(err: unknown, ctx: RegistryErrorContext, prefix = ""): RegistryError {
  if (err instanceof RegistryError) return err;
  if (err instanceof TransportError) return new RegistryError(err.kind === "tls" ? "tls" : "connection", ctx, `${prefix}${err.message}`);
  return new RegistryError("connection", ctx, `${prefix}${(err as Error).message}`);
}
