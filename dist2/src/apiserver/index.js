/** The API server's public surface: what the daemon wiring, the CLI and the tests import. */
export { createApiServer } from "./server.js";
export { ensureServingCert } from "./tls.js";
export { writeKubeconfig, renderKubeconfig } from "./kubeconfig.js";
export { generateToken, loadOrCreateToken } from "./auth.js";
export { planPodDeletion, DEFAULT_GRACE_SECONDS } from "./graceful.js";
export { parseListenAddress, prepareTcpListener } from "./tcp-setup.js";
export { INITIAL_NAMESPACES } from "./namespaces.js";
export { summarizePod, formatAge, humanDuration } from "../api/tables/format.js";
//# sourceMappingURL=index.js.map