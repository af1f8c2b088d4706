/** computePodActions for ephemeral containers: started once in a running pod, never restarted, never keeping it alive. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Container, EphemeralContainer, Pod, RestartPolicy } from "../../../src/api/types.js";
import { computePodActions, type ObservedContainer, type ObservedPod } from "../../../src/kubelet/plan.js";

function pod(ephemeral: EphemeralContainer[], policy: RestartPolicy = "Always"): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: "default", uid: "u1" },
    spec: { restartPolicy: policy, containers: [{ name: "app", image: "busybox" }], ephemeralContainers: ephemeral },
  };
}

const ctr = (name: string, state: ObservedContainer["state"], extra: Partial<ObservedContainer> = {}): ObservedContainer =>
  ({ id: `${name}-0`, name, attempt: 0, init: false, state, specHash: `h-${name}`, ...extra });

function seen(containers: ObservedContainer[], sandbox: ObservedPod["sandbox"] | null = { state: "ready" }): ObservedPod {
  return { sandbox: sandbox ?? undefined, containers, unhealthy: new Map(), notStarted: new Set(), backoffUntil: new Map(), specHash: (c: Container) => `h-${c.name}`, now: 0 };
}

const starts = (a: ReturnType<typeof computePodActions>) => a.containersToStart.map((s) => [s.name, s.attempt, s.init]);

describe("ephemeral containers", () => {
  const debug = { name: "debugger", image: "busybox", targetContainerName: "app" };

  test("one added to a running pod is started once, as an app container", () => {
    const a = computePodActions(pod([debug]), seen([ctr("app", "running")]));
    assert.deepEqual(starts(a), [["debugger", 0, false]]);
    assert.equal(a.killPod, false);
  });

  test("running or exited, it is left alone: never restarted, whatever the restart policy", () => {
    for (const state of ["running", "exited"] as const) {
      const a = computePodActions(pod([debug]), seen([ctr("app", "running"), ctr("debugger", state, { exitCode: 1 })]));
      assert.deepEqual(starts(a), [], state);
      assert.deepEqual(a.containersToKill, [], state);
    }
  });

  test("not started in a pod whose sandbox is being made (nor re-made)", () => {
    const a = computePodActions(pod([debug]), seen([], null));
    assert.deepEqual(starts(a), [["app", 0, false]]);
  });

  test("a running ephemeral container does not keep a finished pod alive", () => {
    const a = computePodActions(pod([debug], "Never"), seen([ctr("app", "exited", { exitCode: 0 }), ctr("debugger", "running")]));
    assert.equal(a.killPod, true);
    assert.deepEqual(starts(a), []);
  });
});
