/**
 * The kubelet's token manager (pkg/kubelet/token) for projected `serviceAccountToken` volumes: a token per pod,
 * audience and lifetime, bound to the pod, issued once and handed out again until it needs refreshing — when 80% of
 * its lifetime has passed or it is older than 24 h — so the volume's periodic re-projection writes a fresh token
 * well before the old one expires. Tokens of pods that are gone are dropped once expired.
 */
import { DEFAULT_SERVICE_ACCOUNT, type ServiceAccount } from "../api/service-account.js";
import type { Pod } from "../api/types.js";
import type { Store } from "../store/store.js";
import type { IssuedToken, ServiceAccountTokens } from "./service-account-tokens.js";

interface Cached {
  token: IssuedToken;
  issuedAt: number;
  expiresAt: number;
}

const MAX_AGE_MS = 24 * 3600 * 1000;

export class PodTokens {
  private readonly cache = new Map<string, Cached>();

  constructor(
    /** The API's issuer in-process, or (a joined node) TokenRequests to the control plane. */
    private readonly tokens: Pick<ServiceAccountTokens, "issue">,
    /**
     * Where the pod's ServiceAccount is read: the store in-process. A joined node passes a function naming it
     * only: as the kubelet, it may not read ServiceAccounts (the Node authorizer) and the TokenRequest it sends
     * answers NotFound itself.
     */
    private readonly serviceAccounts: Store | ((namespace: string, name: string) => ServiceAccount | undefined),
    private readonly now: () => number = Date.now,
  ) {}

  /** A token for `pod`'s ServiceAccount (`audience` undefined: the API's), valid `expirationSeconds`. */
  async issue(pod: Pod, audience: string | undefined, expirationSeconds: number): Promise<IssuedToken> {
    const key = `${pod.metadata.uid}/${audience ?? ""}/${expirationSeconds}`;
    const now = this.now();
    const hit = this.cache.get(key);
    if (hit && !needsRefresh(hit, now)) return hit.token;
    this.sweep(now);
    const ns = pod.metadata.namespace ?? "default";
    const name = pod.spec.serviceAccountName || DEFAULT_SERVICE_ACCOUNT;
    const sa = typeof this.serviceAccounts === "function" ? this.serviceAccounts(ns, name) : this.serviceAccounts.get<ServiceAccount>("ServiceAccount", ns, name);
    if (!sa) throw new Error(`failed to fetch token: serviceaccounts "${name}" not found`);
    const token = this.tokens.issue({ serviceAccount: sa, audiences: audience ? [audience] : undefined, expirationSeconds, pod });
    this.cache.set(key, { token, issuedAt: now, expiresAt: now + expirationSeconds * 1000 });
    return token;
  }

  get size(): number {
    return this.cache.size;
  }

  private sweep(now: number): void {
    for (const [k, c] of this.cache) if (c.expiresAt <= now) this.cache.delete(k);
  }
}

function needsRefresh(c: Cached, now: number): boolean {
  return now >= c.issuedAt + 0.8 * (c.expiresAt - c.issuedAt) || now >= c.issuedAt + MAX_AGE_MS;
}
