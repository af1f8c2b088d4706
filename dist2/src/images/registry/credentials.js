/**
 * Registry credentials from Docker config JSON (`~/.docker/config.json` for the node via `--registry-config`, and
 * `.dockerconfigjson` of `kubernetes.io/dockerconfigjson` Secrets named in a pod's imagePullSecrets), matched to an
 * image the way the kubelet's credential keyring does (pkg/credentialprovider/keyring.go):
 *   - a key is a host[:port][/path] with optional scheme ("https://index.docker.io/v1/", "*.example.com", "host/team");
 *   - hosts match part by part with glob patterns (`*.example.com` matches `a.example.com`, not `example.com`),
 *     the port must match exactly, and the key's path must be a prefix of the repository path;
 *   - Docker Hub's keys (index.docker.io, registry-1.docker.io, docker.io, with or without /v1/) match docker.io;
 *   - the most specific key comes first; the puller tries each in turn, pull secrets before the node's file.
 *
 * A Credentials object is never logged, put in argv or in an error message: `describe()` names only its origin.
 */
import { DOCKER_HUB } from "../reference.js";
export const NO_CREDENTIALS = { lookup: () => [] };
const HUB_KEYS = new Set(["index.docker.io", "registry-1.docker.io", DOCKER_HUB]);
/**
 * Parses Docker config JSON (`{"auths": {KEY: {auth | username+password, identitytoken?}}}`; the legacy .dockercfg
 * shape without "auths" is accepted too, as the kubelet does). Throws an Error naming the bad key, never a value.
 */
export function parseDockerConfig(json, origin) {
    let doc;
    try {
        doc = JSON.parse(json);
    }
    catch {
        throw new Error(`${origin}: not valid JSON`);
    }
    if (typeof doc !== "object" || doc === null)
        throw new Error(`${origin}: not a JSON object`);
    const root = doc;
    const auths = typeof root.auths === "object" && root.auths !== null ? root.auths : "auths" in root ? {} : root;
    const out = [];
    for (const [key, entry] of Object.entries(auths)) {
        if (typeof entry !== "object" || entry === null)
            throw new Error(`${origin}: auths["${key}"] is not an object`);
        const e = entry;
        let username = typeof e.username === "string" ? e.username : "";
        let password = typeof e.password === "string" ? e.password : "";
        if (typeof e.auth === "string" && e.auth !== "") {
            const decoded = Buffer.from(e.auth, "base64").toString("utf8");
            const colon = decoded.indexOf(":");
            if (colon < 0)
                throw new Error(`${origin}: auths["${key}"].auth is not base64 of "username:password"`);
            username = decoded.slice(0, colon);
            password = decoded.slice(colon + 1);
        }
        const identityToken = typeof e.identitytoken === "string" && e.identitytoken !== "" ? e.identitytoken : undefined;
        if (!username && !password && !identityToken)
            continue; // an entry of a credential helper: nothing to use here
        out.push({ ...parseKey(key), creds: { username, password, ...(identityToken ? { identityToken } : {}), origin } });
    }
    return out;
}
function parseKey(key) {
    const noScheme = key.replace(/^[a-z][a-z0-9+.-]*:\/\//i, "");
    const slash = noScheme.indexOf("/");
    const hostPort = (slash < 0 ? noScheme : noScheme.slice(0, slash)).toLowerCase();
    let path = slash < 0 ? "" : noScheme.slice(slash + 1).replace(/\/+$/, "");
    const m = /^(.*?)(?::(\d+))?$/.exec(hostPort);
    let host = m[1];
    if (HUB_KEYS.has(host)) {
        host = DOCKER_HUB;
        if (path === "v1" || path === "v2")
            path = ""; // "https://index.docker.io/v1/" is Docker Hub itself
    }
    return { host, port: m[2] ?? "", path };
}
/** Whether a key's host pattern matches a host, part by part with `*` globs (the kubelet's URLsMatch). */
function hostMatches(pattern, host) {
    const p = pattern.split(".");
    const h = host.split(".");
    if (p.length !== h.length)
        return false;
    return p.every((part, i) => globMatch(part, h[i]));
}
function globMatch(pattern, s) {
    const re = new RegExp(`^${pattern.split("*").map((x) => x.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join("[^.]*")}$`);
    return re.test(s);
}
/** A keyring over several config files: the first source's matches come first (pull secrets, then the node). */
export class Keyring {
    entries;
    constructor(entries) {
        this.entries = entries;
    }
    static from(...configs) {
        return new Keyring(configs.flatMap((c) => parseDockerConfig(c.json, c.origin)));
    }
    /** Several keyrings in order of precedence (matches of the first before any of the second). */
    static chain(...sources) {
        return { lookup: (registry, repository) => sources.flatMap((s) => s.lookup(registry, repository)) };
    }
    lookup(registry, repository) {
        const m = /^(.*?)(?::(\d+))?$/.exec(registry.toLowerCase());
        const host = HUB_KEYS.has(m[1]) ? DOCKER_HUB : m[1];
        const port = m[2] ?? "";
        const matches = this.entries.filter((e) => e.port === port && hostMatches(e.host, host) && (e.path === "" || repository === e.path || repository.startsWith(`${e.path}/`)));
        // Most specific first: exact host before globs, longer paths before shorter (the keyring sorts keys the same way).
        const score = (e) => (e.host.includes("*") ? 0 : 1_000_000) + e.path.length * 100 + e.host.length;
        return matches
            .map((e, i) => ({ e, i }))
            .sort((a, b) => score(b.e) - score(a.e) || a.i - b.i)
            .map(({ e }) => e.creds);
    }
}
//# sourceMappingURL=credentials.js.map