/**
 * The distribution-spec client the image puller uses (opencontainers/distribution-spec v1.1): manifests resolved to
 * this node's platform and verified, blobs as verified resumable streams, pushes. Every request goes through one
 * path (`call`): endpoint order (mirrors, then the registry), authentication (auth.ts), and errors that name the
 * registry, repository, object and cause (errors.ts).
 *
 * What the client checks, since nothing a registry sends is trusted:
 *   - manifests: at most 4 MiB; the bytes hash to the digest asked for, or to `Docker-Content-Digest` when asked by
 *     tag; Content-Type and the body's mediaType agree; descriptors validated (manifest.ts);
 *   - an index is resolved to one platform entry (platform.ts) and that manifest verified by its digest;
 *   - blobs: hashed while streamed, the size never exceeded, the stream failing at its end on a mismatch (blob.ts).
 */
import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import { manifestSelector, validateDigest, type ImageReference } from "../reference.js";
import { Authenticator, pickChallenge, transportError } from "./auth.js";
import { openVerifiedBlob } from "./blob.js";
import type { Call } from "./call.js";
import type { Challenge } from "./challenge.js";
import { NO_CREDENTIALS, type CredentialSource, type Credentials } from "./credentials.js";
import { RegistryError, statusError, type RegistryErrorContext } from "./errors.js";
import { RegistryHosts, type Endpoint } from "./hosts.js";
import { MANIFEST_ACCEPT, MAX_MANIFEST_BYTES, parseManifest, type Descriptor, type ImageIndex, type ImageManifest, type Platform } from "../manifest.js";
import { nodePlatform, selectPlatform } from "../platform.js";
import { DEFAULT_PUSH_OPTIONS, pushImage, type PushOptions, type PushResult, type PushSource } from "./push.js";
import { discard, readBody, Transport, TransportError, type HttpResponse } from "./transport.js";

export interface ManifestResult {
  /** Digest of what the reference named: the index when it named one (the image's RepoDigest), else the manifest. */
  digest: string;
  /** Digest of the platform manifest below (equal to `digest` when the reference named a manifest). */
  manifestDigest: string;
  mediaType: string;
  bytes: Buffer;
  manifest: ImageManifest;
  /** The index the manifest was chosen from, when the reference named one. */
  index?: { mediaType: string; bytes: Buffer; index: ImageIndex };
  /** The endpoint that served it ("http://127.0.0.1:5000"); a mirror when one had it. */
  endpoint: string;
}

export interface RegistryClient {
  /** The platform manifest for ref (an index resolved for this node's platform), verified; with the digest of what ref named. */
  getImageManifest(ref: ImageReference, creds?: CredentialSource): Promise<ManifestResult>;
  /**
   * A verified stream of one blob: it errors at its end when the bytes do not hash to `desc.digest` or exceed
   * `desc.size`, and resumes with `Range` after a dropped connection. Rejects (before any byte) on 401/403/404.
   */
  openBlob(ref: ImageReference, desc: { digest: string; size: number }, creds?: CredentialSource): Promise<Readable>;
  /** Pushes an image (its blobs, then its manifest) to ref's registry, never a mirror. */
  pushImage(ref: ImageReference, source: PushSource, creds?: CredentialSource): Promise<PushResult>;
}

export interface ClientOptions {
  hosts?: RegistryHosts;
  platform?: Platform;
  /** Socket idle timeout (no bytes either way), ms. */
  idleTimeoutMs?: number;
  /** Wall clock for token expiry (a fake in tests). */
  now?: () => number;
  /** Attempts to resume one blob after dropped connections that made no progress. */
  blobRetries?: number;
  /** Chunked upload of large blobs on push (push.ts). */
  push?: Partial<PushOptions>;
}

