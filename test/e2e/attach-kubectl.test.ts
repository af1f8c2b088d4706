/**
 * Interactive sessions with the real kubectl on a real terminal (test/e2e/pty-driver.py gives kubectl a pty and
 * types at it), against a real daemon: `run -it --rm` (prompt, typed commands, a resize seen by `stty size`, exit,
 * the pod deleted), `attach -i` to a stdinOnce container (its stdin closes after the session), `attach -i` twice
 * to a container whose stdin stays open, `exec -it` on the container's own pty, and `debug -it --target` (an
 * ephemeral container in the target's PID namespace). One daemon for the file.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import type { Pod } from "../../src/api/types.js";
import { TestDaemon } from "../helpers/daemon.js";
import { freePort } from "../helpers/ports.js";
import { needsCommand, needsRoot, skipUnless } from "../helpers/root.js";
import { waitFor } from "../helpers/wait.js";

const skip = skipUnless(needsRoot(), needsCommand("kubectl"), needsCommand("python3"));
const DRIVER = join(dirname(fileURLToPath(import.meta.url)), "../../../test/e2e/pty-driver.py");

type Step = { expect: string; timeout?: number } | { send: string; until?: string } | { resize: [number, number] };
interface Terminal {
  ok: boolean;
  failed: Step | null;
  code: number | null;
  transcript: string;
}

const PODS = `apiVersion: v1
kind: Pod
metadata: {name: once}
spec:
  restartPolicy: Never
  containers:
  - {name: main, image: busybox, stdin: true, stdinOnce: true, command: ["sh", "-c", "read a; echo got:$a; cat; echo eof-seen"]}
---
apiVersion: v1
kind: Pod
metadata: {name: keeper}
spec:
  containers:
  - {name: main, image: busybox, stdin: true, command: ["sh", "-c", "while read l; do echo got:$l; done; echo stdin-ended"]}
`;

describe("kubectl on a terminal: run -it, attach -i, exec -it (privileged)", { skip, timeout: 600_000 }, () => {
  let d: TestDaemon;
  let cache: string;
  const base = () => ["kubectl", "--kubeconfig", join(d.root, "kubeconfig"), "--cache-dir", cache];
  const kubectl = (args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      const [file, ...rest] = base();
      const child = execFile(file, [...rest, ...args], { timeout: 60_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
      child.stdin?.end(input ?? "");
    });
  const onTerminal = (steps: Step[], args: string[]): Promise<Terminal> =>
    new Promise((resolve, reject) => {
      execFile("python3", [DRIVER, JSON.stringify(steps), "--", ...base(), ...args], { timeout: 150_000, maxBuffer: 8 << 20 }, (err, stdout, stderr) => {
        if (err) reject(new Error(`pty driver: ${err.message} ${stderr}`));
        else resolve(JSON.parse(stdout) as Terminal);
      });
    });
  const phase = async (pod: string) => (await kubectl(["get", "pod", pod, "-o", "jsonpath={.status.phase}"])).stdout;

  before(async () => {
    d = new TestDaemon("attach", ["--no-network", "--listen", `127.0.0.1:${await freePort()}`]);
    cache = mkdtempSync(join(tmpdir(), "nodelet-kubectl-cache-"));
    await d.start();
    writeFileSync(join(d.root, "pods.yaml"), PODS);
    const r = await kubectl(["apply", "-f", join(d.root, "pods.yaml")]);
    assert.equal(r.code, 0, r.stderr);
    for (const pod of ["once", "keeper"]) await waitFor(`${pod} Running`, async () => (await phase(pod)) === "Running", 60_000, 200);
  });
  after(async () => {
    await d?.cleanup();
    rmSync(cache, { recursive: true, force: true });
    assert.deepEqual(d.leftovers(), []);
  });

  test("run -it --rm: a prompt, typed commands, a resize stty sees, exit, the pod deleted", async () => {
    const t = await onTerminal(
      [
        { expect: "try pressing enter", timeout: 90 },
        { send: "\r" },
        { expect: "# " },
        { send: "stty size\r", until: "\r\n24 80\r\n" },
        { resize: [100, 30] },
        { send: "stty size; echo $((6*7))\r", until: "\r\n30 100\r\n42\r\n" },
        { send: "exit\r" },
        { expect: 'pod "shell" deleted' },
      ],
      ["run", "-it", "--rm", "--restart=Never", "--image=busybox", "shell", "--", "sh"],
    );
    assert.ok(t.ok, `stopped at ${JSON.stringify(t.failed)}:\n${t.transcript}`);
    assert.equal(t.code, 0, t.transcript);
    await waitFor("shell gone", async () => /NotFound/.test((await kubectl(["get", "pod", "shell"])).stderr), 60_000, 200);
  });

  test("attach -i to a stdinOnce container: the session's input, then EOF when it ends", async () => {
    const r = await kubectl(["attach", "-i", "once"], "one\ntwo\n");
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "got:one\ntwo\neof-seen\n");
    await waitFor("once Succeeded", async () => (await phase("once")) === "Succeeded", 30_000, 200);
  });

  test("attach -i twice without stdinOnce: each session's input arrives, its end leaves the container reading", async () => {
    for (const word of ["one", "two"]) {
      const r = await kubectl(["attach", "-i", "keeper"], `${word}\n`);
      assert.equal(r.code, 0, r.stderr);
      await waitFor(`got:${word} in the log`, async () => (await kubectl(["logs", "keeper"])).stdout.includes(`got:${word}\n`), 30_000, 200);
    }
    assert.equal(await phase("keeper"), "Running");
    assert.equal((await kubectl(["logs", "keeper"])).stdout, "got:one\ngot:two\n", "stdin never ended");
  });

  test("--show-managed-fields: the client's Apply, then the kubelet's status as upstream records them", async () => {
    const pod = JSON.parse((await kubectl(["get", "pod", "keeper", "-o", "json", "--show-managed-fields"])).stdout) as Pod;
    const entries = (pod.metadata.managedFields ?? []) as { manager: string; operation: string; subresource?: string }[];
    const managers = entries.map((e) => [e.manager, e.operation, e.subresource ?? ""]);
    assert.deepEqual(managers, [["kubectl-client-side-apply", "Update", ""], ["kubelet", "Update", "status"]]);
  });

  test("exec -it: the container's own pty, resize, the remote exit code", async () => {
    const t = await onTerminal(
      [
        { expect: "# ", timeout: 60 },
        { send: "tty\r" },
        { expect: "/dev/pts/\\d+\r\n" },
        { resize: [90, 20] },
        { send: "stty size\r", until: "\r\n20 90\r\n" },
        { send: "exit 5\r" },
      ],
      ["exec", "-it", "keeper", "--", "sh"],
    );
    assert.ok(t.ok, `stopped at ${JSON.stringify(t.failed)}:\n${t.transcript}`);
    assert.equal(t.code, 5, t.transcript);
  });

  test("debug -it --target: an ephemeral container in the target's PID namespace, its status, the pod untouched", async () => {
    const t = await onTerminal(
      [
        { expect: "try pressing enter", timeout: 90 },
        { send: "\r" },
        { expect: "# " },
        // PID 1 of the namespace it joined is the target container's main process.
        { send: "tr '\\0' ' ' < /proc/1/cmdline; echo\r", until: "while read l" },
        { send: "exit\r" },
      ],
      ["debug", "-it", "keeper", "--image=busybox", "--target=main", "--", "sh"],
    );
    assert.ok(t.ok, `stopped at ${JSON.stringify(t.failed)}:\n${t.transcript}`);
    const pod = JSON.parse((await kubectl(["get", "pod", "keeper", "-o", "json"])).stdout) as Pod;
    const ec = pod.spec.ephemeralContainers ?? [];
    assert.equal(ec.length, 1);
    assert.match(ec[0].name, /^debugger-/);
    assert.equal(ec[0].targetContainerName, "main");
    await waitFor("the debug container terminated in ephemeralContainerStatuses", async () => {
      const p = JSON.parse((await kubectl(["get", "pod", "keeper", "-o", "json"])).stdout) as Pod;
      return p.status?.ephemeralContainerStatuses?.[0]?.state.terminated?.exitCode === 0;
    }, 30_000, 200);
    const after = JSON.parse((await kubectl(["get", "pod", "keeper", "-o", "json"])).stdout) as Pod;
    assert.equal(after.status?.phase, "Running");
    assert.equal(after.status?.containerStatuses?.[0].restartCount, 0);
    assert.equal(after.status?.ephemeralContainerStatuses?.[0].name, ec[0].name);
  });
});
