/**
 * RBAC escalation prevention without a server: the covers check (breakdown to single pieces, "*", subresources and
 * "*∕sub", resourceNames, nonResourceURL prefixes), the compacted refusal text, and the write checks on the four kinds
 * through the API's hooks — a namespace admin may make roles and bindings within what they hold, is refused more
 * with kube-apiserver's text, may grant more with `escalate`/`bind`, a binding to a missing role is refused,
 * aggregationRule needs everything, system:masters is never refused, and GC-only updates pass.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ApiError } from "../../../src/api/errors.js";
import type { ClusterRole, PolicyRule, Role, RoleBinding } from "../../../src/api/rbac.js";
import type { KubeObject } from "../../../src/api/types.js";
import { Hooks, type HookContext } from "../../../src/apiserver/hooks.js";
import { registerEscalationChecks } from "../../../src/apiserver/rbac-escalation.js";
import { RbacAuthorizer } from "../../../src/auth/rbac/authorizer.js";
import { ensureBootstrapPolicy } from "../../../src/auth/rbac/bootstrap.js";
import { compactRules, compactString, covers, escalationError } from "../../../src/auth/rbac/escalation.js";
import { PolicyIndex } from "../../../src/auth/rbac/policy-index.js";
import { LOOPBACK_USER, type UserInfo } from "../../../src/auth/user.js";
import { openStore } from "../../../src/store/sqlite-store.js";

const rule = (r: Partial<PolicyRule>): PolicyRule => ({ verbs: ["get"], apiGroups: [""], resources: ["pods"], ...r });

describe("covers", () => {
  it("every verb × group × resource × name piece must be held by one rule", () => {
    const held = [rule({ verbs: ["get", "list"] }), rule({ verbs: ["*"], resources: ["configmaps"] })];
    assert.ok(covers(held, [rule({ verbs: ["list", "get"] })]).covered);
    assert.ok(covers(held, [rule({ verbs: ["delete", "get"], resources: ["configmaps"] })]).covered);
    const { covered, missing } = covers(held, [rule({ verbs: ["get", "delete"], resources: ["pods", "secrets"] })]);
    assert.equal(covered, false);
    assert.deepEqual(missing, [rule({ verbs: ["delete"] }), rule({ resources: ["secrets"] }), rule({ verbs: ["delete"], resources: ["secrets"] })]);
  });
  it('"*" covers everything of its field; a held "*" verb does not cover another group', () => {
    assert.ok(covers([rule({ verbs: ["*"], apiGroups: ["*"], resources: ["*"] })], [rule({ apiGroups: ["apps"], resources: ["deployments/scale"] })]).covered);
    assert.ok(!covers([rule({ verbs: ["*"] })], [rule({ apiGroups: ["apps"] })]).covered);
    // Holding pods does not cover asking for "*" (the piece is the literal resource "*").
    assert.ok(!covers([rule({})], [rule({ resources: ["*"] })]).covered);
  });
  it("subresources: pods/log is held by pods/log or */log, never by pods", () => {
    assert.ok(covers([rule({ resources: ["*/log"] })], [rule({ resources: ["pods/log"] })]).covered);
    assert.ok(!covers([rule({})], [rule({ resources: ["pods/log"] })]).covered);
  });
  it("resourceNames: a named rule covers only those names; an unnamed one covers any name", () => {
    assert.ok(covers([rule({})], [rule({ resourceNames: ["a", "b"] })]).covered);
    assert.ok(covers([rule({ resourceNames: ["a", "b"] })], [rule({ resourceNames: ["a"] })]).covered);
    assert.ok(!covers([rule({ resourceNames: ["a"] })], [rule({ resourceNames: ["a", "c"] })]).covered);
    assert.ok(!covers([rule({ resourceNames: ["a"] })], [rule({})]).covered);
  });
  it("nonResourceURLs: exact or a held prefix*; resource rules never cover URLs", () => {
    const held = [{ verbs: ["get"], nonResourceURLs: ["/healthz", "/apis/*"] }];
    assert.ok(covers(held, [{ verbs: ["get"], nonResourceURLs: ["/healthz", "/apis/apps/v1"] }]).covered);
    assert.ok(!covers(held, [{ verbs: ["get"], nonResourceURLs: ["/metrics"] }]).covered);
    assert.ok(!covers([rule({ verbs: ["*"], apiGroups: ["*"], resources: ["*"] })], [{ verbs: ["get"], nonResourceURLs: ["/metrics"] }]).covered);
  });
});