export class DistributionClient implements RegistryClient {
  readonly hosts: RegistryHosts;
  readonly platform: Platform;
  readonly auth: Authenticator;
  private readonly transport: Transport;
  private readonly blobRetries: number;
  private readonly pushOptions: PushOptions;
  /** Insecure hosts' scheme, as found once (hosts.ts httpsFirst): host → the endpoint to use. */
  private readonly settled = new Map<string, Promise<Endpoint>>();

  constructor(opts: ClientOptions = {}) {
    this.hosts = opts.hosts ?? new RegistryHosts();
    this.platform = opts.platform ?? nodePlatform();
    this.transport = new Transport(opts.idleTimeoutMs ?? 30_000);
    this.auth = new Authenticator(this.transport, opts.now ?? Date.now, (host) => this.hosts.isInsecure(host));
    this.blobRetries = opts.blobRetries ?? 5;
    this.pushOptions = { ...DEFAULT_PUSH_OPTIONS, ...opts.push };
  }

  close(): void {
    this.transport.close();
  }

  async getImageManifest(ref: ImageReference, creds: CredentialSource = NO_CREDENTIALS): Promise<ManifestResult> {
    return this.onEachEndpoint(ref, async (ep) => {
      const top = await this.fetchManifest(ep, ref, manifestSelector(ref), creds);
      if (top.parsed.kind === "manifest") {
        return { digest: top.digest, manifestDigest: top.digest, mediaType: top.mediaType, bytes: top.bytes, manifest: top.parsed.manifest, endpoint: ep.url };
      }
      const index = top.parsed.index;
      let entry: Descriptor;
      try {
        entry = selectPlatform(index.manifests, this.platform);
      } catch (err) {
        throw new RegistryError("unsupported", this.context(ep, ref, top.digest), (err as Error).message);
      }
      const platform = await this.fetchManifest(ep, ref, entry.digest, creds);
      if (platform.parsed.kind !== "manifest") {
        throw new RegistryError("unsupported", this.context(ep, ref, entry.digest), "an index entry is itself an index (nested indexes are not supported)");
      }
      return {
        digest: top.digest,
        manifestDigest: platform.digest,
        mediaType: platform.mediaType,
        bytes: platform.bytes,
        manifest: platform.parsed.manifest,
        index: { mediaType: top.mediaType, bytes: top.bytes, index },
        endpoint: ep.url,
      };
    });
  }

  /**
   * One manifest or index by tag or digest (`selector`), verified, through the mirrors then the registry; not resolved
   * to a platform (the caller decides, e.g. a puller that records the index).
   */
  async getManifest(ref: ImageReference, selector: string, creds: CredentialSource = NO_CREDENTIALS): Promise<{ digest: string; mediaType: string; bytes: Buffer; endpoint: string }> {
    return this.onEachEndpoint(ref, async (ep) => {
      const got = await this.fetchManifest(ep, ref, selector, creds);
      return { digest: got.digest, mediaType: got.mediaType, bytes: got.bytes, endpoint: ep.url };
    });
  }

  /** One manifest or index by tag or digest from one endpoint, verified. */
  async fetchManifest(ep: Endpoint, ref: ImageReference, selector: string, creds: CredentialSource = NO_CREDENTIALS) {
    const ctx = this.context(ep, ref, selector);
    const res = await this.call({
      ep,
      ctx,
      scopes: [pullScope(ref)],
      creds: creds.lookup(ep.mirror ? ep.host : ref.registry, ref.repository),
      req: { method: "GET", url: `${ep.url}/v2/${ref.repository}/manifests/${selector}`, headers: { accept: MANIFEST_ACCEPT.join(", ") }, followRedirects: true },
    });
    const bytes = await readBody(res, MAX_MANIFEST_BYTES, "the manifest").catch((err: Error) => {
      throw err instanceof RegistryError ? err : new RegistryError("too-large", ctx, err.message);
    });
    if (res.status !== 200) throw statusError(res.status, bytes, ctx);
    const digest = verifyManifestDigest(bytes, selector, header(res, "docker-content-digest"), ctx);
    let parsed;
    try {
      parsed = parseManifest(bytes, header(res, "content-type"));
    } catch (err) {
      throw new RegistryError(/media type|schema/.test((err as Error).message) ? "unsupported" : "protocol", ctx, (err as Error).message);
    }
    const mediaType = parsed.kind === "manifest" ? parsed.manifest.mediaType : parsed.index.mediaType;
    return { digest, mediaType, bytes, parsed };
  }

