/**
 * Hook failures say why, as real kubectl shows them: `kubectl describe pod` lists FailedPostStartHook and
 * FailedPreStopHook with the hook's command, exit code and output; while a failed postStart's container is being
 * killed (it ignores SIGTERM, so the whole grace period) the pod already has its IP and a container status that
 * says PostStartHookError.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { needsCommand, needsRoot, skipUnless } from "../helpers/root.js";
import { eventually } from "../helpers/daemon.js";
import { kubectlDaemon } from "../helpers/kubectl-daemon.js";

const skip = skipUnless(needsRoot(), needsCommand("kubectl"));

const STUBBORN = `["sh", "-c", "trap '' TERM; while true; do sleep 0.1; done"]`;

function podYaml(name: string, lifecycle: string): string {
  return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  terminationGracePeriodSeconds: 20\n  containers:\n  - name: c\n    image: busybox\n    command: ${STUBBORN}\n    lifecycle:\n${lifecycle}`;
}

describe("hook failures in kubectl describe (privileged)", { skip }, () => {
  const { d, kubectl } = kubectlDaemon("hooks");
  const jsonpath = async (name: string, path: string) => (await kubectl(["get", "pod", name, "-o", `jsonpath=${path}`])).stdout;


  test("postStart: the event has the exit code and output; the status is there during the kill", async () => {
    const file = join(d.root, "poststart.yaml");
    writeFileSync(file, podYaml("poststart", `      postStart:\n        exec:\n          command: ["sh", "-c", "echo cannot reach db; exit 3"]\n`));
    assert.equal((await kubectl(["apply", "-f", file])).code, 0);
    const described = await eventually(async () => {
      const r = await kubectl(["describe", "pod", "poststart"]);
      return /FailedPostStartHook/.test(r.stdout) && r.stdout;
    }, 30_000, "FailedPostStartHook in describe");
    assert.match(
      described,
      /Warning\s+FailedPostStartHook\s+.*kubelet\s+Exec lifecycle hook \(\[sh -c echo cannot reach db; exit 3\]\) for Container "c" in Pod "poststart_default\([0-9a-f-]+\)" failed - error: command 'sh -c echo cannot reach db; exit 3' exited with 3: , message: "cannot reach db\\n"\n/,
    );
    // The container ignores SIGTERM: the kill takes the 20 s grace period, and the status is already written.
    const killing = await eventually(async () => (await kubectl(["describe", "pod", "poststart"])).stdout.match(/Normal\s+Killing\s+.*FailedPostStartHook/), 10_000, "Killing");
    assert.ok(killing);
    assert.match(await jsonpath("poststart", "{.status.podIP}"), new RegExp(`^10\\.${d.octet}\\.0\\.\\d+$`));
    assert.equal(await jsonpath("poststart", "{.status.containerStatuses[0].state.waiting.reason}"), "PostStartHookError");
    assert.match(await jsonpath("poststart", "{.status.containerStatuses[0].state.waiting.message}"), /exited with 3: , message: "cannot reach db\\n"$/);
    assert.equal(await jsonpath("poststart", "{.status.containerStatuses[0].ready}"), "false");
    assert.equal((await kubectl(["delete", "pod", "poststart", "--grace-period=0", "--force"])).code, 0);
  });

  test("preStop: FailedPreStopHook has the exit code and output while the pod terminates", async () => {
    const file = join(d.root, "prestop.yaml");
    writeFileSync(file, podYaml("prestop", `      preStop:\n        exec:\n          command: ["sh", "-c", "echo drain failed >&2; exit 4"]\n`));
    assert.equal((await kubectl(["apply", "-f", file])).code, 0);
    await eventually(async () => (await jsonpath("prestop", "{.status.phase}")) === "Running", 30_000, "prestop Running");
    assert.equal((await kubectl(["delete", "pod", "prestop", "--wait=false"])).code, 0);
    const described = await eventually(async () => {
      const r = await kubectl(["describe", "pod", "prestop"]);
      return /FailedPreStopHook/.test(r.stdout) && r.stdout;
    }, 20_000, "FailedPreStopHook in describe");
    assert.match(
      described,
      /Warning\s+FailedPreStopHook\s+.*kubelet\s+Exec lifecycle hook \(\[sh -c echo drain failed >&2; exit 4\]\) for Container "c" in Pod "prestop_default\([0-9a-f-]+\)" failed - error: command 'sh -c echo drain failed >&2; exit 4' exited with 4: drain failed\n, message: "drain failed\\n"/,
    );
    assert.equal((await kubectl(["delete", "pod", "prestop", "--grace-period=0", "--force"])).code, 0);
  });
});
