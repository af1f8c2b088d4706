/**
 * The node's registry settings, from the daemon's flags, read and checked once at start (a bad file or flag stops
 * the daemon with a message naming it, before anything on the host changes):
 *   --registries-config PATH   mirrors, insecure hosts and CAs per registry (hosts.ts; default ROOT/registries.json
 *                              when that file exists)
 *   --insecure-registry HOST[:PORT]   plain HTTP for this registry (repeatable; loopback registries always are)
 *   --registry-ca PATH         a PEM bundle trusted for every registry besides the root CAs (repeatable)
 *   --registry-config PATH     the node's Docker config.json credentials (node-credentials.ts)
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DistributionClient } from "./client.js";
import { NO_CREDENTIALS } from "./credentials.js";
import { parseRegistriesConfig, RegistryHosts } from "./hosts.js";
import { NodeCredentialsFile } from "./node-credentials.js";
export function loadNodeRegistries(s, root) {
    const path = s.registriesConfig ?? (existsSync(join(root, "registries.json")) ? join(root, "registries.json") : undefined);
    let config = { registries: {} };
    if (path) {
        let text;
        try {
            text = readFileSync(path, "utf8");
        }
        catch (err) {
            throw new Error(`--registries-config ${path}: cannot read: ${err.code ?? err.message}`);
        }
        config = parseRegistriesConfig(text, path);
    }
    for (const ca of [...s.registryCa, ...Object.values(config.registries).flatMap((r) => (r.ca ? [r.ca] : []))]) {
        try {
            const pem = readFileSync(ca, "utf8");
            if (!pem.includes("-----BEGIN CERTIFICATE-----"))
                throw new Error("no PEM certificate in it");
        }
        catch (err) {
            throw new Error(`registry CA ${ca}: ${err.code ?? err.message}`);
        }
    }
    const hosts = new RegistryHosts(config, s.insecureRegistries, s.registryCa);
    const nodeCredentials = s.registryConfig ? new NodeCredentialsFile(s.registryConfig) : NO_CREDENTIALS;
    return { client: new DistributionClient({ hosts }), nodeCredentials };
}
//# sourceMappingURL=settings.js.map