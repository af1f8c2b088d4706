/**
 * The API server's admission chain and the access controllers it needs, in kube-apiserver's order: one place for the
 * all-in-one daemon and the control-plane role, so the two never admit differently.
 */
import { join } from "node:path";
import type { ApiServer } from "../apiserver/index.js";
import type { Store } from "../store/store.js";
import { installLimitRanger, installPodSecurity, installResourceQuota, installServiceAccountAdmission, startAccessControllers, type PodSecuritySettings } from "./access-wiring.js";
import type { DaemonConfig } from "./daemon-config.js";
import { installPriorityAdmission } from "./priority-wiring.js";
import { installServiceAllocation } from "./service-wiring.js";
import { installStorageHooks } from "./storage-wiring.js";

/** Installs admission on `api` before it listens; returns the function that stops the access controllers. */
export function installAdmission(cfg: DaemonConfig, store: Store, api: ApiServer, rootCA: string | undefined, podSecurity: PodSecuritySettings, log: (m: string) => void): () => void {
  installServiceAllocation(cfg, store, api);
  installStorageHooks(store, api);
  // Before the API listens: each namespace's `default` account exists when its first pod is admitted.
  const stopAccess = startAccessControllers(store, rootCA, log, rootCA !== undefined ? join(cfg.root, "pki") : undefined, cfg.clusterSigningDurationMs);
  // The mutating plugins, then Pod Security, then quota last.
  if (rootCA !== undefined) installServiceAccountAdmission(api);
  installLimitRanger(api);
  installPriorityAdmission(store, api);
  installPodSecurity(api, podSecurity);
  installResourceQuota(api);
  return stopAccess;
}