describe("the refusal text", () => {
  it("compacts pieces by resource, prints them as CompactString, sorted, one per line", () => {
    const { missing } = covers([], [rule({ verbs: ["get", "list"], resources: ["secrets", "pods"] }), { verbs: ["get"], nonResourceURLs: ["/metrics"] }]);
    assert.deepEqual(compactRules(missing).map(compactString).sort(), [
      '{APIGroups:[""], Resources:["pods"], Verbs:["get" "list"]}',
      '{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list"]}',
      '{NonResourceURLs:["/metrics"], Verbs:["get"]}',
    ]);
    assert.equal(compactString(rule({ resourceNames: ["x"] })), '{APIGroups:[""], Resources:["pods"], ResourceNames:["x"], Verbs:["get"]}');
    const user: UserInfo = { name: "jane", groups: ["devs", "system:authenticated"] };
    assert.equal(
      escalationError(user, [], ['clusterrole.rbac.authorization.k8s.io "gone" not found'], [rule({ resources: ["secrets"] })]),
      'user "jane" (groups=["devs" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["secrets"], Verbs:["get"]}; resolution errors: [clusterrole.rbac.authorization.k8s.io "gone" not found]',
    );
    assert.equal(escalationError(user, [rule({})], [], [rule({})]), undefined);
  });
});

