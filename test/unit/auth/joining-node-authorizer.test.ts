/**
 * The Node authorizer with RBAC behind it (Node,RBAC) and NodeRestriction: a node reads what pods bound to it name
 * and nothing else of those kinds, lists pods only with its own spec.nodeName, reads only its own Node (all nodes
 * through the proxier binding), writes only its own Lease, and admission keeps its writes to its own Node, its
 * own pods' status and its mirror pods — each refusal worded as upstream — and, for its local provisioner (RBAC
 * bindings), to volumes pinned to itself, claims it takes and its own volumes' claims' status.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Node, PersistentVolume, PersistentVolumeClaim, Pod } from "../../../src/api/types.js";
import { requestAttributes } from "../../../src/auth/attributes.js";
import { NodeAndRbacAuthorizer, NodeAuthorizer } from "../../../src/auth/node/authorizer.js";
import {
  admitClaimStatus,
  admitClaimUpdate,
  admitLease,
  admitNodeCreate,
  admitNodeUpdate,
  admitPodCreate,
  admitPodDelete,
  admitPodEviction,
  admitPodUpdate,
  admitVolumeWrite,
  requestingNode,
} from "../../../src/auth/node/restriction.js";
import { RbacAuthorizer } from "../../../src/auth/rbac/authorizer.js";
import { ensureBootstrapPolicy } from "../../../src/auth/rbac/bootstrap.js";
import { PolicyIndex } from "../../../src/auth/rbac/policy-index.js";
import type { UserInfo } from "../../../src/auth/user.js";
import { forbidden } from "../../../src/apiserver/access.js";
import { openStore } from "../../../src/store/sqlite-store.js";

const A: UserInfo = { name: "system:node:a", groups: ["system:nodes", "system:authenticated"] };

function pod(name: string, nodeName: string, extra: Partial<Pod["spec"]> = {}): Pod {
  return { apiVersion: "v1", kind: "Pod", metadata: { name, namespace: "web" }, spec: { nodeName, containers: [{ name: "c", image: "busybox" }], ...extra } };
}

function setup() {
  const store = openStore(":memory:");
  ensureBootstrapPolicy(store);
  const index = new PolicyIndex().follow(store);
  const authz = new NodeAndRbacAuthorizer(new NodeAuthorizer(store), new RbacAuthorizer(index));
  store.create(pod("mine", "a", {
    volumes: [{ name: "s", secret: { secretName: "vol-secret" } }, { name: "d", persistentVolumeClaim: { claimName: "data" } }, { name: "p", projected: { sources: [{ configMap: { name: "proj-cm" } }] } }],
    imagePullSecrets: [{ name: "pull" }],
    serviceAccountName: "runner",
  }));
  store.create({ ...pod("mine-env", "a"), spec: { nodeName: "a", containers: [{ name: "c", image: "x", env: [{ name: "K", valueFrom: { configMapKeyRef: { name: "env-cm", key: "k" } } }], envFrom: [{ secretRef: { name: "env-secret" } }] }] } });
  store.create(pod("theirs", "b", { volumes: [{ name: "s", secret: { secretName: "b-secret" } }, { name: "d", persistentVolumeClaim: { claimName: "b-data" } }] }));
  const claim = (name: string, volumeName: string): PersistentVolumeClaim => ({ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name, namespace: "web" }, spec: { volumeName, accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Mi" } } } });
  store.create(claim("data", "pv-a"));
  store.create(claim("b-data", "pv-b"));
  const can = (method: string, url: string, user = A) => authz.authorize(requestAttributes(user, method, url));
  const nodeOnly = new NodeAuthorizer(store);
  const canAsNode = (method: string, url: string) => nodeOnly.authorize(requestAttributes(A, method, url));
  return { store, authz, can, canAsNode, close: () => (index.stop(), store.close()) };
}

describe("Node authorizer", () => {
  it("lets a node read the secrets, configmaps, claims and volumes its pods name, and no others", () => {
    const { can, canAsNode, close } = setup();
    try {
      for (const s of ["vol-secret", "pull", "env-secret"]) assert.equal(can("GET", `/api/v1/namespaces/web/secrets/${s}`).allowed, true, s);
      for (const c of ["proj-cm", "env-cm"]) assert.equal(can("GET", `/api/v1/namespaces/web/configmaps/${c}`).allowed, true, c);
      assert.equal(can("GET", "/api/v1/namespaces/web/secrets?fieldSelector=metadata.name%3Dvol-secret&watch=true").allowed, true);
      assert.equal(can("GET", "/api/v1/namespaces/web/persistentvolumeclaims/data").allowed, true);
      assert.equal(can("GET", "/api/v1/persistentvolumes/pv-a").allowed, true);
      assert.equal(can("POST", "/api/v1/namespaces/web/serviceaccounts/runner/token").allowed, true);
      const denied = can("GET", "/api/v1/namespaces/web/secrets/b-secret");
      assert.deepEqual(denied, { allowed: false, reason: "no relationship found between node 'a' and this object" });
      assert.equal(can("GET", "/api/v1/namespaces/other/secrets/vol-secret").allowed, false);
      assert.equal(canAsNode("GET", "/api/v1/persistentvolumes/pv-b").allowed, false);
      assert.equal(canAsNode("GET", "/api/v1/namespaces/web/persistentvolumeclaims/b-data").allowed, false);
      assert.equal(can("POST", "/api/v1/namespaces/web/serviceaccounts/builder/token").allowed, false);
      assert.deepEqual(can("GET", "/api/v1/namespaces/web/secrets"), { allowed: false, reason: "No Object name found" });
      assert.deepEqual(can("PUT", "/api/v1/namespaces/web/secrets/vol-secret"), { allowed: false, reason: "can only read resources of this type" });
      assert.deepEqual(canAsNode("GET", "/api/v1/persistentvolumes"), { allowed: false, reason: "can only get individual resources of this type" });
    } finally {
      close();
    }
  });

  it("lets a node's local provisioner read every claim and volume, make and delete volumes, take claims, and no more (RBAC bindings)", () => {
    const { can, close } = setup();
    try {
      assert.equal(can("GET", "/api/v1/persistentvolumes/pv-b").allowed, true);
      assert.equal(can("GET", "/api/v1/persistentvolumeclaims?watch=1").allowed, true);
      assert.equal(can("GET", "/apis/storage.k8s.io/v1/storageclasses").allowed, true);
      assert.equal(can("POST", "/api/v1/persistentvolumes").allowed, true);
      assert.equal(can("DELETE", "/api/v1/persistentvolumes/pv-b").allowed, true);
      assert.equal(can("PUT", "/api/v1/persistentvolumes/pv-b").allowed, true);
      assert.equal(can("PUT", "/api/v1/namespaces/web/persistentvolumeclaims/b-data").allowed, true);
      assert.equal(can("PUT", "/api/v1/namespaces/web/persistentvolumeclaims/b-data/status").allowed, true);
      assert.equal(can("DELETE", "/api/v1/namespaces/web/persistentvolumeclaims/b-data").allowed, false);
      assert.equal(can("POST", "/api/v1/namespaces/web/persistentvolumeclaims").allowed, false);
      assert.equal(can("PUT", "/apis/storage.k8s.io/v1/storageclasses/local").allowed, false);
    } finally {
      close();
    }
  });

  it("lets a node list pods only on itself, get its pods, and write pod status, mirror pods and evictions", () => {
    const { can, close } = setup();
    try {
      assert.equal(can("GET", "/api/v1/pods?fieldSelector=spec.nodeName%3Da").allowed, true);
      assert.equal(can("GET", "/api/v1/pods?watch=1&fieldSelector=spec.nodeName%3Da").allowed, true);
      assert.deepEqual(can("GET", "/api/v1/pods?fieldSelector=spec.nodeName%3Db"), { allowed: false, reason: "can only list/watch pods with spec.nodeName field selector" });
      assert.equal(can("GET", "/api/v1/pods").allowed, false);
      assert.equal(can("GET", "/api/v1/namespaces/web/pods/mine").allowed, true);
      assert.equal(can("GET", "/api/v1/namespaces/web/pods/theirs").allowed, false);
      assert.equal(can("PUT", "/api/v1/namespaces/web/pods/mine/status").allowed, true);
      assert.equal(can("POST", "/api/v1/namespaces/web/pods").allowed, true);
      assert.equal(can("DELETE", "/api/v1/namespaces/web/pods/mine").allowed, true);
      assert.equal(can("POST", "/api/v1/namespaces/web/pods/mine/eviction").allowed, true);
      assert.equal(can("PUT", "/api/v1/namespaces/web/pods/mine").allowed, false);
      assert.equal(can("POST", "/api/v1/namespaces/web/pods/mine/exec").allowed, false);
    } finally {
      close();
    }
  });

  it("lets a node read and write only its own Node and Lease; all nodes only through the proxier's RBAC binding", () => {
    const { can, close } = setup();
    try {
      assert.equal(can("GET", "/api/v1/nodes/a").allowed, true);
      assert.equal(can("POST", "/api/v1/nodes").allowed, true);
      assert.equal(can("PATCH", "/api/v1/nodes/a/status").allowed, true);
      assert.equal(can("GET", "/api/v1/nodes").allowed, true, "system:node-proxier lists nodes");
      assert.equal(can("DELETE", "/api/v1/nodes/a").allowed, false);
      assert.equal(can("GET", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/a").allowed, true);
      assert.equal(can("PUT", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/a").allowed, true);
      assert.equal(can("POST", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases").allowed, true);
      const other = requestAttributes(A, "PUT", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/b");
      assert.equal(new NodeAuthorizer(openStore(":memory:")).authorize(other).reason, "can only access node lease with the same name as the requesting node");
      assert.equal(can("PUT", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/b").allowed, false);
      assert.equal(can("GET", "/apis/coordination.k8s.io/v1/namespaces/default/leases/a").allowed, false);
      assert.equal(can("GET", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases").allowed, false);
    } finally {
      close();
    }
  });

  it("words a refusal as the apiserver does, with the Node authorizer's reason", () => {
    const { authz, close } = setup();
    try {
      const only = new NodeAuthorizer(openStore(":memory:"));
      const a = requestAttributes(A, "GET", "/api/v1/nodes/b");
      assert.equal(only.authorize(a).reason, "node 'a' cannot read 'b', only its own Node object");
      const s = requestAttributes(A, "GET", "/api/v1/namespaces/web/secrets/b-secret");
      const d = authz.authorize(s);
      assert.equal(
        forbidden(s, d.reason).message,
        `secrets "b-secret" is forbidden: User "system:node:a" cannot get resource "secrets" in API group "" in the namespace "web": no relationship found between node 'a' and this object`,
      );
      const del = requestAttributes(A, "DELETE", "/api/v1/namespaces/web/configmaps/env-cm");
      assert.equal(forbidden(del, authz.authorize(del).reason).message, `configmaps "env-cm" is forbidden: User "system:node:a" cannot delete resource "configmaps" in API group "" in the namespace "web": can only read resources of this type`);
    } finally {
      close();
    }
  });

  it("has no opinion on users that are not nodes, and node users outside system:nodes are not nodes", () => {
    const { can, close } = setup();
    try {
      const impostor: UserInfo = { name: "system:node:a", groups: ["system:authenticated"] };
      assert.equal(can("GET", "/api/v1/nodes/a", impostor).allowed, false);
      assert.equal(requestingNode(impostor), undefined);
      assert.equal(requestingNode(A), "a");
      const bootstrapper: UserInfo = { name: "system:bootstrap:abcdef", groups: ["system:bootstrappers", "system:authenticated"] };
      assert.equal(can("POST", "/apis/certificates.k8s.io/v1/certificatesigningrequests", bootstrapper).allowed, true);
      assert.equal(can("GET", "/api/v1/nodes", bootstrapper).allowed, false);
      const rules = setup().authz.rulesFor(A, "web");
      assert.equal(rules.incomplete, true);
    } finally {
      close();
    }
  });
});

describe("NodeRestriction", () => {
  it("lets a node write only the volumes pinned to itself, set a claim's selected node to itself, and write the status of its own volumes' claims", () => {
    const pinned = (name: string, node: string, extra: { key: string; operator: string; values: string[] }[] = []): PersistentVolume => ({
      apiVersion: "v1",
      kind: "PersistentVolume",
      metadata: { name },
      spec: { capacity: { storage: "1Mi" }, local: { path: "/v" }, nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: [node] }, ...extra] }] } } },
    });
    const refusedPV = `node "a" can only create, update and delete persistentvolumes with node affinity to itself alone`;
    assert.equal(admitVolumeWrite("a", pinned("v", "a")), undefined);
    assert.equal(admitVolumeWrite("a", pinned("v", "b")), refusedPV);
    assert.equal(admitVolumeWrite("a", pinned("v", "a"), pinned("v", "b")), refusedPV, "an update moving another node's volume");
    assert.equal(admitVolumeWrite("a", pinned("v", "a", [{ key: "zone", operator: "In", values: ["z"] }])), refusedPV, "not pinned to the node alone");
    assert.equal(admitVolumeWrite("a", { ...pinned("v", "a"), spec: { capacity: { storage: "1Mi" }, hostPath: { path: "/" } } }), refusedPV, "no node affinity");
    const claim = (annotations?: Record<string, string>, storage = "1Mi"): PersistentVolumeClaim => ({ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "c", namespace: "web", annotations }, spec: { resources: { requests: { storage } } } });
    const refusedClaim = `node "a" can only set the volume.kubernetes.io/selected-node annotation of a persistentvolumeclaim to itself, or remove it from one naming itself`;
    const selected = (n: string) => ({ "volume.kubernetes.io/selected-node": n });
    assert.equal(admitClaimUpdate("a", claim(selected("a")), claim()), undefined);
    assert.equal(admitClaimUpdate("a", claim(selected("b")), claim()), refusedClaim);
    assert.equal(admitClaimUpdate("a", claim(selected("a")), claim(selected("b"))), refusedClaim, "taken by another node");
    assert.equal(admitClaimUpdate("a", claim({ ...selected("a"), x: "y" }), claim()), refusedClaim);
    assert.equal(admitClaimUpdate("a", claim(selected("a"), "2Mi"), claim()), refusedClaim);
    assert.equal(admitClaimUpdate("a", claim(), claim(selected("a"))), undefined, "handed back to the scheduler");
    assert.equal(admitClaimUpdate("a", claim(), claim(selected("b"))), refusedClaim, "another node's choice taken away");
    const refusedStatus = `node "a" can only update the status of persistentvolumeclaims bound to its own persistentvolumes or used by its pods`;
    assert.equal(admitClaimStatus("a", pinned("v", "a"), () => assert.fail("not asked")), undefined);
    assert.equal(admitClaimStatus("a", pinned("v", "b"), () => true), undefined, "a pod of the node uses it");
    assert.equal(admitClaimStatus("a", pinned("v", "b"), () => false), refusedStatus);
    assert.equal(admitClaimStatus("a", undefined, () => false), refusedStatus);
  });

  it("lets a node create only mirror pods bound to itself that reference nothing", () => {
    const mirror = (p: Pod): Pod => ({ ...p, metadata: { ...p.metadata, annotations: { "kubernetes.io/config.mirror": "x" } } });
    assert.equal(admitPodCreate("a", pod("p", "a")), `pod does not have "kubernetes.io/config.mirror" annotation, node "a" can only create mirror pods`);
    assert.equal(admitPodCreate("a", mirror(pod("p", "a"))), undefined);
    assert.equal(admitPodCreate("a", mirror(pod("p", "b"))), `node "a" can only create pods with spec.nodeName set to itself`);
    assert.equal(admitPodCreate("a", mirror(pod("p", "a", { serviceAccountName: "x" }))), `node "a" can not create pods that use service accounts`);
    assert.equal(admitPodCreate("a", mirror(pod("p", "a", { volumes: [{ name: "s", secret: { secretName: "s" } }] }))), `node "a" can not create pods that reference secrets`);
    assert.equal(admitPodCreate("a", mirror(pod("p", "a", { volumes: [{ name: "c", configMap: { name: "c" } }] }))), `node "a" can not create pods that reference configmaps`);
    assert.equal(admitPodCreate("a", mirror(pod("p", "a", { volumes: [{ name: "c", persistentVolumeClaim: { claimName: "c" } }] }))), `node "a" can not create pods that reference persistentvolumeclaims`);
    const owned = mirror(pod("p", "a"));
    owned.metadata.ownerReferences = [{ apiVersion: "v1", kind: "Node", name: "b", uid: "u" }];
    assert.equal(admitPodCreate("a", owned), `node "a" can only create pods with an owner reference set to itself`);
  });

  it("keeps pod status writes, deletes and evictions to pods bound to the node", () => {
    assert.equal(admitPodUpdate("a", pod("p", "a")), undefined);
    assert.equal(admitPodUpdate("a", pod("p", "b")), `node "a" can only update pod status for pods with spec.nodeName set to itself`);
    assert.equal(admitPodDelete("a", pod("p", "b")), `node "a" can only delete pods with spec.nodeName set to itself`);
    assert.equal(admitPodEviction("a", pod("p", "b")), "node a can only evict pods with spec.nodeName set to itself");
  });

  it("keeps Node writes to its own, without taint changes or restricted labels", () => {
    const node = (name: string, labels: Record<string, string> = {}, taints: NonNullable<Node["spec"]>["taints"] = []): Node => ({ apiVersion: "v1", kind: "Node", metadata: { name, labels }, spec: { taints } });
    assert.equal(admitNodeCreate("a", node("a", { "kubernetes.io/hostname": "a", "node.kubernetes.io/exclude-from-external-load-balancers": "", "example.com/x": "1" })), undefined);
    assert.equal(admitNodeCreate("a", node("b")), `node "a" is not allowed to modify node "b"`);
    assert.equal(admitNodeCreate("a", node("a", { "node-role.kubernetes.io/control-plane": "", "node-restriction.kubernetes.io/x": "y" })), `node "a" is not allowed to set the following labels: node-restriction.kubernetes.io/x, node-role.kubernetes.io/control-plane`);
    assert.equal(admitNodeUpdate("a", node("a"), node("b")), `node "a" is not allowed to modify node "b"`);
    assert.equal(admitNodeUpdate("a", node("a", {}, [{ key: "k", effect: "NoSchedule" }]), node("a")), `node "a" is not allowed to modify taints`);
    const old = node("a", { "node-role.kubernetes.io/worker": "" });
    assert.equal(admitNodeUpdate("a", node("a", { "node-role.kubernetes.io/worker": "" }), old), undefined, "an unchanged label stays");
    assert.equal(admitNodeUpdate("a", node("a", { "k8s.io/x": "1" }), old), `node "a" is not allowed to modify labels: k8s.io/x`);
  });

  it("keeps node Leases to its own name", () => {
    const lease = (name: string, namespace = "kube-node-lease") => ({ apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name, namespace } });
    assert.equal(admitLease("a", lease("a")), undefined);
    assert.equal(admitLease("a", lease("b")), "can only access node lease with the same name as the requesting node");
  });
});
