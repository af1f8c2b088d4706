/**
 * Wiring of access into the daemon: the node's PKI (CA, serving certificate, admin client certificate) under
 * ROOT/pki, the TCP listener's authenticators (admin token, --token-auth-file users), and the RBAC controllers.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ApiServer, TcpListenerOptions } from "../apiserver/index.js";
import type { Pod } from "../api/types.js";
import { PodTokens } from "../auth/pod-tokens.js";
import { admitServiceAccount } from "../auth/service-account-admission.js";
import type { Authenticator } from "../auth/authenticator.js";
import { ensureNodePki, type NodePki } from "../auth/pki.js";
import { parseTokenFile, StaticTokenAuthenticator } from "../auth/token-file.js";
import type { KeyObject } from "node:crypto";
import { loadOrCreateSigningKey } from "../auth/signing-key.js";
import { ClusterRoleAggregationController } from "../controllers/clusterrole-aggregation.js";
import { ServiceAccountsController } from "../controllers/service-accounts.js";
import { apiServiceIP, apiServiceNames, ensureKubernetesService } from "../controllers/kubernetes-service.js";
import { parseCidrSetting } from "../api/cidr.js";
import { METADATA_POLICY, parseAuditPolicy, type AuditPolicy } from "../auth/audit.js";
import { isIP } from "node:net";
import type { Store } from "../store/store.js";
import type { Runner } from "../sys/runner.js";
import { loadOrCreateToken } from "../apiserver/index.js";
import type { DaemonConfig } from "./daemon-config.js";

export interface TcpAccess {
  tcp: TcpListenerOptions;
  pki: NodePki;
  authenticators: Authenticator[];
}

/** Certificates, the admin token and the token file's users for `--listen`; a bad token file stops the daemon. */
export async function prepareTcpAccess(cfg: DaemonConfig, listen: { host: string; port: number }, hosts: string[], runner: Runner, log: (m: string) => void): Promise<TcpAccess> {
  const token = await loadOrCreateToken(cfg.tokenFile);
  const pki = await ensureNodePki(join(cfg.root, "pki"), [listen.host, ...hosts].filter((h) => h !== "0.0.0.0" && h !== "::"), runner);
  const authenticators: Authenticator[] = [];
  if (cfg.tokenAuthFile) {
    const entries = parseTokenFile(readFileSync(cfg.tokenAuthFile, "utf8"), cfg.tokenAuthFile, log);
    authenticators.push(new StaticTokenAuthenticator(entries));
    log(`access: ${entries.length} users from ${cfg.tokenAuthFile}`);
  }
  return { tcp: { ...listen, token, cert: pki.serving.cert, key: pki.serving.key, clientCA: pki.ca.cert }, pki, authenticators };
}

/** Names and addresses the serving certificate carries: the node's, and the kubernetes Service's (in-cluster clients). */
export function servingHosts(cfg: DaemonConfig, hostIP: string): string[] {
  const hosts = [hostIP, ...(cfg.network ? [apiServiceIP(parseCidrSetting("--service-cidr", cfg.serviceCIDR)), ...apiServiceNames(cfg.clusterDomain)] : [])];
  return hosts.filter(Boolean);
}

/**
 * The `default/kubernetes` Service for pods (with a pod network): its endpoint is the API's listener — the listen
 * address itself, or the node's address when it listens on all addresses. A loopback-only listener cannot be
 * reached from pods: the Service then has no endpoints, and the log says why.
 */
export function publishApiService(cfg: DaemonConfig, store: Store, listen: { host: string; port: number }, hostIP: string, log: (m: string) => void): void {
  if (!cfg.network) return;
  const wildcard = listen.host === "0.0.0.0" || listen.host === "::" || listen.host === "";
  const loopback = listen.host === "localhost" || /^127\./.test(listen.host) || listen.host === "::1";
  const ip = wildcard ? hostIP : loopback ? undefined : isIP(listen.host) ? listen.host : undefined;
  if (!ip) log(`access: pods cannot reach the API on ${listen.host}:${listen.port} (listen on the node's address or 0.0.0.0); the kubernetes Service has no endpoints`);
  const clusterIP = apiServiceIP(parseCidrSetting("--service-cidr", cfg.serviceCIDR));
  try {
    ensureKubernetesService(store, clusterIP, ip ? { ip, port: listen.port } : undefined, listen.port);
  } catch (err) {
    log(`access: kubernetes service not published: ${(err as Error).message}`);
  }
}

/** The audit log settings: --audit-log-path with --audit-policy-file's policy (Metadata for all without one). */
export function auditSettings(cfg: DaemonConfig): { path: string; policy: AuditPolicy } | undefined {
  if (!cfg.auditLogPath) {
    if (cfg.auditPolicyFile) throw new Error("--audit-policy-file needs --audit-log-path");
    return undefined;
  }
  const policy = cfg.auditPolicyFile ? parseAuditPolicy(readFileSync(cfg.auditPolicyFile, "utf8"), cfg.auditPolicyFile) : METADATA_POLICY;
  return { path: cfg.auditLogPath, policy };
}

/**
 * ServiceAccount admission, installed with --listen only (pods can then reach the API, and kube-root-ca.crt exists
 * for the volume's ca.crt): new pods need their ServiceAccount and get the kube-api-access volume. Registered before
 * the API listens.
 */
export function installServiceAccountAdmission(api: ApiServer): void {
  api.registerCreateHook("Pod", (obj, ctx) => admitServiceAccount(obj as Pod, ctx.store));
}

/** The kubelet's projected serviceAccountToken source: tokens from the API's issuer, cached and refreshed (PodTokens). */
export function podTokenIssuer(api: ApiServer, store: Store): PodTokens {
  return new PodTokens(api.serviceAccountTokens, store);
}

/** The ServiceAccount token signing key, kept in ROOT/pki/sa.key so tokens outlive a restart. */
export function serviceAccountKey(cfg: DaemonConfig): KeyObject {
  return loadOrCreateSigningKey(join(cfg.root, "pki", "sa.key"));
}

/**
 * Controllers of access objects: ClusterRole aggregation, the default ServiceAccount of each namespace, and (with a
 * CA, i.e. --listen) the kube-root-ca.crt ConfigMaps. Returns the function that stops them.
 */
export function startAccessControllers(store: Store, rootCA: string | undefined, log: (m: string) => void): () => void {
  const aggregation = new ClusterRoleAggregationController(store, log);
  const accounts = new ServiceAccountsController(store, rootCA, log);
  aggregation.start();
  accounts.start();
  return () => {
    aggregation.stop();
    accounts.stop();
  };
}
