/**
 * HorizontalPodAutoscalers with real kubectl: `kubectl autoscale` (autoscaling/v1, sent as protobuf) on a
 * Deployment given CPU requests by `kubectl set resources`, an autoscaling/v2 memory HPA applied from YAML, both
 * scaling their Deployment from the Metrics API's pod usage (a fake PodIO: 150m CPU and 300Mi per pod);
 * `kubectl get hpa` columns, `describe hpa`, `get -o yaml` in v2, and delete.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Deployment } from "../../src/api/apps-types.js";
import type { HorizontalPodAutoscaler } from "../../src/api/autoscaling-types.js";
import { needsCommand, skipUnless } from "../helpers/root.js";
import { eventually } from "../helpers/wait.js";
import { startWorkloadsEnv, type WorkloadsEnv } from "./workloads-kubectl-harness.js";

const skip = skipUnless(needsCommand("kubectl"), needsCommand("openssl"));
if (skip) console.log(`# skipping autoscale e2e: ${skip}`);

const MEMORY = `apiVersion: apps/v1
kind: Deployment
metadata: {name: mem}
spec:
  replicas: 1
  selector: {matchLabels: {app: mem}}
  template:
    metadata: {labels: {app: mem}}
    spec:
      containers:
      - {name: c, image: nginx, resources: {requests: {memory: 200Mi}}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: mem}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: mem}
  minReplicas: 1
  maxReplicas: 5
  metrics:
  - type: Resource
    resource: {name: memory, target: {type: AverageValue, averageValue: 100Mi}}
`;

describe("kubectl autoscale and HorizontalPodAutoscalers", { skip }, () => {
  let env: WorkloadsEnv;
  before(async () => {
    env = await startWorkloadsEnv({}, {}, () => ({ cpuNanos: 150e6, memoryKi: 300 * 1024 }));
  });
  after(async () => {
    await env?.close();
  });

  const replicas = (name: string) => env.t.store.get<Deployment>("Deployment", "default", name)?.spec.replicas;

  it("autoscale, get hpa, describe hpa, -o yaml, delete", async () => {
    await env.ok(["create", "deployment", "cpu", "--image=nginx", "--replicas=1"]);
    await env.ok(["set", "resources", "deployment", "cpu", "--requests=cpu=100m"]);
    await env.ok(["rollout", "status", "deployment/cpu", "--timeout=30s"]);
    assert.match(await env.ok(["autoscale", "deployment", "cpu", "--cpu-percent=50", "--min=1", "--max=3"]), /^horizontalpodautoscaler\.autoscaling\/cpu autoscaled$/m);
    assert.match(await env.ok(["apply", "-f", "-"], { stdin: MEMORY }), /horizontalpodautoscaler\.autoscaling\/mem created/);
    // Memory needs no readiness window: 300Mi per pod against 100Mi asks for 3 at once.
    await eventually(() => replicas("mem") === 3, 20_000, "the memory HPA scales mem to 3");
    // CPU samples count a full metrics window after the pods turned ready; the next look is a sync period later.
    await eventually(() => replicas("cpu") === 3, 40_000, "the CPU HPA scales cpu to 3 (its max)");
    // Waited on in the store (a kubectl process a poll kept a core busy); kubectl shows it once it is there.
    const cpuUtilization = () => env.t.store.get<HorizontalPodAutoscaler>("HorizontalPodAutoscaler", "default", "cpu")?.status?.currentMetrics?.[0]?.resource?.current.averageUtilization;
    await eventually(() => cpuUtilization() === 150, 20_000, "the CPU HPA's status shows 150%");
    const table = await env.ok(["get", "hpa"]);
    const lines = table.trim().split("\n");
    assert.match(lines[0], /^NAME\s+REFERENCE\s+TARGETS\s+MINPODS\s+MAXPODS\s+REPLICAS\s+AGE$/);
    assert.match(table, /^cpu\s+Deployment\/cpu\s+cpu: 150%\/50%\s+1\s+3\s+\d\s+\S+$/m);
    assert.match(table, /^mem\s+Deployment\/mem\s+memory: \d+\/100Mi\s+1\s+5\s+\d\s+\S+$/m);
    const described = await env.ok(["describe", "hpa", "cpu"]);
    for (const re of [
      /^Reference:\s+Deployment\/cpu$/m,
      /^\s+resource cpu on pods\s+\(as a percentage of request\):\s+150% \(150m\) \/ 50%$/m,
      /^Min replicas:\s+1$/m,
      /^Max replicas:\s+3$/m,
      // Scaled from 1 to 3 in this look; the status counts what the look started from.
      /^Deployment pods:\s+1 current \/ 3 desired$/m,
      /^\s+AbleToScale\s+True\s+SucceededRescale\s+the HPA controller was able to update the target scale to 3$/m,
      /^\s+ScalingLimited\s+False\s+DesiredWithinRange\s+the desired count is within the acceptable range$/m,
      /SuccessfulRescale\s+.*New size: 3; reason: cpu resource utilization \(percentage of request\) above target/,
    ]) {
      assert.match(described, re);
    }
    assert.match(await env.ok(["get", "hpa", "cpu", "-o", "yaml"]), /^apiVersion: autoscaling\/v2$/m);
    const v1 = JSON.parse(await env.ok(["get", "--raw", "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers/cpu"])) as { apiVersion: string; spec: { targetCPUUtilizationPercentage?: number } };
    assert.deepEqual([v1.apiVersion, v1.spec.targetCPUUtilizationPercentage], ["autoscaling/v1", 50]);
    assert.match(await env.ok(["delete", "hpa", "cpu", "mem"]), /horizontalpodautoscaler\.autoscaling "cpu" deleted/);
  });
});
