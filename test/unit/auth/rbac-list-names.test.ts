/**
 * Security review #14, finding 1 and 8a: a list or watch is authorized on exactly the name and the verb the handlers
 * will serve. The field selector is read with the handlers' parser (`\,` escapes a comma inside a value), and
 * `watch` is read as Go's ParseBool reads it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Role, RoleBinding } from "../../../src/api/rbac.js";
import { requestAttributes } from "../../../src/auth/attributes.js";
import { RbacAuthorizer } from "../../../src/auth/rbac/authorizer.js";
import { ensureBootstrapPolicy } from "../../../src/auth/rbac/bootstrap.js";
import { PolicyIndex } from "../../../src/auth/rbac/policy-index.js";
import type { UserInfo } from "../../../src/auth/user.js";
import { parseFieldSelector } from "../../../src/api/labels.js";
import { openStore } from "../../../src/store/sqlite-store.js";

const JANE: UserInfo = { name: "jane", groups: ["dev", "system:authenticated"] };
const SECRETS = "/api/v1/namespaces/team/secrets";
const list = (selector: string) => `${SECRETS}?fieldSelector=${encodeURIComponent(selector)}`;
const SMUGGLED = "metadata.name!=x\\,metadata.name=app-config";

describe("a list's name is the one the handlers filter on", () => {
  it("the escaped comma is part of a != value, so the selector names nothing", () => {
    // What the list handler will filter with: one requirement, not a metadata.name pin.
    assert.deepEqual(
      parseFieldSelector(SMUGGLED).requirements.map((r) => [r.field, r.operator, r.value]),
      [["metadata.name", "!=", "x,metadata.name=app-config"]],
    );
    assert.equal(requestAttributes(JANE, "GET", list(SMUGGLED)).name, "");
  });
  it("the first metadata.name = or == requirement names the object; other fields and != do not", () => {
    const name = (s: string) => requestAttributes(JANE, "GET", list(s)).name;
    assert.equal(name("metadata.name=app-config"), "app-config");
    assert.equal(name("metadata.name==app-config"), "app-config");
    assert.equal(name("metadata.namespace=team,metadata.name=app-config"), "app-config");
    assert.equal(name("metadata.name!=app-config"), "");
    assert.equal(name("spec.name=app-config"), "");
    assert.equal(name("metadata.name"), "", "a selector the handler refuses names nothing");
    assert.equal(name("metadata.name=a\\/b"), "", "not a valid path segment");
  });
  it("a Role with resourceNames [app-config] allows the plain pin and refuses the smuggled selector", () => {
    const store = openStore(":memory:");
    ensureBootstrapPolicy(store);
    const index = new PolicyIndex().follow(store);
    try {
      const role: Role = {
        apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name: "app-config-reader", namespace: "team" },
        rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "watch"], resourceNames: ["app-config"] }],
      };
      const binding: RoleBinding = {
        apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: { name: "jane-app-config", namespace: "team" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "app-config-reader" },
        subjects: [{ kind: "User", apiGroup: "rbac.authorization.k8s.io", name: "jane" }],
      };
      store.create(role);
      store.create(binding);
      const authz = new RbacAuthorizer(index);
      const allowed = (url: string) => authz.authorize(requestAttributes(JANE, "GET", url)).allowed;
      assert.equal(allowed(list("metadata.name=app-config")), true);
      assert.equal(allowed(`${list("metadata.name=app-config")}&watch=t`), true);
      assert.equal(allowed(list(SMUGGLED)), false);
      assert.equal(allowed(`${list(SMUGGLED)}&watch=true`), false);
      assert.equal(allowed(SECRETS), false);
    } finally {
      index.stop();
      store.close();
    }
  });
});

describe("watch is read as the handlers read it (Go's ParseBool)", () => {
  for (const v of ["true", "1", "t", "True", "TRUE"]) {
    it(`watch=${v} is a watch`, () => assert.equal(requestAttributes(JANE, "GET", `${SECRETS}?watch=${v}`).verb, "watch"));
  }
  for (const v of ["false", "0", "f", "yes", ""]) {
    it(`watch=${v} is a list`, () => assert.equal(requestAttributes(JANE, "GET", `${SECRETS}?watch=${v}`).verb, "list"));
  }
});
