/**
 * Wiring of access into the daemon: the node's PKI (CA, serving certificate, admin client certificate) under
 * ROOT/pki, the TCP listener's authenticators (admin token, --token-auth-file users), and the RBAC controllers.
 */
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { ApiServer, HookContext, TcpListenerOptions } from "../apiserver/index.js";
import { ApiError } from "../api/errors.js";
import type { KubeObject, Namespace, PersistentVolumeClaim, Pod } from "../api/types.js";
import { deepEqual } from "../api/json.js";
import type { LimitRange, ResourceQuota } from "../api/quota.js";
import { kindsCounted, quotaUsed, toUsage } from "../api/quota-usage.js";
import { RESOURCES, resourceForKind } from "../api/resources.js";
import { aggregate } from "../auth/rbac/authorizer.js";
import { applyDefaults, validateClaimLimits, validatePodLimits } from "../auth/quota/limit-ranger.js";
import { chargeQuotas } from "../auth/quota/resource-quota.js";
import { ResourceQuotaController } from "../controllers/resource-quota.js";
import { admitNamespace, admitPod, admitTemplate, AUDIT_PREFIX as POD_SECURITY_AUDIT_PREFIX, TEMPLATE_KINDS, type Outcome } from "../auth/pod-security/admission.js";
import { NO_EXEMPTIONS, parseAdmissionConfiguration, type Exemptions } from "../auth/pod-security/configuration.js";
import { DEFAULT_POLICY, namespacePolicy, type NamespacePolicy } from "../auth/pod-security/policy.js";
import { PodTokens } from "../auth/pod-tokens.js";
import { admitServiceAccount } from "../auth/service-account-admission.js";
import type { Authenticator } from "../auth/authenticator.js";
import { ensureNodePki, type NodePki } from "../auth/pki.js";
import { parseTokenFile, StaticTokenAuthenticator } from "../auth/token-file.js";
import type { KeyObject } from "node:crypto";
import { loadOrCreateSigningKey } from "../auth/signing-key.js";
import { ClusterRoleAggregationController } from "../controllers/clusterrole-aggregation.js";
import { CsrController, type CsrAccessReview } from "../controllers/csr/controller.js";
import { NodeAndRbacAuthorizer, NodeAuthorizer } from "../auth/node/authorizer.js";
import { RbacAuthorizer } from "../auth/rbac/authorizer.js";
import { PolicyIndex } from "../auth/rbac/policy-index.js";
import { ServiceAccountsController } from "../controllers/service-accounts.js";
import { apiServiceIP, apiServiceNames, ensureKubernetesService } from "../controllers/kubernetes-service.js";
import { parseCidrSetting } from "../api/cidr.js";
import { METADATA_POLICY, parseAuditPolicy, type AuditPolicy } from "../auth/audit.js";
import { isIP } from "node:net";
import type { Store } from "../store/store.js";
import type { Runner } from "../sys/runner.js";
import { loadOrCreateToken } from "../apiserver/index.js";
import type { DaemonConfig } from "./daemon-config.js";
import { withFieldManager } from "../store/field-manager-store.js";

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
  // The chain includes the CA, so a joining node can pin it by hash (auth/tls-bootstrap.ts caHash).
  return { tcp: { ...listen, token, cert: pki.serving.cert + pki.ca.cert, key: pki.serving.key, clientCA: pki.ca.cert }, pki, authenticators };
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
 * Controllers of access objects: ClusterRole aggregation, the default ServiceAccount of each namespace, (with a
 * CA, i.e. --listen) the kube-root-ca.crt ConfigMaps, the ResourceQuotas' status, and the CertificateSigningRequest
 * approver and signer (issuing from the CA in `pkiDir`, the API's client CA, when given, for at most
 * `signingDurationMs`: --cluster-signing-duration). Returns the function that stops them.
 */
