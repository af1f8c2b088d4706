/** The API server's public surface: what the daemon wiring, the CLI and the tests import. */
export { createApiServer, type ApiServer, type ApiServerOptions, type TcpListenerOptions } from "./server.js";
export { ensureServingCert, type ServingCert, type CertOptions } from "./tls.js";
export { writeKubeconfig, renderKubeconfig, type KubeconfigOptions } from "./kubeconfig.js";
export { generateToken, loadOrCreateToken } from "./auth.js";
export type { CreateHook, UpdateHook, HookContext } from "./hooks.js";
export type { NodeUsage } from "./context.js";
export { planPodDeletion, type DeletePlan } from "./graceful.js";
export { parseListenAddress, prepareTcpListener, type TcpSetupOptions } from "./tcp-setup.js";
export { INITIAL_NAMESPACES } from "./namespaces.js";
export { summarizePod, formatAge, humanDuration, type PodSummary } from "../api/tables/format.js";
