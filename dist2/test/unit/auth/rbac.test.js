/**
 * RBAC without a server: request attributes from method and URL, rule matching (resourceNames, subresources,
 * nonResourceURLs, "*"), the authorizer over a store (bindings, default roles, missing roles, system:masters),
 * the 403 wording, aggregation and the controller that applies it, and validation of the kinds.
 */
import assert from "node:assert/strict";
import { setImmediate as tick } from "node:timers/promises";
import { describe, it } from "node:test";
import { admitCreate, admitUpdate } from "../../../src/api/admission.js";
import { ApiError } from "../../../src/api/errors.js";
import { aggregateRules } from "../../../src/api/rbac-aggregation.js";
import { forbidden } from "../../../src/apiserver/access.js";
import { requestAttributes } from "../../../src/auth/attributes.js";
import { RbacAuthorizer } from "../../../src/auth/rbac/authorizer.js";
import { bootstrapClusterRoles, ensureBootstrapPolicy } from "../../../src/auth/rbac/bootstrap.js";
import { PolicyIndex } from "../../../src/auth/rbac/policy-index.js";
import { ruleAllows, subjectMatches } from "../../../src/auth/rbac/rules.js";
import { ClusterRoleAggregationController } from "../../../src/controllers/clusterrole-aggregation.js";
import { openStore } from "../../../src/store/sqlite-store.js";
const JANE = { name: "jane", groups: ["dev", "system:authenticated"] };
const attrs = (method, url, user = JANE) => requestAttributes(user, method, url);
describe("request attributes", () => {
    const cases = [
        ["GET", "/api/v1/namespaces/default/pods", { verb: "list", resource: "pods", namespace: "default", apiGroup: "", name: "" }],
        ["GET", "/api/v1/namespaces/default/pods?watch=true", { verb: "watch", resource: "pods" }],
        ["GET", "/api/v1/watch/namespaces/default/pods/web", { verb: "watch", resource: "pods", name: "web" }],
        ["GET", "/api/v1/namespaces/default/pods?fieldSelector=metadata.name%3Dweb&watch=1", { verb: "watch", name: "web" }],
        ["GET", "/api/v1/namespaces/default/pods/web/log", { verb: "get", resource: "pods", subresource: "log", name: "web" }],
        ["POST", "/api/v1/namespaces/default/pods/web/exec?command=ls", { verb: "create", subresource: "exec" }],
        ["DELETE", "/api/v1/namespaces/default/pods", { verb: "deletecollection" }],
        ["DELETE", "/api/v1/namespaces/default/pods/web", { verb: "delete", name: "web" }],
        ["PATCH", "/apis/rbac.authorization.k8s.io/v1/clusterroles/view", { verb: "patch", apiGroup: "rbac.authorization.k8s.io", apiVersion: "v1", resource: "clusterroles", name: "view", namespace: "" }],
        ["GET", "/api/v1/namespaces/team", { verb: "get", resource: "namespaces", name: "team", namespace: "team" }],
        ["PUT", "/api/v1/namespaces/team/status", { verb: "update", resource: "namespaces", name: "team", subresource: "status" }],
        ["POST", "/apis/nodelet.io/v1/images", { verb: "create", apiGroup: "nodelet.io", resource: "images" }],
        ["GET", "/apis/nodelet.io/v1/namespaces/ns/pods/web/explain", { resource: "pods", subresource: "explain", apiGroup: "nodelet.io" }],
    ];
    for (const [method, url, want] of cases) {
        it(`${method} ${url}`, () => {
            const a = attrs(method, url);
            assert.equal(a.isResourceRequest, true);
            for (const [k, v] of Object.entries(want))
                assert.equal(a[k], v, k);
        });
    }
    for (const path of ["/version", "/healthz", "/api", "/apis", "/apis/apps", "/openapi/v3/api/v1", "/metrics"]) {
        it(`${path} is a non-resource request`, () => {
            const a = attrs("GET", path);
            assert.equal(a.isResourceRequest, false);
            assert.equal(a.verb, "get");
            assert.equal(a.path, path.split("?")[0]);
        });
    }
});
describe("rule matching", () => {
    const rule = (r) => ({ verbs: ["get"], apiGroups: [""], resources: ["pods"], ...r });
    it("verbs, groups and resources by name or *", () => {
        assert.ok(ruleAllows(attrs("GET", "/api/v1/namespaces/a/pods/x"), rule({})));
        assert.ok(!ruleAllows(attrs("DELETE", "/api/v1/namespaces/a/pods/x"), rule({})));
        assert.ok(ruleAllows(attrs("DELETE", "/api/v1/namespaces/a/pods/x"), rule({ verbs: ["*"] })));
        assert.ok(!ruleAllows(attrs("GET", "/apis/apps/v1/namespaces/a/deployments/x"), rule({ resources: ["*"] })));
        assert.ok(ruleAllows(attrs("GET", "/apis/apps/v1/namespaces/a/deployments/x"), rule({ apiGroups: ["*"], resources: ["*"] })));
    });
    it("a subresource needs resource/sub (or */sub); the resource alone does not grant it", () => {
        const log = attrs("GET", "/api/v1/namespaces/a/pods/x/log");
        assert.ok(!ruleAllows(log, rule({})));
        assert.ok(ruleAllows(log, rule({ resources: ["pods/log"] })));
        assert.ok(ruleAllows(log, rule({ resources: ["*/log"] })));
        assert.ok(!ruleAllows(log, rule({ resources: ["*/exec"] })));
        assert.ok(ruleAllows(log, rule({ resources: ["*"] })));
    });
    it("resourceNames restrict to those names; a list has no name and never matches them", () => {
        const named = rule({ verbs: ["get", "list"], resourceNames: ["x"] });
        assert.ok(ruleAllows(attrs("GET", "/api/v1/namespaces/a/pods/x"), named));
        assert.ok(!ruleAllows(attrs("GET", "/api/v1/namespaces/a/pods/y"), named));
        assert.ok(!ruleAllows(attrs("GET", "/api/v1/namespaces/a/pods"), named));
        assert.ok(ruleAllows(attrs("GET", "/api/v1/namespaces/a/pods?fieldSelector=metadata.name%3Dx"), named));
    });
    it("nonResourceURLs: exact, * and prefix*; resource rules never match paths", () => {
        const r = { verbs: ["get"], nonResourceURLs: ["/healthz", "/apis/*"] };
        assert.ok(ruleAllows(attrs("GET", "/healthz"), r));
        assert.ok(!ruleAllows(attrs("GET", "/healthz/etcd"), r));
        assert.ok(ruleAllows(attrs("GET", "/apis/apps"), r));
        assert.ok(!ruleAllows(attrs("GET", "/apis"), r));
        assert.ok(ruleAllows(attrs("GET", "/anything"), { verbs: ["get"], nonResourceURLs: ["*"] }));
        assert.ok(!ruleAllows(attrs("GET", "/version"), rule({ apiGroups: ["*"], resources: ["*"] })));
    });
    it("subjects: users, groups, service accounts defaulting to the binding's namespace", () => {
        const sa = { name: "system:serviceaccount:team:bot", groups: [] };
        assert.ok(subjectMatches({ kind: "User", name: "jane" }, JANE, ""));
        assert.ok(subjectMatches({ kind: "Group", name: "dev" }, JANE, ""));
        assert.ok(subjectMatches({ kind: "ServiceAccount", name: "bot" }, sa, "team"));
        assert.ok(!subjectMatches({ kind: "ServiceAccount", name: "bot" }, sa, "other"));
        assert.ok(!subjectMatches({ kind: "ServiceAccount", name: "bot" }, sa, ""));
        assert.ok(subjectMatches({ kind: "ServiceAccount", name: "bot", namespace: "team" }, sa, ""));
    });
});
function binding(name, namespace, role, subjects, kind = "ClusterRole") {
    return {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: namespace ? "RoleBinding" : "ClusterRoleBinding",
        metadata: { name, namespace },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind, name: role },
        subjects,
    };
}
describe("the RBAC authorizer over the store", () => {
    function setup() {
        const store = openStore(":memory:");
        ensureBootstrapPolicy(store);
        const index = new PolicyIndex().follow(store);
        return { store, authz: new RbacAuthorizer(index), close: () => (index.stop(), store.close()) };
    }
    it("a RoleBinding to edit allows its namespace only, and says which binding allowed", () => {
        const { store, authz, close } = setup();
        try {
            store.create(binding("jane-edit", "team", "edit", [{ kind: "User", apiGroup: "rbac.authorization.k8s.io", name: "jane" }]));
            const d = authz.authorize(attrs("POST", "/api/v1/namespaces/team/pods"));
            assert.deepEqual(d, { allowed: true, reason: 'RBAC: allowed by RoleBinding "jane-edit/team" of ClusterRole "edit" to User "jane"' });
            assert.equal(authz.authorize(attrs("POST", "/api/v1/namespaces/other/pods")).allowed, false);
            assert.equal(authz.authorize(attrs("GET", "/api/v1/nodes")).allowed, false);
            assert.equal(authz.authorize(attrs("POST", "/api/v1/namespaces/team/pods/web/exec")).allowed, true);
            assert.equal(authz.authorize(attrs("PUT", "/api/v1/namespaces/team/pods/web/status")).allowed, false);
            // The binding is followed: deleting it takes the access away at once.
            store.delete("RoleBinding", "team", "jane-edit");
            assert.equal(authz.authorize(attrs("POST", "/api/v1/namespaces/team/pods")).allowed, false);
        }
        finally {
            close();
        }
    });
    it("every authenticated user may discover and review itself; system:masters may do anything", () => {
        const { authz, close } = setup();
        try {
            assert.equal(authz.authorize(attrs("GET", "/apis")).allowed, true);
            assert.equal(authz.authorize(attrs("GET", "/version")).allowed, true);
            assert.equal(authz.authorize(attrs("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews")).allowed, true);
            assert.equal(authz.authorize(attrs("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews")).allowed, true);
            assert.equal(authz.authorize(attrs("GET", "/metrics")).allowed, false);
            const root = { name: "root", groups: ["system:masters"] };
            assert.equal(authz.authorize(attrs("DELETE", "/apis/nodelet.io/v1/images/busybox", root)).allowed, true);
        }
        finally {
            close();
        }
    });
    it("a binding to a missing role denies with the RBAC reason; a Role binding reads the namespace's Role", () => {
        const { store, authz, close } = setup();
        try {
            store.create(binding("ghost", "team", "nope", [{ kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "dev" }]));
            assert.deepEqual(authz.authorize(attrs("GET", "/api/v1/namespaces/team/pods")), { allowed: false, reason: 'RBAC: clusterrole.rbac.authorization.k8s.io "nope" not found' });
            store.create(binding("cm-reader", "team", "cm", [{ kind: "User", apiGroup: "rbac.authorization.k8s.io", name: "jane" }], "Role"));
            assert.match(authz.authorize(attrs("GET", "/api/v1/namespaces/team/configmaps")).reason, /^RBAC: \[role\.rbac\.authorization\.k8s\.io "cm" not found, clusterrole\.rbac\.authorization\.k8s\.io "nope" not found\]$/);
            store.create({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name: "cm", namespace: "team" }, rules: [{ verbs: ["list"], apiGroups: [""], resources: ["configmaps"] }] });
            assert.equal(authz.authorize(attrs("GET", "/api/v1/namespaces/team/configmaps")).allowed, true);
        }
        finally {
            close();
        }
    });
    it("rulesFor lists the rules of every binding that applies (can-i --list)", () => {
        const { store, authz, close } = setup();
        try {
            store.create(binding("v", "team", "view", [{ kind: "User", apiGroup: "rbac.authorization.k8s.io", name: "jane" }]));
            const r = authz.rulesFor(JANE, "team");
            assert.equal(r.incomplete, false);
            assert.ok(r.resourceRules.some((x) => x.resources?.includes("pods/log") && x.verbs.join() === "get,list,watch"));
            assert.ok(r.nonResourceRules.some((x) => x.nonResourceURLs?.includes("/api/*")));
            assert.ok(!authz.rulesFor(JANE, "other").resourceRules.some((x) => x.resources?.includes("pods")));
        }
        finally {
            close();
        }
    });
    it("1,000 RoleBindings of other users do not slow a lookup down to a scan (indexed by subject)", () => {
        const { store, authz, close } = setup();
        try {
            for (let i = 0; i < 1000; i++)
                store.create(binding(`b${i}`, "team", "view", [{ kind: "User", apiGroup: "rbac.authorization.k8s.io", name: `user${i}` }]));
            const a = attrs("GET", "/api/v1/namespaces/team/pods", { name: "user999", groups: ["system:authenticated"] });
            assert.equal(authz.authorize(a).allowed, true);
            assert.equal(authz.authorize(attrs("GET", "/api/v1/namespaces/team/pods")).allowed, false);
        }
        finally {
            close();
        }
    });
});
describe("the 403 Status", () => {
    it("words resource, named, subresource, cluster-scoped and path refusals as the apiserver", () => {
        const msg = (m, u, reason = "") => forbidden(attrs(m, u), reason).message;
        assert.equal(msg("GET", "/api/v1/namespaces/default/pods"), 'pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "default"');
        assert.equal(msg("GET", "/api/v1/namespaces/default/pods/web/exec"), 'pods "web" is forbidden: User "jane" cannot get resource "pods/exec" in API group "" in the namespace "default"');
        assert.equal(msg("GET", "/apis/rbac.authorization.k8s.io/v1/clusterroles"), 'clusterroles.rbac.authorization.k8s.io is forbidden: User "jane" cannot list resource "clusterroles" in API group "rbac.authorization.k8s.io" at the cluster scope');
        assert.equal(msg("GET", "/metrics"), 'forbidden: User "jane" cannot get path "/metrics"');
        assert.equal(msg("GET", "/api/v1/nodes", "RBAC: x"), 'nodes is forbidden: User "jane" cannot list resource "nodes" in API group "" at the cluster scope: RBAC: x');
        const s = forbidden(attrs("DELETE", "/api/v1/namespaces/a/pods/web"), "").toStatus();
        assert.deepEqual([s.code, s.reason, s.details], [403, "Forbidden", { kind: "pods", name: "web" }]);
    });
});
describe("aggregation", () => {
    it("the default view ⊂ edit ⊂ admin, built from the aggregate-to roles", () => {
        const roles = bootstrapClusterRoles();
        const rules = (n) => roles.find((r) => r.metadata.name === n).rules;
        for (const r of rules("view"))
            assert.ok(rules("edit").some((x) => JSON.stringify(x) === JSON.stringify(r)));
        for (const r of rules("edit"))
            assert.ok(rules("admin").some((x) => JSON.stringify(x) === JSON.stringify(r)));
        assert.ok(rules("view").some((r) => r.apiGroups?.includes("metrics.k8s.io")));
        assert.ok(!rules("view").some((r) => r.resources?.includes("secrets")));
    });
    it("selectors match labels; the role itself and unlabelled roles are left out; each rule once", () => {
        const mk = (name, labels, rules) => ({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name, labels }, rules });
        const r1 = { verbs: ["get"], apiGroups: [""], resources: ["pods"] };
        const target = { ...mk("agg", { a: "1" }, []), aggregationRule: { clusterRoleSelectors: [{ matchLabels: { a: "1" } }] } };
        const all = [target, mk("b", { a: "1" }, [r1]), mk("c", { a: "1" }, [r1]), mk("d", {}, [{ verbs: ["*"], apiGroups: ["*"], resources: ["*"] }])];
        assert.deepEqual(aggregateRules(target, all), [r1]);
        assert.equal(aggregateRules(all[1], all), undefined);
    });
    it("the controller extends view, edit and admin when a labelled role appears", async () => {
        const store = openStore(":memory:");
        ensureBootstrapPolicy(store);
        const c = new ClusterRoleAggregationController(store);
        c.start();
        try {
            const crd = { verbs: ["get"], apiGroups: ["example.com"], resources: ["widgets"] };
            store.create({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "widgets-view", labels: { "rbac.authorization.k8s.io/aggregate-to-view": "true" } }, rules: [crd] });
            const has = (n) => (store.get("ClusterRole", "", n).rules ?? []).some((r) => r.apiGroups?.includes("example.com"));
            for (let i = 0; i < 20 && !has("admin"); i++)
                await tick();
            assert.ok(has("view") && has("edit") && has("admin"));
        }
        finally {
            c.stop();
            store.close();
        }
    });
});
describe("validation of the RBAC kinds", () => {
    const ctx = { nodeName: "n" };
    const invalid = (f, re) => assert.throws(f, (e) => e instanceof ApiError && e.code === 422 && re.test(e.message));
    it("rules need verbs, groups and resources; a Role may not name URLs", () => {
        invalid(() => admitCreate({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name: "r", namespace: "a" }, rules: [{ verbs: ["get"], nonResourceURLs: ["/x"] }] }, ctx), /rules\[0\]\.nonResourceURLs: Invalid value.*namespaced rules cannot apply to non-resource URLs/);
        invalid(() => admitCreate({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "r" }, rules: [{ verbs: [], resources: ["pods"] }] }, ctx), /rules\[0\]\.verbs: Required value/);
    });
    it("bindings: roleRef kind and group, subjects' kinds; defaults filled; roleRef immutable", () => {
        const b = binding("b", "a", "edit", [{ kind: "User", name: "jane" }]);
        const made = admitCreate(b, ctx);
        assert.equal(made.subjects[0].apiGroup, "rbac.authorization.k8s.io");
        invalid(() => admitCreate({ ...b, roleRef: { ...b.roleRef, kind: "Pod" } }, ctx), /roleRef\.kind: Unsupported value: "Pod"/);
        invalid(() => admitCreate({ ...b, subjects: [{ kind: "Robot", name: "r" }] }, ctx), /subjects\[0\]\.kind: Unsupported value: "Robot"/);
        invalid(() => admitCreate(binding("c", undefined, "view", [{ kind: "ServiceAccount", name: "bot" }]), ctx), /subjects\[0\]\.namespace: Required value/);
        invalid(() => admitUpdate({ ...made, roleRef: { ...made.roleRef, name: "admin" } }, made, ctx), /roleRef: Invalid value.*cannot change roleRef/);
    });
});
//# sourceMappingURL=rbac.test.js.map