  async openBlob(ref: ImageReference, desc: { digest: string; size: number }, creds: CredentialSource = NO_CREDENTIALS): Promise<Readable> {
    validateDigest(desc.digest);
    return this.onEachEndpoint(ref, (ep) =>
      openVerifiedBlob(
        (range) =>
          this.call({
            ep,
            ctx: this.context(ep, ref, desc.digest),
            scopes: [pullScope(ref)],
            creds: creds.lookup(ep.mirror ? ep.host : ref.registry, ref.repository),
            req: { method: "GET", url: `${ep.url}/v2/${ref.repository}/blobs/${desc.digest}`, headers: range ? { range } : {}, followRedirects: true },
          }),
        desc,
        this.context(ep, ref, desc.digest),
        this.blobRetries,
      ),
    );
  }

  async pushImage(ref: ImageReference, source: PushSource, creds: CredentialSource = NO_CREDENTIALS): Promise<PushResult> {
    const ep = await this.settle(this.hosts.pushEndpoint(ref.registry));
    return pushImage(this, ep, ref, source, creds.lookup(ref.registry, ref.repository), this.pushOptions);
  }

  /**
   * Sends one request with authentication: the endpoint's challenge (from its /v2/ ping) decides the header; a 401
   * teaches a new challenge once, then each matching credential is tried in turn (the kubelet tries every key that
   * matches). A request with a streamed body cannot be repeated, so its 401 is final.
   */
  async call(c: Call): Promise<HttpResponse> {
    let challenge: Challenge | null = await this.auth.challenge(c.ep, c.ctx);
    const candidates: (Credentials | undefined)[] = c.creds.length ? c.creds : [undefined];
    const repeatable = c.req.body === undefined || Buffer.isBuffer(c.req.body);
    let relearned = false;
    let lastError: RegistryError | undefined;
    for (let i = 0; i < candidates.length; i++) {
      const cred = candidates[i];
      let authorization: string | undefined;
      try {
        authorization = await this.auth.header(c.ep, challenge, c.scopes, cred, c.ctx);
      } catch (err) {
        if (err instanceof RegistryError && (err.kind === "unauthorized" || err.kind === "denied") && i + 1 < candidates.length) {
          lastError = err;
          continue;
        }
        throw err;
      }
      const res = await this.transport
        .send({ ...c.req, ...(authorization ? { authorization } : {}), ca: c.ep.ca, insecureTls: c.ep.insecureTls })
        .catch((err: unknown) => {
          throw transportError(err, c.ctx);
        });
      if (res.status !== 401) return res;
      const body = await readBody(res, 64 << 10, "the 401 answer").catch(() => Buffer.alloc(0));
      const fresh = pickChallenge(res.headers["www-authenticate"]);
      if (challenge) this.auth.forget(challenge, c.scopes, cred);
      if (fresh && repeatable && !relearned && !sameChallenge(fresh, challenge)) {
        relearned = true;
        challenge = fresh;
        this.auth.learn(c.ep, fresh);
        i--; // the same credential again, under the challenge the registry asked for
        continue;
      }
      const who = cred ? ` with the credentials from ${cred.origin}` : c.creds.length === 0 ? " (no credentials match this registry)" : "";
      lastError = statusError(401, body, c.ctx, who);
      if (!repeatable) break;
    }
    throw lastError ?? new RegistryError("unauthorized", c.ctx, "401 Unauthorized");
  }

