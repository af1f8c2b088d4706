/**
 * The authorizer remembers each user's grants per namespace while the policy is unchanged: every change to a Role,
 * ClusterRole or binding is seen before the next request (a remembered grant never outlives its binding or role),
 * the key cannot be forged by a user's name spelling another user's groups, requests of any verb, resource and name
 * share the user's grants, and a caller changing a decision it got does not change the next one.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ClusterRole, RoleBinding } from "../../../src/api/rbac.js";
import { requestAttributes } from "../../../src/auth/attributes.js";
import { RbacAuthorizer } from "../../../src/auth/rbac/authorizer.js";
import { ensureBootstrapPolicy } from "../../../src/auth/rbac/bootstrap.js";
import { PolicyIndex } from "../../../src/auth/rbac/policy-index.js";
import type { UserInfo } from "../../../src/auth/user.js";
import { openStore } from "../../../src/store/sqlite-store.js";

const RBAC = "rbac.authorization.k8s.io";

function setup() {
  const store = openStore(":memory:");
  ensureBootstrapPolicy(store);
  const index = new PolicyIndex().follow(store);
  return { store, authz: new RbacAuthorizer(index), close: () => (index.stop(), store.close()) };
}

const groupBinding = (name: string, role: string, group: string): RoleBinding => ({
  apiVersion: `${RBAC}/v1`, kind: "RoleBinding", metadata: { name, namespace: "team" },
  roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: role }, subjects: [{ kind: "Group", apiGroup: RBAC, name: group }],
});
const role = (name: string, verbs: string[]): ClusterRole => ({
  apiVersion: `${RBAC}/v1`, kind: "ClusterRole", metadata: { name }, rules: [{ verbs, apiGroups: [""], resources: ["configmaps"] }],
});

describe("remembered RBAC grants", () => {
  const ops: UserInfo = { name: "x", groups: ["ops", "system:authenticated"] };
  const list = (u: UserInfo) => requestAttributes(u, "GET", "/api/v1/namespaces/team/configmaps");

  it("a change to the role's rules or to the binding decides the very next request", () => {
    const { store, authz, close } = setup();
    try {
      const r = store.create(role("cm", ["get"]));
      store.create(groupBinding("ops-cm", "cm", "ops"));
      for (let i = 0; i < 3; i++) assert.equal(authz.authorize(list(ops)).allowed, false);
      store.update({ ...r, rules: [{ verbs: ["list"], apiGroups: [""], resources: ["configmaps"] }] });
      for (let i = 0; i < 3; i++) assert.equal(authz.authorize(list(ops)).allowed, true);
      store.delete("RoleBinding", "team", "ops-cm");
      assert.equal(authz.authorize(list(ops)).allowed, false);
      store.create(groupBinding("ops-cm", "cm", "ops"));
      assert.equal(authz.authorize(list(ops)).allowed, true);
      store.delete("ClusterRole", "", "cm");
      assert.deepEqual(authz.authorize(list(ops)), { allowed: false, reason: `RBAC: clusterrole.${RBAC} "cm" not found` });
    } finally {
      close();
    }
  });

  it("a name that spells another user's groups is not given their decision", () => {
    const { store, authz, close } = setup();
    try {
      store.create(groupBinding("ops-edit", "edit", "ops"));
      assert.equal(authz.authorize(list(ops)).allowed, true);
      for (const name of ["x|3:ops", "x,ops", "x\u0000ops", "x|3:ops|21:system:authenticated"]) {
        assert.equal(authz.authorize(list({ name, groups: ["system:authenticated"] })).allowed, false, JSON.stringify(name));
        assert.equal(authz.authorize(list({ name, groups: [] })).allowed, false, JSON.stringify(name));
      }
    } finally {
      close();
    }
  });

  it("a user's requests of other verbs, resources and names are decided by the same grants", () => {
    const { store, authz, close } = setup();
    try {
      store.create(groupBinding("ops-view", "view", "ops"));
      assert.equal(authz.authorize(list(ops)).allowed, true);
      assert.equal(authz.authorize(requestAttributes(ops, "GET", "/api/v1/namespaces/team/pods/web")).allowed, true);
      assert.equal(authz.authorize(requestAttributes(ops, "DELETE", "/api/v1/namespaces/team/pods/web")).allowed, false);
      assert.equal(authz.authorize(requestAttributes(ops, "GET", "/api/v1/namespaces/team/secrets/s")).allowed, false);
      assert.equal(authz.authorize(requestAttributes(ops, "GET", "/api/v1/namespaces/other/pods/web")).allowed, false);
      assert.equal(authz.authorize(requestAttributes(ops, "GET", "/api")).allowed, true);
    } finally {
      close();
    }
  });

  it("each caller gets its own copy of a decision", () => {
    const { store, authz, close } = setup();
    try {
      store.create(groupBinding("ops-edit", "edit", "ops"));
      const first = authz.authorize(list(ops));
      first.allowed = false;
      first.reason = "changed";
      assert.equal(authz.authorize(list(ops)).allowed, true);
      assert.match(authz.authorize(list(ops)).reason, /^RBAC: allowed by RoleBinding "ops-edit\/team"/);
    } finally {
      close();
    }
  });
});
