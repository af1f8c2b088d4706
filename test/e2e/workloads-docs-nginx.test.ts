/**
 * The Kubernetes docs' service/networking/run-my-nginx.yaml (the "Connecting Applications with Services" tutorial)
 * with real kubectl over the in-process controllers and the fake kubelet (pods Running and Ready without a runtime):
 * apply, rollout status, the two pods by their `run` label, then `kubectl expose deployment/my-nginx` as the
 * tutorial does, and the Service's selector (the endpoints controller is not part of this harness).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { needsCommand, skipUnless } from "../helpers/root.js";
import { startWorkloadsEnv, type WorkloadsEnv } from "./workloads-kubectl-harness.js";

const skip = skipUnless(needsCommand("kubectl"), needsCommand("openssl"));
if (skip) console.log(`# skipping docs nginx e2e: ${skip}`);

/** https://k8s.io/examples/service/networking/run-my-nginx.yaml, verbatim. */
const RUN_MY_NGINX = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: my-nginx
spec:
  selector:
    matchLabels:
      run: my-nginx
  replicas: 2
  template:
    metadata:
      labels:
        run: my-nginx
    spec:
      containers:
      - name: my-nginx
        image: nginx
        ports:
        - containerPort: 80
`;

describe("the docs' run-my-nginx.yaml", { skip }, () => {
  let env: WorkloadsEnv;
  before(async () => {
    env = await startWorkloadsEnv();
  });
  after(async () => {
    await env?.close();
  });

  it("apply, rollout status, get pods -l run=my-nginx, expose deployment/my-nginx", async () => {
    assert.match(await env.ok(["apply", "-f", env.file("run-my-nginx.yaml", RUN_MY_NGINX)]), /^deployment\.apps\/my-nginx created$/m);
    assert.match(await env.ok(["rollout", "status", "deployment/my-nginx", "--timeout=30s"]), /successfully rolled out/);
    const pods = await env.ok(["get", "pods", "-l", "run=my-nginx", "-o", "wide"]);
    assert.equal(pods.trim().split("\n").filter((l) => /^my-nginx-\S+\s+1\/1\s+Running/.test(l)).length, 2, pods);
    assert.match(await env.ok(["expose", "deployment/my-nginx"]), /^service\/my-nginx exposed$/m);
    assert.match(await env.ok(["get", "svc", "my-nginx"]), /^my-nginx\s+ClusterIP\s+\S+\s+<none>\s+80\/TCP\s+/m);
    // The endpoints controller is the services wiring's, not in this harness: the selector is what it would follow.
    assert.equal(await env.ok(["get", "svc", "my-nginx", "-o", "jsonpath={.spec.selector.run}"]), "my-nginx");
  });
});
