import { RegistryError, statusError } from "./errors.js";
import { readBody, TransportError } from "./transport.js";
import { parseChallenges } from "./challenge.js";
const MAX_TOKEN_RESPONSE = 1 << 20;
const MIN_TOKEN_LIFETIME_S = 60;
const EXPIRY_MARGIN_MS = 10_000;
export class Authenticator {
    sender;
    now;
    /** Endpoint URL → the challenge its /v2/ answered (null: no auth needed). */
    challenges = new Map();
    tokens = new Map();
    /** Token server round trips made (for tests and progress output). */
    tokenRequests = 0;
    constructor(sender, now = Date.now) {
        this.sender = sender;
        this.now = now;
    }
    /** The endpoint's challenge, from one `GET /v2/` shared by concurrent callers; a failed ping is not cached. */
    challenge(ep, ctx) {
        let p = this.challenges.get(ep.url);
        if (!p) {
            p = this.ping(ep, ctx);
            this.challenges.set(ep.url, p);
            p.catch(() => this.challenges.delete(ep.url));
        }
        return p;
    }
    /** Records a challenge a later 401 carried (a registry may start asking mid-session). */
    learn(ep, challenge) {
        this.challenges.set(ep.url, Promise.resolve(challenge));
    }
    /** Forgets cached tokens for this challenge and credential (after the registry refused one). */
    forget(challenge, scopes, cred) {
        this.tokens.delete(tokenKey(challenge, scopes, cred));
    }
    /** The Authorization header value for a request under `challenge`, or undefined for anonymous access. */
    async header(challenge, scopes, cred, ctx) {
        if (!challenge)
            return undefined;
        if (challenge.scheme === "basic") {
            return cred ? `Basic ${Buffer.from(`${cred.username}:${cred.password}`).toString("base64")}` : undefined;
        }
        if (challenge.scheme !== "bearer") {
            throw new RegistryError("unsupported", ctx, `the registry asks for ${challenge.scheme} authentication, which nodelet does not speak`);
        }
        const key = tokenKey(challenge, scopes, cred);
        const cached = this.tokens.get(key);
        if (cached && cached.expiresAt > this.now())
            return `Bearer ${cached.token}`;
        const fresh = await this.fetchToken(challenge, scopes, cred, ctx);
        this.tokens.set(key, fresh);
        return `Bearer ${fresh.token}`;
    }
    async ping(ep, ctx) {
        const res = await this.sender.send({ method: "GET", url: `${ep.url}/v2/`, ca: ep.ca, followRedirects: true }).catch((err) => {
            throw transportError(err, ctx);
        });
        const body = await readBody(res, 64 << 10, "the /v2/ answer").catch(() => Buffer.alloc(0));
        if (res.status === 200)
            return null;
        if (res.status === 401) {
            const c = pickChallenge(res.headers["www-authenticate"]);
            if (!c)
                throw new RegistryError("protocol", ctx, "401 from /v2/ without a usable WWW-Authenticate challenge", 401);
            return c;
        }
        throw statusError(res.status, body, ctx, " from /v2/ (is this a registry?)");
    }
    async fetchToken(challenge, scopes, cred, ctx) {
        const realm = challenge.params.realm;
        let realmUrl;
        try {
            realmUrl = new URL(realm ?? "");
            if (realmUrl.protocol !== "https:" && realmUrl.protocol !== "http:")
                throw new Error("scheme");
        }
        catch {
            throw new RegistryError("protocol", ctx, `the Bearer challenge's realm "${realm ?? ""}" is not an http(s) URL`);
        }
        const params = new URLSearchParams();
        if (challenge.params.service)
            params.set("service", challenge.params.service);
        for (const s of scopes)
            params.append("scope", s);
        this.tokenRequests++;
        let res;
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
                });
            }
            else {
                for (const [k, v] of params)
                    realmUrl.searchParams.append(k, v);
                const authorization = cred ? `Basic ${Buffer.from(`${cred.username}:${cred.password}`).toString("base64")}` : undefined;
                res = await this.sender.send({ method: "GET", url: realmUrl.toString(), ...(authorization ? { authorization } : {}), followRedirects: true });
            }
        }
        catch (err) {
            throw transportError(err, ctx, `token server ${realmUrl.origin}: `);
        }
        const body = await readBody(res, MAX_TOKEN_RESPONSE, "the token response").catch((err) => {
            throw new RegistryError("too-large", ctx, err.message);
        });
        if (res.status !== 200) {
            const who = cred ? `the credentials from ${cred.origin}` : "anonymous access";
            throw statusError(res.status === 401 || res.status === 403 ? res.status : res.status, body, ctx, ` from token server ${realmUrl.origin} for ${who}`);
        }
        let doc;
        try {
            doc = JSON.parse(body.toString("utf8"));
        }
        catch {
            throw new RegistryError("protocol", ctx, `token server ${realmUrl.origin} did not answer JSON`);
        }
        const token = typeof doc.token === "string" && doc.token ? doc.token : typeof doc.access_token === "string" ? doc.access_token : "";
        if (!token)
            throw new RegistryError("protocol", ctx, `token server ${realmUrl.origin} answered without a token`);
        const lifetime = typeof doc.expires_in === "number" && doc.expires_in > MIN_TOKEN_LIFETIME_S ? doc.expires_in : MIN_TOKEN_LIFETIME_S;
        return { token, expiresAt: this.now() + lifetime * 1000 - EXPIRY_MARGIN_MS };
    }
}
/** The challenge we answer: Bearer if offered, else Basic, else the first. */
export function pickChallenge(header) {
    const all = parseChallenges(header);
    return all.find((c) => c.scheme === "bearer") ?? all.find((c) => c.scheme === "basic") ?? all[0];
}
function tokenKey(c, scopes, cred) {
    return JSON.stringify([c.params.realm, c.params.service, [...scopes].sort(), cred ? `${cred.origin}\0${cred.username}` : ""]);
}
/** A transport failure as a RegistryError of kind connection or tls, naming the endpoint. */
export function transportError(err, ctx, prefix = "") {
    if (err instanceof RegistryError)
        return err;
    if (err instanceof TransportError)
        return new RegistryError(err.kind === "tls" ? "tls" : "connection", ctx, `${prefix}${err.message}`);
    return new RegistryError("connection", ctx, `${prefix}${err.message}`);
}
//# sourceMappingURL=auth.js.map