/**
 * The two sources of registry credentials a pull uses, in the kubelet's order: the pod's imagePullSecrets first,
 * then the node's Docker config file (`--registry-config PATH`).
 *
 * Pull secrets (the kubelet's MakeDockerKeyring): Secrets of type `kubernetes.io/dockerconfigjson` (key
 * `.dockerconfigjson`) or the legacy `kubernetes.io/dockercfg` (`.dockercfg`), base64 in `data`. A named Secret that
 * is missing or of another type is skipped with a warning (the kubelet logs "Unable to retrieve pull secret" and pulls
 * on), and so is one whose JSON is malformed, named without its content.
 *
 * The node file is read at start (a missing or malformed file named by the flag fails the daemon's start) and again
 * whenever its mtime changes, so `docker login` style updates apply to the next pull without a restart.
 */
import { readFileSync, statSync } from "node:fs";
import { Keyring } from "./credentials.js";
const SECRET_KEYS = {
    "kubernetes.io/dockerconfigjson": ".dockerconfigjson",
    "kubernetes.io/dockercfg": ".dockercfg",
};
/** The credentials of a pod's pull secrets, in the order the pod names them, and why any was skipped. */
export function pullSecretCredentials(namespace, secrets) {
    const warnings = [];
    const configs = [];
    for (const { name, secret } of secrets) {
        const origin = `imagePullSecret ${namespace}/${name}`;
        if (!secret) {
            warnings.push(`Unable to retrieve pull secret ${namespace}/${name} for the image pull: not found; pulling without it`);
            continue;
        }
        const key = SECRET_KEYS[secret.type ?? ""];
        const encoded = key ? (secret.data?.[key] ?? (secret.stringData?.[key] !== undefined ? Buffer.from(secret.stringData[key]).toString("base64") : undefined)) : undefined;
        if (!key || encoded === undefined) {
            warnings.push(`pull secret ${namespace}/${name} is of type "${secret.type ?? ""}", not kubernetes.io/dockerconfigjson with .dockerconfigjson; ignored`);
            continue;
        }
        const json = Buffer.from(encoded, "base64").toString("utf8");
        try {
            Keyring.from({ json, origin }); // validate now, so one bad Secret does not fail the others
            configs.push({ json, origin });
        }
        catch (err) {
            warnings.push(`${err.message}; ignored`);
        }
    }
    return { source: Keyring.from(...configs), warnings };
}
/** The node's Docker config.json, re-read when it changes. */
export class NodeCredentialsFile {
    path;
    keyring;
    mtimeMs;
    /** Reads and validates the file now; throws naming the flag and file. */
    constructor(path) {
        this.path = path;
        const { keyring, mtimeMs } = this.read();
        this.keyring = keyring;
        this.mtimeMs = mtimeMs;
    }
    lookup(registry, repository) {
        try {
            const mtimeMs = statSync(this.path).mtimeMs;
            if (mtimeMs !== this.mtimeMs)
                ({ keyring: this.keyring, mtimeMs: this.mtimeMs } = this.read());
        }
        catch {
            // Unreadable or malformed mid-edit: keep the last good credentials; the next lookup tries again.
        }
        return this.keyring.lookup(registry, repository);
    }
    read() {
        const origin = `--registry-config ${this.path}`;
        let text;
        let mtimeMs;
        try {
            mtimeMs = statSync(this.path).mtimeMs;
            text = readFileSync(this.path, "utf8");
        }
        catch (err) {
            throw new Error(`${origin}: cannot read: ${err.code ?? err.message}`);
        }
        if (text.length > 4 << 20)
            throw new Error(`${origin}: over 4 MiB`);
        return { keyring: Keyring.from({ json: text, origin }), mtimeMs };
    }
}
//# sourceMappingURL=node-credentials.js.map