  /** Runs `fn` against each pull endpoint in order (mirrors first); the last endpoint's error wins, mirrors' are noted. */
  private async onEachEndpoint<T>(ref: ImageReference, fn: (ep: Endpoint) => Promise<T>): Promise<T> {
    const endpoints = this.hosts.pullEndpoints(ref.registry);
    const skipped: string[] = [];
    for (const [i, candidate] of endpoints.entries()) {
      const ep = await this.settle(candidate);
      try {
        return await fn(ep);
      } catch (err) {
        if (i === endpoints.length - 1) {
          if (skipped.length && err instanceof RegistryError) {
            throw new RegistryError(err.kind, err.context, `${err.detail} (mirrors tried first: ${skipped.join("; ")})`, err.status);
          }
          throw err;
        }
        skipped.push(`${ep.url}: ${err instanceof RegistryError ? err.detail : (err as Error).message}`);
      }
    }
    throw new Error("no endpoints"); // pullEndpoints always ends with the registry itself
  }

  /**
   * The endpoint to use for an insecure host named without a scheme (hosts.ts httpsFirst), as Docker treats insecure
   * registries: HTTPS when the host answers TLS (its certificate unchecked), plain HTTP when the TLS handshake fails
   * (the host speaks HTTP). Found once per host; a host that cannot be reached at all is asked again next time.
   */
  private settle(ep: Endpoint): Promise<Endpoint> {
    if (!ep.httpsFirst) return Promise.resolve(ep);
    const plain: Endpoint = { url: ep.url, host: ep.host, mirror: ep.mirror, ca: ep.ca };
    let p = this.settled.get(ep.host);
    if (!p) {
      const tls: Endpoint = { ...plain, url: `https://${ep.host}`, insecureTls: true };
      p = this.transport.send({ method: "GET", url: `${tls.url}/v2/`, ca: ep.ca, insecureTls: true }).then(
        (res) => {
          discard(res);
          return tls;
        },
        (err: unknown) => {
          if (err instanceof TransportError && err.kind === "tls") return plain;
          this.settled.delete(ep.host); // unreachable: the plain HTTP request reports it, and the next pull asks again
          return plain;
        },
      );
      this.settled.set(ep.host, p);
    }
    return p;
  }

  context(ep: Endpoint, ref: ImageReference, object?: string): RegistryErrorContext {
    const own = this.hosts.pushEndpoint(ref.registry);
    // The registry itself, whichever scheme it was reached by, is not named again; a mirror is.
    return { registry: ref.registry, repository: ref.repository, ...(object ? { object } : {}), ...(ep.mirror || ep.host !== own.host ? { endpoint: ep.url } : {}) };
  }
}

export function pullScope(ref: ImageReference): string {
  return `repository:${ref.repository}:pull`;
}

function header(res: HttpResponse, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function sameChallenge(a: Challenge, b: Challenge | null): boolean {
  return b !== null && a.scheme === b.scheme && a.params.realm === b.params.realm && a.params.service === b.params.service && a.params.scope === b.params.scope;
}

/**
 * The digest of manifest bytes, checked: against the digest asked for (a pull by digest), else against
 * Docker-Content-Digest when the registry sent one (distribution-spec: a client that uses it MUST verify it).
 */
export function verifyManifestDigest(bytes: Buffer, selector: string, contentDigest: string | undefined, ctx: RegistryErrorContext): string {
  const expected = selector.includes(":") ? selector : contentDigest;
  if (expected === undefined) return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
  try {
    validateDigest(expected);
  } catch (err) {
    throw new RegistryError("protocol", ctx, `Docker-Content-Digest: ${(err as Error).message}`);
  }
  const [alg] = expected.split(":");
  const actual = `${alg}:${createHash(alg).update(bytes).digest("hex")}`;
  if (actual !== expected) {
    const source = selector.includes(":") ? "the digest asked for" : "Docker-Content-Digest";
    throw new RegistryError("digest-mismatch", ctx, `manifest digest mismatch: the bytes hash to ${actual}, not ${expected} (${source})`);
  }
  return actual;
}