export function startAccessControllers(store: Store, rootCA: string | undefined, log: (m: string) => void, pkiDir?: string, signingDurationMs?: number): () => void {
  const controllerManager = withFieldManager(store, "kube-controller-manager");
  const aggregation = new ClusterRoleAggregationController(controllerManager, log);
  const accounts = new ServiceAccountsController(controllerManager, rootCA, log);
  const quotas = new ResourceQuotaController(controllerManager, log);
  const policy = new PolicyIndex().follow(store);
  const ca = pkiDir ? { cert: readFileSync(join(pkiDir, "ca.crt"), "utf8"), key: readFileSync(join(pkiDir, "ca.key"), "utf8") } : undefined;
  const authorizer = new NodeAndRbacAuthorizer(new NodeAuthorizer(store), new RbacAuthorizer(policy));
  const certificates = new CsrController({ store: controllerManager, allowed: csrAccessReviewer(authorizer), ca, maxDurationMs: signingDurationMs, log });
  aggregation.start();
  accounts.start();
  quotas.start();
  certificates.start();
  return () => {
    aggregation.stop();
    accounts.stop();
    quotas.stop();
    certificates.stop();
    policy.stop();
  };
}

/**
 * The CSR approver's SubjectAccessReviews answered by `authorizer`: create on certificatesigningrequests/SUB, or
 * approve on signers/NAME (certificates.k8s.io).
 */
export function csrAccessReviewer(authorizer: Pick<NodeAndRbacAuthorizer, "authorize">): (review: CsrAccessReview) => boolean {
  return (review) =>
    authorizer.authorize({
      user: review.user, isResourceRequest: true, path: "", apiGroup: "certificates.k8s.io", apiVersion: "*", namespace: "",
      ...("signer" in review
        ? { verb: "approve", resource: "signers", subresource: "", name: review.signer }
        : { verb: "create", resource: "certificatesigningrequests", subresource: review.subresource, name: "" }),
    }).allowed;
}

export interface PodSecuritySettings {
  defaults: NamespacePolicy;
  exemptions: Exemptions;
}

/**
 * Pod Security's defaults and exemptions: --admission-control-config-file's PodSecurity configuration (a relative
 * `path` in it is read from the file's directory, as kube-apiserver does), else --pod-security-default, else
 * privileged. Both setting the defaults is refused. Read before anything on the host changes.
 */
export function podSecuritySettings(cfg: Pick<DaemonConfig, "podSecurityDefault" | "admissionControlConfigFile">): PodSecuritySettings {
  const file = cfg.admissionControlConfigFile;
  const parsed = file ? parseAdmissionConfiguration(readFileSync(file, "utf8"), file, (p) => readFileSync(resolve(dirname(file), p), "utf8")) : undefined;
  if (parsed?.defaults && cfg.podSecurityDefault) throw new Error(`--pod-security-default and the PodSecurity defaults in ${file} both set the defaults: keep one`);
  return { defaults: parsed?.defaults ?? cfg.podSecurityDefault ?? DEFAULT_POLICY, exemptions: parsed?.exemptions ?? NO_EXEMPTIONS };
}

/**
 * Pod Security Admission (auth/pod-security): pods are refused, warned about and audited per their namespace's
 * pod-security.kubernetes.io labels (unlabelled modes: --pod-security-default); workloads' pod templates are warned
 * about and audited; a namespace's labels must be valid, and a stricter enforce level names the pods it would refuse.
 * Registered after ServiceAccount admission, so the pod judged is the pod stored.
 */
export function installPodSecurity(api: ApiServer, { defaults, exemptions }: PodSecuritySettings): void {
  const who = (obj: KubeObject, ctx: HookContext) => ({ namespace: obj.metadata.namespace ?? "default", username: ctx.user.name });
  const policyOf = (ctx: HookContext, ns: string | undefined) => namespacePolicy(ctx.store.get<Namespace>("Namespace", "", ns ?? "default")?.metadata.labels, defaults).policy;
  const apply = (o: Outcome, obj: KubeObject, ctx: HookContext, resource: string) => {
    for (const w of o.warnings) ctx.warn(w);
    for (const [k, v] of Object.entries(o.annotations)) ctx.annotate(POD_SECURITY_AUDIT_PREFIX + k, v);
    if (o.invalid) throw ApiError.invalid(obj.kind, obj.metadata.name ?? "", o.invalid);
    if (o.forbidden) throw ApiError.forbidden(resource, obj.metadata.name ?? "", o.forbidden);
  };
  api.registerCreateHook("Pod", (obj, ctx) => apply(admitPod(obj as Pod, undefined, policyOf(ctx, obj.metadata.namespace), exemptions, who(obj, ctx)), obj, ctx, "pods"));
  api.registerUpdateHook("Pod", (obj, old, ctx) => apply(admitPod(obj as Pod, old as Pod, policyOf(ctx, obj.metadata.namespace), exemptions, who(obj, ctx)), obj, ctx, "pods"));
  for (const kind of TEMPLATE_KINDS) {
    api.registerCreateHook(kind, (obj, ctx) => apply(admitTemplate(obj, undefined, policyOf(ctx, obj.metadata.namespace), exemptions, who(obj, ctx)), obj, ctx, ""));
    api.registerUpdateHook(kind, (obj, old, ctx) => apply(admitTemplate(obj, old, policyOf(ctx, obj.metadata.namespace), exemptions, who(obj, ctx)), obj, ctx, ""));
  }
  const namespaceCheck = (obj: KubeObject, old: KubeObject | undefined, ctx: HookContext) => {
    const name = obj.metadata.name ?? "";
    const pods = old ? ctx.store.list<Pod>("Pod", { namespace: name }).items : [];
    apply(admitNamespace(obj.metadata.labels, old?.metadata.labels, name, pods, defaults, exemptions), obj, ctx, "namespaces");
  };
  api.registerCreateHook("Namespace", (obj, ctx) => namespaceCheck(obj, undefined, ctx));
  api.registerUpdateHook("Namespace", (obj, old, ctx) => namespaceCheck(obj, old, ctx));
}

