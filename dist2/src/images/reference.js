/**
 * Image references parsed and normalised exactly as Docker and the kubelet do (distribution/reference
 * `ParseNormalizedNamed` + `TagNameOnly`): `nginx` → `docker.io/library/nginx:latest`,
 * `localhost:5000/app@sha256:…` keeps its registry and digest, `index.docker.io` is `docker.io`.
 *
 * The first path component is a registry host only when it contains `.` or `:`, is `localhost`, or has an upper-case
 * letter (a repository never may); anything else is a Docker Hub repository. A reference with neither tag nor digest
 * gets `latest`; one with both keeps both (the digest decides what is pulled, as containerd and Docker do).
 *
 * Nothing here does I/O. Errors are InvalidImageNameError, whose message names the reason (the kubelet's
 * `InvalidImageName` state carries it).
 */
export const DOCKER_HUB = "docker.io";
const DOCKER_HUB_ALIASES = new Set(["index.docker.io"]);
const MAX_NAME = 255; // distribution/reference NameTotalLengthMax: registry + "/" + repository
/** A reference Docker would refuse; the message is the reason ("invalid reference format: …"). */
export class InvalidImageNameError extends Error {
    reference;
    constructor(reference, reason) {
        super(`invalid reference format: ${reason}`);
        this.reference = reference;
        this.name = "InvalidImageNameError";
    }
}
// The grammar of distribution/reference regexp.go, piece by piece.
const HOST_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const DOMAIN_RE = new RegExp(`^(?:${HOST_COMPONENT}(?:\\.${HOST_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`);
const PATH_COMPONENT_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG_RE = /^[\w][\w.-]{0,127}$/;
const HEX64_RE = /^[a-f0-9]{64}$/;
const DIGEST_HEX = { sha256: /^[a-f0-9]{64}$/, sha512: /^[a-f0-9]{128}$/ };
/**
 * Validates a content digest as image-spec descriptor.md defines it, for the algorithms we can verify. Returns the
 * digest; throws with the reason. Every digest from a manifest or a user passes here before it names a file or URL.
 */
export function validateDigest(digest) {
    const colon = digest.indexOf(":");
    if (colon <= 0)
        throw new Error(`invalid digest "${clip(digest)}": expected ALGORITHM:HEX`);
    const alg = digest.slice(0, colon);
    const hex = digest.slice(colon + 1);
    const re = DIGEST_HEX[alg];
    if (!re)
        throw new Error(`unsupported digest algorithm "${clip(alg)}" (sha256 and sha512 are supported)`);
    if (!re.test(hex))
        throw new Error(`invalid ${alg} digest "${clip(digest)}": expected ${alg === "sha256" ? 64 : 128} lower-case hex digits`);
    return digest;
}
/** Parses and normalises one reference; throws InvalidImageNameError naming the reason. */
export function parseImageReference(input) {
    const fail = (reason) => {
        throw new InvalidImageNameError(input, reason);
    };
    if (input.length === 0)
        fail("reference is empty");
    if (input !== input.trim() || /\s/.test(input))
        fail(`"${clip(input)}" contains white space`);
    if (HEX64_RE.test(input))
        fail(`invalid repository name (${input}), cannot specify 64-byte hexadecimal strings`);
    let rest = input;
    let digest;
    const at = rest.indexOf("@");
    if (at >= 0) {
        const d = rest.slice(at + 1);
        rest = rest.slice(0, at);
        try {
            digest = validateDigest(d);
        }
        catch (err) {
            fail(err.message);
        }
    }
    let tag;
    const lastSlash = rest.lastIndexOf("/");
    const colon = rest.lastIndexOf(":");
    if (colon > lastSlash) {
        tag = rest.slice(colon + 1);
        rest = rest.slice(0, colon);
        if (!TAG_RE.test(tag))
            fail(`tag "${clip(tag)}" must match [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`);
    }
    const { registry, repository } = splitRegistry(rest, fail);
    if (registry.length + 1 + repository.length > MAX_NAME)
        fail(`repository name must not be more than ${MAX_NAME} characters`);
    if (tag === undefined && digest === undefined)
        tag = "latest";
    return { registry, repository, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}
function splitRegistry(name, fail) {
    if (name.length === 0)
        fail("repository name must have at least one component");
    const slash = name.indexOf("/");
    const first = slash < 0 ? "" : name.slice(0, slash);
    const isHost = slash >= 0 && (first.includes(".") || first.includes(":") || first === "localhost" || first !== first.toLowerCase());
    let registry = isHost ? first : DOCKER_HUB;
    let repository = isHost ? name.slice(slash + 1) : name;
    if (isHost && !DOMAIN_RE.test(registry))
        fail(`registry host "${clip(registry)}" is not a valid host name or host:port`);
    if (DOCKER_HUB_ALIASES.has(registry.toLowerCase()))
        registry = DOCKER_HUB;
    if (registry === DOCKER_HUB && !repository.includes("/"))
        repository = `library/${repository}`;
    if (repository !== repository.toLowerCase())
        fail(`repository name (${clip(repository)}) must be lowercase`);
    const parts = repository.split("/");
    for (const part of parts) {
        if (part.length === 0)
            fail(`repository name "${clip(repository)}" has an empty path component`);
        if (!PATH_COMPONENT_RE.test(part)) {
            fail(`repository path component "${clip(part)}" must match [a-z0-9]+ separated by ".", "_", "__" or "-"`);
        }
    }
    return { registry, repository };
}
/** The full normalised string: "docker.io/library/nginx:latest", "host:5000/app@sha256:…", or both tag and digest. */
export function formatReference(ref) {
    return `${ref.registry}/${ref.repository}${ref.tag !== undefined ? `:${ref.tag}` : ""}${ref.digest !== undefined ? `@${ref.digest}` : ""}`;
}
/** "registry/repository" without tag or digest. */
export function repositoryName(ref) {
    return `${ref.registry}/${ref.repository}`;
}
/** The short form Docker prints (FamiliarString): "nginx:latest", "team/app:v1", "127.0.0.1:5000/app@sha256:…". */
export function familiarReference(ref) {
    let name = repositoryName(ref);
    if (ref.registry === DOCKER_HUB)
        name = ref.repository.startsWith("library/") && ref.repository.split("/").length === 2 ? ref.repository.slice(8) : ref.repository;
    return `${name}${ref.tag !== undefined ? `:${ref.tag}` : ""}${ref.digest !== undefined ? `@${ref.digest}` : ""}`;
}
/** What to ask the registry for: the digest when there is one (it pins the content), else the tag. */
export function manifestSelector(ref) {
    return ref.digest ?? ref.tag ?? "latest";
}
/** The same repository at another tag or digest (a pulled tag resolved to the digest it named, for instance). */
export function withDigest(ref, digest) {
    return { registry: ref.registry, repository: ref.repository, ...(ref.tag !== undefined ? { tag: ref.tag } : {}), digest: validateDigest(digest) };
}
function clip(s) {
    return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
//# sourceMappingURL=reference.js.map