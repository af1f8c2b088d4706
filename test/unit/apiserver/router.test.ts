import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseRoute, type Route } from "../../../src/apiserver/router.js";

function summary(r: Route): string {
  if (r.type !== "resource") return r.type;
  return [r.info.group || "core", r.info.plural, r.namespace ?? "-", r.name ?? "-", r.subresource ?? "-", r.watchPrefix ? "watch" : ""].join(" ").trim();
}

describe("router", () => {
  const cases: [string, string][] = [
    ["/version", "version"],
    ["/healthz", "health"],
    ["/readyz/ping", "health"],
    ["/api", "apiVersions"],
    ["/api/v1", "resourceList"],
    ["/api/v2", "notFound"],
    ["/apis", "apiGroupList"],
    ["/apis/discovery.k8s.io", "apiGroup"],
    ["/apis/discovery.k8s.io/v1", "resourceList"],
    ["/apis/apps/v1", "resourceList"],
    ["/apis/example.com/v1", "notFound"],
    ["/openapi/v3", "openapiV3Root"],
    ["/openapi/v3/api/v1", "openapiV3"],
    ["/openapi/v2", "openapiV2"],
    ["/openapi/v2/x", "notFound"],
    ["/api/v1/pods", "core pods - - -"],
    ["/api/v1/namespaces/default/pods", "core pods default - -"],
    ["/api/v1/namespaces/default/pods/web", "core pods default web -"],
    ["/api/v1/namespaces/default/pods/web/log", "core pods default web log"],
    ["/api/v1/namespaces/default/pods/web/exec", "core pods default web exec"],
    ["/api/v1/namespaces/default/pods/web/bogus", "notFound"],
    ["/api/v1/namespaces/default/pods/web/log/extra", "notFound"],
    ["/api/v1/pods/web", "notFound"],
    ["/api/v1/namespaces", "core namespaces - - -"],
    ["/api/v1/namespaces/kube-system", "core namespaces - kube-system -"],
    ["/api/v1/namespaces/kube-system/status", "core namespaces - kube-system status"],
    ["/api/v1/nodes/n1/status", "core nodes - n1 status"],
    ["/api/v1/namespaces/x/nodes", "notFound"],
    ["/api/v1/watch/namespaces/default/pods", "core pods default - - watch"],
    ["/apis/discovery.k8s.io/v1/namespaces/default/endpointslices", "discovery.k8s.io endpointslices default - -"],
    ["/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/web", "metrics.k8s.io pods default web -"],
    ["/apis/metrics.k8s.io/v1beta1/nodes", "nodeMetrics"],
    ["/api/v1/namespaces/default/pods/we%20b", "core pods default we b -"],
    ["/nope", "notFound"],
  ];
  for (const [path, want] of cases) it(`${path} → ${want}`, () => assert.equal(summary(parseRoute(path)), want));
});