/** LimitRanger (auth/quota/limit-ranger.ts): new pods get their namespace's defaults and bounds; claims their bounds. */
export function installLimitRanger(api: ApiServer): void {
  const ranges = (ctx: HookContext, obj: KubeObject) => ctx.store.list<LimitRange>("LimitRange", { namespace: obj.metadata.namespace ?? "default" }).items;
  api.registerCreateHook("Pod", (obj, ctx) => {
    const rs = ranges(ctx, obj);
    if (!rs.length) return;
    const pod = obj as Pod;
    applyDefaults(pod, rs);
    const errs = validatePodLimits(pod, rs);
    if (errs.length) throw ApiError.forbidden("pods", pod.metadata.name ?? "", aggregate(errs));
    return pod;
  });
  const claim = (obj: KubeObject, ctx: HookContext) => {
    const rs = ranges(ctx, obj);
    const errs = rs.length ? validateClaimLimits(obj as PersistentVolumeClaim, rs) : [];
    if (errs.length) throw ApiError.forbidden("persistentvolumeclaims", obj.metadata.name ?? "", aggregate(errs));
  };
  api.registerCreateHook("PersistentVolumeClaim", claim);
  api.registerUpdateHook("PersistentVolumeClaim", (obj, _old, ctx) => claim(obj, ctx));
}

/**
 * ResourceQuota admission (auth/quota/resource-quota.ts) on every namespaced kind's creates (count/<resource>), and
 * on updates of Services and claims (node ports, storage): refused over quota; an admitted object's usage charged to
 * the quotas' status at once (not under dryRun).
 */
export function installResourceQuota(api: ApiServer): void {
  const check = (obj: KubeObject, old: KubeObject | undefined, ctx: HookContext) => {
    const ns = obj.metadata.namespace ?? "default";
    const quotas = ctx.store.list<ResourceQuota>("ResourceQuota", { namespace: ns }).items;
    if (!quotas.length) return;
    const now = Date.now();
    const usedOf = (rq: ResourceQuota) => {
      if (rq.status?.used && deepEqual(rq.status.hard, rq.spec?.hard)) return toUsage(rq.status.used);
      const objects = kindsCounted(Object.keys(rq.spec?.hard ?? {})).flatMap((k) => ctx.store.list(k, { namespace: ns }).items);
      return quotaUsed(rq, objects, now);
    };
    const outcome = chargeQuotas(obj, old, quotas, usedOf, now);
    if (outcome.error) {
      const info = resourceForKind(obj.kind);
      throw ApiError.forbidden(info?.plural ?? obj.kind.toLowerCase(), obj.metadata.name ?? "", outcome.error, info?.group);
    }
    if (ctx.dryRun) return;
    for (const rq of outcome.charged) ctx.store.update<ResourceQuota>(rq, { subresource: "status" });
  };
  for (const r of RESOURCES.filter((x) => x.namespaced && x.verbs.includes("create") && x.group !== "metrics.k8s.io")) {
    api.registerCreateHook(r.kind, (obj, ctx) => check(obj, undefined, ctx));
  }
  for (const kind of ["Service", "PersistentVolumeClaim"]) api.registerUpdateHook(kind, (obj, old, ctx) => check(obj, old, ctx));
}
