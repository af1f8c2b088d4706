/**
 * The tokencleaner (pkg/controller/bootstrap/tokencleaner.go): a bootstrap-token Secret in kube-system is deleted
 * once its `expiration` has passed — at that moment, as upstream queues each token for its TTL. An expiration that
 * does not parse counts as expired (bootstrapsecretutil.GetExpiration); a token without one lives until deleted.
 */
import type { Secret } from "../../api/types.js";
import { BOOTSTRAP_TOKEN_NAMESPACE, BOOTSTRAP_TOKEN_SECRET_TYPE, tokenExpiration } from "../../api/bootstrap-token.js";
import type { ControllerFactory } from "../foundation/controller.js";
import { expiryController, type ExpiryDeadline } from "../foundation/expiry-controller.js";

export function isBootstrapTokenSecret(s: Secret): boolean {
  return s.metadata.namespace === BOOTSTRAP_TOKEN_NAMESPACE && s.type === BOOTSTRAP_TOKEN_SECRET_TYPE;
}

export function tokenCleanupDeadline(s: Secret): ExpiryDeadline | undefined {
  const expires = tokenExpiration(s);
  if (expires === null) return undefined;
  return Number.isNaN(expires) ? { at: 0, reason: "as its expiration does not parse (treated as expired)" } : { at: expires, reason: "as it expired" };
}

export const bootstrapTokenCleaner: ControllerFactory = expiryController<Secret>({ name: "tokencleaner", kind: "Secret", applies: isBootstrapTokenSecret, deadline: tokenCleanupDeadline });
