/**
 * Zero-downtime rollout (privileged): a real daemon with its own bridge and subnets runs a 10-replica Deployment of
 * busybox `httpd` pods (standing in for nginx until images are pulled from a registry here) with a readiness probe,
 * behind a Service, rolled to a new template with `maxUnavailable: 0`. A client pod requests the service's cluster
 * IP in a loop for the whole rollout. Proves: no failed request, and never fewer than 10 ready, non-terminating
 * pods — which needs the Deployment controller's surge arithmetic, readiness-gated endpoints, and terminating pods
 * leaving the endpoints before they stop (the preStop sleep gives the proxy time to drop them, as on a cluster).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Deployment } from "../../src/api/apps-types.js";
import type { Pod } from "../../src/api/types.js";
import { eventually } from "../helpers/daemon.js";
import { needsCommand, needsRoot, skipUnless } from "../helpers/root.js";
import { ServiceCluster } from "../helpers/service-cluster.js";

const skip = skipUnless(needsRoot(), needsCommand("nft"));

function deployment(version: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: roll}
spec:
  replicas: 10
  selector: {matchLabels: {app: roll}}
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 3, maxUnavailable: 0}}
  template:
    metadata: {labels: {app: roll}}
    spec:
      terminationGracePeriodSeconds: 10
      containers:
      - name: web
        image: busybox
        env: [{name: VERSION, value: "${version}"}]
        command: ["sh", "-c", "mkdir -p /www && echo $VERSION > /www/index.html && exec httpd -f -p 8080 -h /www"]
        ports: [{containerPort: 8080}]
        # 10 s: with the default 1 s a loaded machine's slow answers unready pods the rollout never took down.
        readinessProbe: {httpGet: {path: /, port: 8080}, periodSeconds: 1, timeoutSeconds: 10}
        lifecycle: {preStop: {exec: {command: ["sleep", "2"]}}}
---
apiVersion: v1
kind: Service
metadata: {name: roll}
spec:
  selector: {app: roll}
  ports: [{port: 80, targetPort: 8080}]
`;
}

describe("zero-downtime rollout (privileged)", { skip }, () => {
  const c = new ServiceCluster("nftables", 170);

  before(async () => {
    await c.start();
  });
  after(async () => {
    await c.cleanup();
  });

  const readyPods = async (): Promise<number> => {
    const list = await c.d.client.request<{ items: Pod[] }>("GET", "/api/v1/namespaces/default/pods?labelSelector=app%3Droll");
    return list.items.filter((p) => !p.metadata.deletionTimestamp && p.status?.conditions?.some((x) => x.type === "Ready" && x.status === "True")).length;
  };
  const deploymentDone = async (version: string): Promise<boolean> => {
    const d = await c.d.client.request<Deployment>("GET", "/apis/apps/v1/namespaces/default/deployments/roll").catch(() => undefined);
    const s = d?.status;
    return !!d && !!s && d.spec.template.spec.containers[0].env?.[0].value === version && s.observedGeneration === d.metadata.generation && s.updatedReplicas === 10 && s.availableReplicas === 10 && s.replicas === 10;
  };

  test("10 replicas rolled with maxUnavailable 0: no failed request, never fewer than 10 ready pods", async () => {
    await c.apply(deployment("v1"));
    await eventually(async () => (await deploymentDone("v1")) || undefined, 120_000, "v1 rolled out");
    await c.waitEndpoints("roll", 10, 60_000);
    const ip = await c.jsonpath("svc", "roll", "{.spec.clusterIP}");
    // busybox's wget exited 139 (SIGSEGV) with -T on this machine; `timeout` bounds each request instead.
    const probe = await c.exec("client", ["wget", "-qO-", `http://${ip}/`]);
    assert.equal(probe.stdout.trim(), "v1", `the service answers before the rollout: ${probe.code} ${probe.stderr}`);
    // The client requests until told to stop; one line per request.
    const loop = c.exec("client", ["sh", "-c", `rm -f /tmp/stop; while [ ! -f /tmp/stop ]; do if timeout 5 wget -qO- http://${ip}/ >/tmp/body 2>/dev/null; then echo "OK $(cat /tmp/body)"; else echo "FAIL $?"; fi; done`]);
    await eventually(async () => (await c.exec("client", ["sh", "-c", "true"])).code === 0 || undefined, 10_000, "client exec");
    let minReady = Infinity;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        minReady = Math.min(minReady, await readyPods());
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    await c.apply(deployment("v2"));
    await eventually(async () => (await deploymentDone("v2")) || undefined, 180_000, "v2 rolled out");
    await eventually(async () => (await c.d.client.request<{ items: Pod[] }>("GET", "/api/v1/namespaces/default/pods?labelSelector=app%3Droll")).items.length === 10 || undefined, 60_000, "old pods gone");
    sampling = false;
    await sampler;
    await c.exec("client", ["touch", "/tmp/stop"]);
    const out = (await loop).stdout.split("\n").filter(Boolean);
    const failures = out.filter((l) => l.startsWith("FAIL"));
    const failed = failures.length;
    const v1 = out.filter((l) => l === "OK v1").length;
    const v2 = out.filter((l) => l === "OK v2").length;
    console.log(`# rollout: ${out.length} requests (${v1} v1, ${v2} v2), ${failed} failed; fewest ready pods ${minReady}`);
    if (failed) console.log(`# first failures: ${failures.slice(0, 3).join(" | ")}`);
    assert.equal(failed, 0, "no request failed");
    assert.ok(v1 > 0 && v2 > 0, "requests were served by both versions during the rollout");
    assert.ok(minReady >= 10, `never fewer than 10 ready pods (saw ${minReady})`);
  });
});
