/**
 * The Node authorizer (plugin/pkg/auth/authorizer/node, Kubernetes 1.32 with AuthorizeNodeWithSelectors on) and the
 * `Node,RBAC` union the apiserver runs. A node (`system:node:NAME` in `system:nodes`) may:
 * - read secrets, configmaps (get/list/watch of a named object), PVCs and PVs (get), and create tokens for
 *   ServiceAccounts, only when a pod bound to it names them (through a PVC for a PV);
 * - get a pod bound to it, list/watch pods only with the `spec.nodeName=NAME` field selector, create/delete pods
 *   (NodeRestriction limits that to its mirror pods), update pods/status and create pods/eviction (NodeRestriction:
 *   pods bound to it);
 * - get/list/watch its own Node, create/update/patch a Node and update nodes/status (NodeRestriction: its own);
 * - get/create/update/patch/delete its own Lease in kube-node-lease;
 * - whatever the static node rules allow for other resources (events, services, CSRs, …: rules.ts).
 * Anything else gets no opinion and a reason, and RBAC decides; a refusal carries upstream's reasons.
 *
 * Simplification: upstream keeps a graph of pods, PVCs, PVs, secrets and configmaps, updated by informers; here the
 * same relations are found from the store on each request that needs one (the pods of that namespace bound to the
 * node), which gives the same answers without a second copy of the objects. PV-to-secret edges (CSI/flex volume
 * secrets) are not followed: nodelet serves no volume plugin that names a secret in a PV.
 */
import type { PersistentVolumeClaim, Pod } from "../../api/types.js";
import { podReferences } from "../../api/pod-references.js";
import { parseFieldSelector } from "../../api/labels.js";
import type { Store } from "../../store/store.js";
import type { RequestAttributes } from "../attributes.js";
import type { Authorizer, Decision, RulesReview } from "../rbac/authorizer.js";
import { ruleAllows } from "../rbac/rules.js";
import type { PolicyRule } from "../../api/rbac.js";
import type { UserInfo } from "../user.js";
import { NODE_LEASE_NAMESPACE, NODE_RULES, nodeIdentity } from "./rules.js";

type Related = "Secret" | "ConfigMap" | "PersistentVolumeClaim" | "PersistentVolume" | "Pod" | "ServiceAccount";

const ALLOW: Decision = { allowed: true, reason: "" };
const noOpinion = (reason = ""): Decision => ({ allowed: false, reason });

export class NodeAuthorizer {
  constructor(private readonly store: Store) {}

  authorize(a: RequestAttributes): Decision {
    const id = nodeIdentity(a.user);
    if (!id) return noOpinion();
    const node = id.nodeName;
    if (!node) return noOpinion(`unknown node for user "${a.user.name}"`);
    if (a.isResourceRequest) {
      const group = a.apiGroup;
      if (group === "") {
        switch (a.resource) {
          case "secrets":
            return this.readNamespaced(node, "Secret", a);
          case "configmaps":
            return this.readNamespaced(node, "ConfigMap", a);
          case "persistentvolumeclaims":
            return a.subresource === "status" ? this.statusUpdate(node, "PersistentVolumeClaim", a) : this.get(node, "PersistentVolumeClaim", a);
          case "persistentvolumes":
            return this.get(node, "PersistentVolume", a);
          case "serviceaccounts":
            return this.createToken(node, a);
          case "nodes":
            return authorizeNode(node, a);
          case "pods":
            return this.authorizePod(node, a);
        }
      }
      if (group === "coordination.k8s.io" && a.resource === "leases") return authorizeLease(node, a);
    }
    return staticRulesAllow(a) ? ALLOW : noOpinion();
  }

  private statusUpdate(node: string, type: Related, a: RequestAttributes): Decision {
    if (a.verb !== "update" && a.verb !== "patch") return noOpinion("can only get/update/patch this type");
    if (a.subresource !== "status") return noOpinion("can only update status subresource");
    return this.related(node, type, a);
  }

  private get(node: string, type: Related, a: RequestAttributes): Decision {
    if (a.verb !== "get") return noOpinion("can only get individual resources of this type");
    if (a.subresource) return noOpinion("cannot get subresource");
    return this.related(node, type, a);
  }

  private readNamespaced(node: string, type: Related, a: RequestAttributes): Decision {
    if (a.verb !== "get" && a.verb !== "list" && a.verb !== "watch") return noOpinion("can only read resources of this type");
    if (a.subresource) return noOpinion("cannot read subresource");
    if (!a.namespace) return noOpinion("can only read namespaced object of this type");
    return this.related(node, type, a);
  }

  private createToken(node: string, a: RequestAttributes): Decision {
    if (a.verb !== "create" || !a.name) return noOpinion("can only create tokens for individual service accounts");
    if (a.subresource !== "token") return noOpinion("can only create token subresource of serviceaccount");
    return this.hasPath(node, "ServiceAccount", a.namespace, a.name) ? ALLOW : noOpinion(noRelationship(node));
  }

