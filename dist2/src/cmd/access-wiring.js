/**
 * Wiring of access into the daemon: the node's PKI (CA, serving certificate, admin client certificate) under
 * ROOT/pki, the TCP listener's authenticators (admin token, --token-auth-file users), and the RBAC controllers.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ensureNodePki } from "../auth/pki.js";
import { parseTokenFile, StaticTokenAuthenticator } from "../auth/token-file.js";
import { loadOrCreateSigningKey } from "../auth/signing-key.js";
import { ClusterRoleAggregationController } from "../controllers/clusterrole-aggregation.js";
import { ServiceAccountsController } from "../controllers/service-accounts.js";
import { loadOrCreateToken } from "../apiserver/index.js";
/** Certificates, the admin token and the token file's users for `--listen`; a bad token file stops the daemon. */
export async function prepareTcpAccess(cfg, listen, hosts, runner, log) {
    const token = await loadOrCreateToken(cfg.tokenFile);
    const pki = await ensureNodePki(join(cfg.root, "pki"), [listen.host, ...hosts].filter((h) => h !== "0.0.0.0" && h !== "::"), runner);
    const authenticators = [];
    if (cfg.tokenAuthFile) {
        const entries = parseTokenFile(readFileSync(cfg.tokenAuthFile, "utf8"), cfg.tokenAuthFile, log);
        authenticators.push(new StaticTokenAuthenticator(entries));
        log(`access: ${entries.length} users from ${cfg.tokenAuthFile}`);
    }
    return { tcp: { ...listen, token, cert: pki.serving.cert, key: pki.serving.key, clientCA: pki.ca.cert }, pki, authenticators };
}
/** The ServiceAccount token signing key, kept in ROOT/pki/sa.key so tokens outlive a restart. */
export function serviceAccountKey(cfg) {
    return loadOrCreateSigningKey(join(cfg.root, "pki", "sa.key"));
}
/**
 * Controllers of access objects: ClusterRole aggregation, the default ServiceAccount of each namespace, and (with a
 * CA, i.e. --listen) the kube-root-ca.crt ConfigMaps. Returns the function that stops them.
 */
export function startAccessControllers(store, rootCA, log) {
    const aggregation = new ClusterRoleAggregationController(store, log);
    const accounts = new ServiceAccountsController(store, rootCA, log);
    aggregation.start();
    accounts.start();
    return () => {
        aggregation.stop();
        accounts.stop();
    };
}
//# sourceMappingURL=access-wiring.js.map