/**
 * The Kubernetes docs' configuration examples, run with the real kubectl against a real daemon, as a user would
 * follow the pages: a ConfigMap as a volume (pods/pod-configmap-volume.yaml), as envFrom
 * (pods/pod-configmap-envFrom.yaml), a projected volume of two Secrets made with `kubectl create secret
 * --from-file` (pods/storage/projected.yaml), and the security-context page's fsGroup example. The manifests are
 * in test/fixtures/config as the docs give them (image: the node's busybox).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { needsCommand, needsRoot, skipUnless } from "../helpers/root.js";
import { eventually } from "../helpers/daemon.js";
import { kubectlDaemon } from "../helpers/kubectl-daemon.js";

const skip = skipUnless(needsRoot(), needsCommand("kubectl"));
const fixture = (name: string) => fileURLToPath(new URL(`../../../test/fixtures/config/${name}`, import.meta.url));

describe("the docs' configuration examples with kubectl (privileged)", { skip }, () => {
  const { kubectl: run } = kubectlDaemon("config-kubectl");
  const kubectl = (args: string[], cwd?: string) => run(args, { cwd });
  const ok = async (args: string[], cwd?: string) => {
    const r = await kubectl(args, cwd);
    assert.equal(r.code, 0, `kubectl ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };
  const phase = (pod: string, want: string) =>
    eventually(async () => (await kubectl(["get", "pod", pod, "-o", "jsonpath={.status.phase}"])).stdout === want, 40_000, `${pod} ${want}`);


  test("pods/pod-configmap-volume.yaml: the ConfigMap's keys are files in /etc/config", async () => {
    await ok(["apply", "-f", fixture("configmap-multikeys.yaml")]);
    await ok(["apply", "-f", fixture("pod-configmap-volume.yaml")]);
    await phase("dapi-test-pod", "Succeeded");
    assert.equal(await ok(["logs", "dapi-test-pod"]), "SPECIAL_LEVEL\nSPECIAL_TYPE\n");
    await ok(["delete", "pod", "dapi-test-pod"]);
  });

  test("pods/pod-configmap-envFrom.yaml: every key of the ConfigMap is a variable", async () => {
    await ok(["apply", "-f", fixture("pod-configmap-envFrom.yaml")]);
    await phase("dapi-test-pod", "Succeeded");
    const env = await ok(["logs", "dapi-test-pod"]);
    assert.match(env, /^SPECIAL_LEVEL=very$/m);
    assert.match(env, /^SPECIAL_TYPE=charm$/m);
    await ok(["delete", "pod", "dapi-test-pod"]);
  });

  test("pods/storage/projected.yaml: two Secrets made --from-file in one volume", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nodelet-projected-"));
    try {
      writeFileSync(join(dir, "username.txt"), "admin");
      writeFileSync(join(dir, "password.txt"), "1f2d1e2e67df");
      assert.match(await ok(["create", "secret", "generic", "user", "--from-file=./username.txt"], dir), /secret\/user created/);
      assert.match(await ok(["create", "secret", "generic", "pass", "--from-file=./password.txt"], dir), /secret\/pass created/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    await ok(["apply", "-f", fixture("projected.yaml")]);
    await phase("test-projected-volume", "Running");
    assert.equal(await ok(["exec", "test-projected-volume", "--", "ls", "/projected-volume/"]), "password.txt\nusername.txt\n");
    assert.equal(await ok(["exec", "test-projected-volume", "--", "cat", "/projected-volume/password.txt"]), "1f2d1e2e67df");
  });

  test("the security-context example: fsGroup 2000 on the emptyDir, setgid, new files in group 2000", async () => {
    await ok(["apply", "-f", fixture("security-context.yaml")]);
    await phase("security-context-demo", "Running");
    assert.match(await ok(["exec", "security-context-demo", "--", "ls", "-l", "/data"]), /^drwxrwsrwx\s+2\s+root\s+2000\s+.*\sdemo$/m);
    const file = await ok(["exec", "security-context-demo", "--", "sh", "-c", "echo hello > /data/demo/testfile; ls -l /data/demo/testfile"]);
    assert.match(file, /^-rw-r--r--\s+1\s+1000\s+2000\s+6\s/);
    assert.match(await ok(["exec", "security-context-demo", "--", "id"]), /^uid=1000 gid=3000 groups=2000$/m);
  });
});