  private authorizePod(node: string, a: RequestAttributes): Decision {
    switch (a.subresource) {
      case "":
        switch (a.verb) {
          case "get":
            return this.get(node, "Pod", a);
          case "list":
          case "watch":
            if (selectsNode(a, node)) return ALLOW;
            if (a.name) return this.related(node, "Pod", a);
            return noOpinion("can only list/watch pods with spec.nodeName field selector");
          case "create":
          case "delete":
            return ALLOW;
        }
        break;
      case "status":
        if (a.verb === "update" || a.verb === "patch") return ALLOW;
        break;
      case "eviction":
        if (a.verb === "create") return ALLOW;
        break;
    }
    return noOpinion();
  }

  private related(node: string, type: Related, a: RequestAttributes): Decision {
    if (!a.name) return noOpinion("No Object name found");
    return this.hasPath(node, type, a.namespace, a.name) ? ALLOW : noOpinion(noRelationship(node));
  }

  /** Whether a pod bound to `node` names the object (for a PV: through one of the claims such pods use). */
  private hasPath(node: string, type: Related, namespace: string, name: string): boolean {
    if (type === "PersistentVolume") {
      const pods = this.store.list<Pod>("Pod", { fieldSelector: `spec.nodeName=${node}` }).items;
      return pods.some((p) => {
        const ns = p.metadata.namespace ?? "";
        return [...podReferences(p).claims].some((c) => this.store.get<PersistentVolumeClaim>("PersistentVolumeClaim", ns, c)?.spec?.volumeName === name);
      });
    }
    const pods = this.store.list<Pod>("Pod", { namespace, fieldSelector: `spec.nodeName=${node}` }).items;
    if (type === "Pod") return pods.some((p) => p.metadata.name === name);
    return pods.some((p) => {
      const refs = podReferences(p);
      switch (type) {
        case "Secret":
          return refs.secrets.has(name);
        case "ConfigMap":
          return refs.configMaps.has(name);
        case "PersistentVolumeClaim":
          return refs.claims.has(name);
        case "ServiceAccount":
          return refs.serviceAccount === name;
      }
    });
  }
}

function noRelationship(node: string): string {
  return `no relationship found between node '${node}' and this object`;
}

function staticRulesAllow(a: RequestAttributes): boolean {
  return NODE_RULES.some((r) => ruleAllows(a, r));
}

/** A list/watch whose field selector pins spec.nodeName to this node. */
function selectsNode(a: RequestAttributes, node: string): boolean {
  if (!a.fieldSelector) return false;
  try {
    return parseFieldSelector(a.fieldSelector).requirements.some((r) => r.field === "spec.nodeName" && r.operator === "=" && r.value === node);
  } catch {
    return false;
  }
}

function authorizeNode(node: string, a: RequestAttributes): Decision {
  if (a.subresource === "") {
    switch (a.verb) {
      case "create":
      case "update":
      case "patch":
        return ALLOW;
      case "get":
      case "list":
      case "watch":
        if (a.name === node) return ALLOW;
        return noOpinion(a.name ? `node '${node}' cannot read '${a.name}', only its own Node object` : `node '${node}' cannot read all nodes, only its own Node object`);
    }
  } else if (a.subresource === "status" && (a.verb === "update" || a.verb === "patch")) {
    return ALLOW;
  }
  return noOpinion();
}

function authorizeLease(node: string, a: RequestAttributes): Decision {
  if (!["get", "create", "update", "patch", "delete"].includes(a.verb)) return noOpinion("can only get, create, update, patch, or delete a node lease");
  if (a.namespace !== NODE_LEASE_NAMESPACE) return noOpinion(`can only access leases in the "${NODE_LEASE_NAMESPACE}" system namespace`);
  if (a.verb !== "create" && a.name !== node) return noOpinion("can only access node lease with the same name as the requesting node");
  return ALLOW;
}

/**
 * `--authorization-mode=Node,RBAC`: the Node authorizer, then RBAC; the first that allows decides, and a refusal
 * carries every reason given, joined by newlines (the union authorizer's wording).
 */
export class NodeAndRbacAuthorizer implements Authorizer {
  constructor(
    private readonly node: NodeAuthorizer,
    private readonly rbac: Authorizer,
  ) {}

  authorize(a: RequestAttributes): Decision {
    const n = this.node.authorize(a);
    if (n.allowed) return n;
    const r = this.rbac.authorize(a);
    if (r.allowed) return r;
    return noOpinion([n.reason, r.reason].filter(Boolean).join("\n"));
  }

  rulesFor(user: UserInfo, namespace: string): RulesReview {
    const out = this.rbac.rulesFor(user, namespace);
    if (!nodeIdentity(user)) return out;
    // As upstream: a node's permissions are not fully enumerable.
    const err = "node authorizer does not support user rule resolution";
    return { ...out, incomplete: true, evaluationError: out.evaluationError ? `[${err}, ${out.evaluationError}]` : err };
  }

  heldRules(user: UserInfo, namespace: string): { rules: PolicyRule[]; errors: string[] } {
    return this.rbac.heldRules(user, namespace);
  }
}