describe("the write checks on Roles, ClusterRoles and their bindings", () => {
  const JANE: UserInfo = { name: "jane", groups: ["devs", "system:authenticated"] };
  const ADMIN: UserInfo = { name: "root", groups: ["system:masters", "system:authenticated"] };
  const G = "rbac.authorization.k8s.io";
  function setup() {
    const store = openStore(":memory:");
    ensureBootstrapPolicy(store);
    const policy = new PolicyIndex().follow(store);
    const hooks = new Hooks();
    registerEscalationChecks(hooks, new RbacAuthorizer(policy));
    // jane administers namespace team with the default admin role (roles and rolebindings, and all of edit).
    store.create<RoleBinding>({ apiVersion: `${G}/v1`, kind: "RoleBinding", metadata: { name: "jane-admin", namespace: "team" }, roleRef: { apiGroup: G, kind: "ClusterRole", name: "admin" }, subjects: [{ kind: "User", apiGroup: G, name: "jane" }] });
    const ctx = (user: UserInfo): HookContext => ({ store, nodeName: "n", user, dryRun: false, warn: () => undefined, annotate: () => undefined });
    const create = (obj: KubeObject, user = JANE) => hooks.runCreate(obj, ctx(user));
    const update = (obj: KubeObject, old: KubeObject, user = JANE) => hooks.runUpdate(obj, old, ctx(user));
    return { store, policy, create, update, close: () => (policy.stop(), store.close()) };
  }
  const role = (name: string, rules: PolicyRule[], ns = "team"): Role => ({ apiVersion: `${G}/v1`, kind: "Role", metadata: { name, namespace: ns }, rules });
  const binding = (name: string, kind: string, roleName: string, ns = "team"): RoleBinding => ({
    apiVersion: `${G}/v1`,
    kind: "RoleBinding",
    metadata: { name, namespace: ns },
    roleRef: { apiGroup: G, kind, name: roleName },
    subjects: [{ kind: "User", apiGroup: G, name: "jane" }],
  });
  const refused = (fn: () => unknown, message: string) =>
    assert.throws(fn, (e: unknown) => e instanceof ApiError && e.code === 403 && e.reason === "Forbidden" && e.message === message);

  it("a Role within what the user holds is made; one beyond it is refused with the apiserver's text", () => {
    const t = setup();
    try {
      t.create(role("reader", [rule({ verbs: ["get", "list", "watch"], resources: ["pods", "configmaps"] })]));
      refused(
        () => t.create(role("nodes", [rule({ verbs: ["get", "list"], resources: ["nodes"] }), rule({ verbs: ["escalate"], apiGroups: [G], resources: ["roles"] })])),
        'roles.rbac.authorization.k8s.io "nodes" is forbidden: user "jane" (groups=["devs" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n' +
          '{APIGroups:[""], Resources:["nodes"], Verbs:["get" "list"]}\n{APIGroups:["rbac.authorization.k8s.io"], Resources:["roles"], Verbs:["escalate"]}',
      );
      // Held in team, not in another namespace.
      refused(() => t.create(role("reader", [rule({})], "other")), 'roles.rbac.authorization.k8s.io "reader" is forbidden: user "jane" (groups=["devs" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["pods"], Verbs:["get"]}');
      // An update is checked too; one touching only finalizers is not.
      const old = role("reader", [rule({})]);
      refused(
        () => t.update(role("reader", [rule({ verbs: ["*"] })]), old),
        'roles.rbac.authorization.k8s.io "reader" is forbidden: user "jane" (groups=["devs" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["pods"], Verbs:["*"]}',
      );
      const wide = role("wide", [rule({ resources: ["nodes"] })]);
      t.update({ ...wide, metadata: { ...wide.metadata, finalizers: ["x/y"] } }, wide);
      // system:masters grants anything.
      t.create(role("nodes", [rule({ resources: ["nodes"] })]), ADMIN);
    } finally {
      t.close();
    }
  });

  it("escalate on roles lets a user grant what they do not hold; bind lets them bind a role they do not hold", () => {
    const t = setup();
    try {
      t.store.create<Role>(role("escalator", [{ verbs: ["escalate", "bind"], apiGroups: [G], resources: ["roles", "clusterroles"] }]));
      t.store.create<RoleBinding>({ ...binding("jane-escalator", "Role", "escalator"), subjects: [{ kind: "User", apiGroup: G, name: "jane" }] });
      t.create(role("nodes", [rule({ resources: ["nodes"] })]));
      t.create(binding("jane-cluster-admin", "ClusterRole", "cluster-admin"));
    } finally {
      t.close();
    }
  });

  it("a binding needs the role's permissions: edit and view may be bound, cluster-admin not, a missing role is refused", () => {
    const t = setup();
    try {
      t.create(binding("jane-view", "ClusterRole", "view"));
      t.create(binding("jane-edit", "ClusterRole", "edit"));
      refused(
        () => t.create(binding("jane-root", "ClusterRole", "cluster-admin")),
        'rolebindings.rbac.authorization.k8s.io "jane-root" is forbidden: user "jane" (groups=["devs" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n' +
          '{APIGroups:["*"], Resources:["*"], Verbs:["*"]}\n{NonResourceURLs:["*"], Verbs:["*"]}',
      );
      refused(() => t.create(binding("ghost", "Role", "ghost")), 'rolebindings.rbac.authorization.k8s.io "ghost" is forbidden: role.rbac.authorization.k8s.io "ghost" not found');
      // A ClusterRoleBinding is judged on the cluster's bindings only: jane holds nothing there.
      const crb = { ...binding("jane-view", "ClusterRole", "view", ""), kind: "ClusterRoleBinding", metadata: { name: "jane-view" } };
      assert.throws(
        () => t.create(crb),
        (e: unknown) =>
          e instanceof ApiError &&
          e.code === 403 &&
          e.message.startsWith('clusterrolebindings.rbac.authorization.k8s.io "jane-view" is forbidden: user "jane" (groups=["devs" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n') &&
          e.message.split("\n").includes('{APIGroups:[""], Resources:["bindings"], Verbs:["get" "list" "watch"]}'),
      );
      // The admin may make any binding, even to a role that does not exist yet.
      t.create(binding("later", "Role", "later"), ADMIN);
    } finally {
      t.close();
    }
  });

  it("an aggregationRule needs every permission; the in-process controllers (system:masters) are never refused", () => {
    const t = setup();
    try {
      t.store.create<RoleBinding>({ ...binding("jane-cr", "ClusterRole", "admin", ""), kind: "ClusterRoleBinding", metadata: { name: "jane-cr" } });
      const agg: ClusterRole = { apiVersion: `${G}/v1`, kind: "ClusterRole", metadata: { name: "agg" }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { x: "y" } }] }, rules: [] };
      refused(() => t.create(agg), 'clusterroles.rbac.authorization.k8s.io "agg" is forbidden: must have cluster-admin privileges to use the aggregationRule');
      t.create({ ...agg, aggregationRule: undefined } as ClusterRole);
      t.create(agg, LOOPBACK_USER);
    } finally {
      t.close();
    }
  });
});
