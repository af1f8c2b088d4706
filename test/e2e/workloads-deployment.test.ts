/**
 * kubectl 1.32 and Deployments, with the controllers in-process and a fake kubelet that reports every pod Running
 * and Ready (no containers run: images are not pulled, so the docs' nginx image needs no registry here; the
 * privileged rollout test runs real pods). Proves the API and controller behaviour each kubectl verb relies on.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Deployment, ReplicaSet } from "../../src/api/apps-types.js";
import type { Pod, Service } from "../../src/api/types.js";
import { needsCommand, skipUnless } from "../helpers/root.js";
import { startWorkloadsEnv, type WorkloadsEnv } from "./workloads-kubectl-harness.js";
import { eventually } from "../helpers/wait.js";

const skip = skipUnless(needsCommand("kubectl"), needsCommand("openssl"));
if (skip) console.log(`# skipping workloads e2e: ${skip}`);

/** https://k8s.io/examples/application/deployment.yaml, verbatim. */
const DOCS_DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx-deployment
spec:
  selector:
    matchLabels:
      app: nginx
  replicas: 2 # tells deployment to run 2 pods matching the template
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: nginx:1.14.2
        ports:
        - containerPort: 80
`;

describe("kubectl and Deployments", { skip }, () => {
  let env: WorkloadsEnv;
  before(async () => {
    env = await startWorkloadsEnv();
  });
  after(async () => {
    await env?.close();
  });

  const dep = (name: string) => env.t.store.get<Deployment>("Deployment", "default", name);
  const setsOf = (app: string) => env.t.store.list<ReplicaSet>("ReplicaSet", { namespace: "default", labelSelector: `app=${app}` }).items;
  const livePods = (app: string) => env.t.store.list<Pod>("Pod", { namespace: "default", labelSelector: `app=${app}` }).items.filter((p) => !p.metadata.deletionTimestamp);
  const complete = (name: string, replicas: number) => () => {
    const d = dep(name);
    const s = d?.status;
    return s && s.observedGeneration === d.metadata.generation && s.updatedReplicas === replicas && s.availableReplicas === replicas && s.replicas === replicas;
  };

  it("apply -f the docs' deployment.yaml: 2 pods, rollout status completes, get shows READY UP-TO-DATE AVAILABLE", async () => {
    assert.match(await env.ok(["apply", "-f", env.file("deployment.yaml", DOCS_DEPLOYMENT)]), /^deployment\.apps\/nginx-deployment created$/m);
    assert.match(await env.ok(["rollout", "status", "deployment/nginx-deployment", "--timeout=30s"]), /deployment "nginx-deployment" successfully rolled out/);
    const out = await env.ok(["get", "deployments"]);
    assert.match(out, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/m);
    assert.match(out, /^nginx-deployment\s+2\/2\s+2\s+2\s+\d+s$/m);
    const wide = await env.ok(["get", "deploy", "-o", "wide"]);
    assert.match(wide, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR$/m);
    assert.match(wide, /^nginx-deployment\s+2\/2\s+2\s+2\s+\d+s\s+nginx\s+nginx:1\.14\.2\s+app=nginx$/m);
    assert.equal(livePods("nginx").length, 2);
  });

  it("create deployment, scale, get all", async () => {
    assert.match(await env.ok(["create", "deployment", "web", "--image=busybox", "--replicas=2", "--", "sleep", "3600"]), /^deployment\.apps\/web created$/m);
    await eventually(complete("web", 2), 20_000, "web rolled out");
    assert.match(await env.ok(["scale", "deployment/web", "--replicas=3"]), /^deployment\.apps\/web scaled$/m);
    await eventually(complete("web", 3), 20_000, "web at 3");
    const all = await env.ok(["get", "all"]);
    assert.match(all, /^pod\/web-\w+-\w{5}\s+1\/1\s+Running/m);
    assert.match(all, /^deployment\.apps\/web\s+3\/3\s+3\s+3/m);
    assert.match(all, /^replicaset\.apps\/web-\w+\s+3\s+3\s+3/m);
  });

  it("set image rolls out revision 2; rollout history lists both; undo returns to revision 1's template as revision 3", async () => {
    assert.match(await env.ok(["set", "image", "deployment/web", "busybox=busybox:v2"]), /^deployment\.apps\/web image updated$/m);
    await env.ok(["rollout", "status", "deployment/web", "--timeout=30s"]);
    assert.equal(dep("web")?.metadata.annotations?.["deployment.kubernetes.io/revision"], "2");
    assert.ok(livePods("web").every((p) => p.spec.containers[0].image === "busybox:v2"));
    const history = await env.ok(["rollout", "history", "deployment/web"]);
    assert.match(history, /^REVISION\s+CHANGE-CAUSE$/m);
    assert.match(history, /^1\s+<none>$/m);
    assert.match(history, /^2\s+<none>$/m);
    const rev2 = await env.ok(["rollout", "history", "deployment/web", "--revision=2"]);
    assert.match(rev2, /Image:\s+busybox:v2/);
    assert.match(await env.ok(["rollout", "undo", "deployment/web"]), /^deployment\.apps\/web rolled back$/m);
    await eventually(() => complete("web", 3)() && livePods("web").every((p) => p.spec.containers[0].image === "busybox"), 20_000, "back on busybox");
    assert.equal(dep("web")?.metadata.annotations?.["deployment.kubernetes.io/revision"], "3");
    assert.equal(setsOf("web").length, 2, "revision 1's set was reused");
  });

  it("set env and set resources roll out new templates", async () => {
    await env.ok(["set", "env", "deployment/web", "GREETING=hello"]);
    await env.ok(["rollout", "status", "deployment/web", "--timeout=30s"]);
    assert.ok(livePods("web").every((p) => p.spec.containers[0].env?.some((e) => e.name === "GREETING" && e.value === "hello")));
    await env.ok(["set", "resources", "deployment/web", "--limits=cpu=200m,memory=64Mi"]);
    await env.ok(["rollout", "status", "deployment/web", "--timeout=30s"]);
    assert.ok(livePods("web").every((p) => p.spec.containers[0].resources?.limits?.cpu === "200m"));
  });

  it("rollout restart replaces every pod; pause holds a change until resume", async () => {
    const before = new Set(livePods("web").map((p) => p.metadata.uid));
    assert.match(await env.ok(["rollout", "restart", "deployment/web"]), /^deployment\.apps\/web restarted$/m);
    await env.ok(["rollout", "status", "deployment/web", "--timeout=30s"]);
    await eventually(() => livePods("web").length === 3 && livePods("web").every((p) => !before.has(p.metadata.uid)), 20_000, "all pods replaced");
    assert.ok(dep("web")?.spec.template.metadata?.annotations?.["kubectl.kubernetes.io/restartedAt"]);
    assert.match(await env.ok(["rollout", "pause", "deployment/web"]), /^deployment\.apps\/web paused$/m);
    await env.ok(["set", "image", "deployment/web", "busybox=busybox:paused"]);
    await eventually(() => dep("web")?.status?.conditions?.some((c) => c.reason === "DeploymentPaused"), 20_000, "paused condition");
    assert.ok(livePods("web").every((p) => p.spec.containers[0].image !== "busybox:paused"), "nothing rolled while paused");
    const undo = await env.kubectl(["rollout", "undo", "deployment/web"]);
    assert.notEqual(undo.code, 0);
    assert.match(undo.stderr, /you cannot rollback a paused deployment; resume it first/);
    assert.match(await env.ok(["rollout", "resume", "deployment/web"]), /^deployment\.apps\/web resumed$/m);
    await env.ok(["rollout", "status", "deployment/web", "--timeout=30s"]);
    assert.ok(livePods("web").every((p) => p.spec.containers[0].image === "busybox:paused"));
  });

  it("expose deployment makes a Service selecting its pods", async () => {
    assert.match(await env.ok(["expose", "deployment", "nginx-deployment", "--port=80"]), /^service\/nginx-deployment exposed$/m);
    const svc = env.t.store.get<Service>("Service", "default", "nginx-deployment");
    assert.deepEqual(svc?.spec.selector, { app: "nginx" });
    assert.equal(svc?.spec.ports?.[0].port, 80);
  });

  it("describe deploy shows strategy, conditions, old/new replica sets and events; describe rs too", async () => {
    const out = await env.ok(["describe", "deploy", "nginx-deployment"]);
    assert.match(out, /^Replicas:\s+2 desired \| 2 updated \| 2 total \| 2 available \| 0 unavailable$/m);
    assert.match(out, /^StrategyType:\s+RollingUpdate$/m);
    assert.match(out, /^RollingUpdateStrategy:\s+25% max unavailable, 25% max surge$/m);
    assert.match(out, /^\s+Available\s+True\s+MinimumReplicasAvailable$/m);
    assert.match(out, /^\s+Progressing\s+True\s+NewReplicaSetAvailable$/m);
    assert.match(out, /^NewReplicaSet:\s+nginx-deployment-\w+ \(2\/2 replicas created\)$/m);
    assert.match(out, /ScalingReplicaSet\s+.*Scaled up replica set nginx-deployment-\w+ from 0 to 2/);
    const rs = await env.ok(["describe", "rs", "-l", "app=nginx"]);
    assert.match(rs, /^Controlled By:\s+Deployment\/nginx-deployment$/m);
  });

  it("logs deploy/NAME and exec deploy/NAME reach one of its pods", async () => {
    assert.match(await env.ok(["logs", "deploy/nginx-deployment"]), /hello from nginx/);
    assert.match(await env.ok(["exec", "deploy/nginx-deployment", "--", "echo", "hi"]), /^echo hi$/m);
    const call = env.t.io.execCalls.at(-1);
    assert.ok(livePods("nginx").some((p) => p.metadata.name === call?.pod));
  });

  it("bad input is refused with Kubernetes' field errors and nothing is created", async () => {
    const both0 = DOCS_DEPLOYMENT.replace("name: nginx-deployment", "name: zero").replace("  replicas: 2", "  replicas: 2\n  strategy:\n    rollingUpdate:\n      maxSurge: 0\n      maxUnavailable: 0");
    const r = await env.kubectl(["apply", "-f", env.file("zero.yaml", both0)]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /The Deployment "zero" is invalid: spec\.strategy\.rollingUpdate\.maxUnavailable: Invalid value: intstr\.IntOrString\{Type:0, IntVal:0, StrVal:""\}: may not be 0 when `maxSurge` is 0/);
    const neg = await env.kubectl(["apply", "-f", env.file("neg.yaml", DOCS_DEPLOYMENT.replace("name: nginx-deployment", "name: neg").replace("replicas: 2", "replicas: -1"))]);
    assert.match(neg.stderr, /spec\.replicas: Invalid value: -1: must be greater than or equal to 0/);
    const sel = await env.kubectl(["create", "deployment", "web", "--image=x", "--dry-run=server", "-o", "name"]);
    assert.match(sel.stderr, /already exists/);
    assert.equal(dep("zero"), undefined);
    assert.equal(dep("neg"), undefined);
  });
});
