/**
 * Images pulled from a registry, driven by real kubectl: a local docker-registry serves as the mirror of docker.io
 * (--registries-config), so the Kubernetes docs' pod `image: busybox:1.28` runs unmodified — pulled with the kubelet's
 * Pulling/Pulled events — and the image's own config (Entrypoint, Env, WorkingDir, User) applies; a missing tag goes
 * ErrImagePull → ImagePullBackOff; `imagePullPolicy: Never` with a missing image waits as ErrImageNeverPull; and
 * `nodelet images` lists the pulled image.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import type { Pod } from "../../src/api/types.js";
import { join } from "node:path";
import { needsCommand, needsRoot, skipUnless } from "../helpers/root.js";
import { eventually } from "../helpers/daemon.js";
import { pushImage, startRegistry, type TestRegistry } from "../helpers/registry.js";
import { writeOciLayout } from "../helpers/oci-image.js";
import { tarBuffer } from "../helpers/tar-writer.js";
import { kubectlDaemon } from "../helpers/kubectl-daemon.js";

const skip = skipUnless(needsRoot(), needsCommand("kubectl"), needsCommand("docker-registry"), needsCommand("skopeo"));

/** A busybox image of two layers: the binary and its applets, then /etc with a user of its own. */
function busyboxImage(): Buffer[] {
  const applets = ["sh", "echo", "id", "pwd", "sleep", "cat", "env"];
  return [
    tarBuffer([
      { name: "bin/", type: "dir" },
      { name: "bin/busybox", data: readFileSync("/bin/busybox"), mode: 0o755 },
      ...applets.map((a) => ({ name: `bin/${a}`, type: "symlink" as const, linkname: "busybox" })),
    ]),
    tarBuffer([
      { name: "etc/", type: "dir" },
      { name: "etc/passwd", data: "root:x:0:0:root:/root:/bin/sh\nwww:x:33:33::/srv:/bin/sh\n" },
      { name: "etc/group", data: "root:x:0:\nwww:x:33:\n" },
      { name: "srv/", type: "dir", uid: 33, gid: 33 },
    ]),
  ];
}

describe("images from a registry with kubectl (privileged)", { skip }, () => {
  let reg: TestRegistry;
  const { d, kubectl: run } = kubectlDaemon("images", [], {
    async beforeStart(daemon) {
      reg = await startRegistry({ mode: "anonymous" });
      const layout = mkdtempSync(join(tmpdir(), "nodelet-e2e-layout-"));
      try {
        writeOciLayout(layout, [{ name: "busybox", layers: busyboxImage(), config: { Entrypoint: ["sh", "-c"], Cmd: ["echo user=$(id -u):$(id -g) dir=$(pwd) greeting=$GREETING"], Env: ["PATH=/bin", "GREETING=from-the-image"], WorkingDir: "/srv", User: "www" } }]);
        await pushImage(reg, layout, { from: "busybox", to: "library/busybox:1.28" });
      } finally {
        rmSync(layout, { recursive: true, force: true });
      }
      writeFileSync(join(daemon.root, "registries.json"), JSON.stringify({ registries: { "docker.io": { mirrors: [`http://${reg.host}`] } } }));
      daemon.extraArgs.push("--registries-config", join(daemon.root, "registries.json"));
    },
    afterStop: () => reg?.stop(),
  });
  const kubectl = (args: string[], input?: string) => run(args, { input });
  const podYaml = (name: string, image: string, extra = "") =>
    `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  restartPolicy: Never\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: c\n    image: ${image}\n${extra}`;


  test("busybox:1.28 from the docs is pulled through the mirror and runs with its image's config", async () => {
    const file = join(d.root, "bb.yaml");
    writeFileSync(file, podYaml("bb", "busybox:1.28"));
    assert.equal((await kubectl(["apply", "-f", file])).code, 0);
    await eventually(async () => (await kubectl(["get", "pod", "bb", "-o", "jsonpath={.status.phase}"])).stdout === "Succeeded", 60_000, "bb Succeeded");
    assert.equal((await kubectl(["logs", "bb"])).stdout, "user=33:33 dir=/srv greeting=from-the-image\n");
    const events = (await kubectl(["get", "events", "--field-selector", "involvedObject.name=bb", "-o", "jsonpath={range .items[*]}{.reason}: {.message}{\"\\n\"}{end}"])).stdout;
    assert.match(events, /^Pulling: Pulling image "busybox:1\.28"$/m);
    assert.match(events, /^Pulled: Successfully pulled image "busybox:1\.28" in [\d.]+m?s \([\d.]+m?s including waiting\)\. Image size: \d+ bytes\.$/m);
    const status = JSON.parse((await kubectl(["get", "pod", "bb", "-o", "json"])).stdout) as Pod;
    assert.match(status.status?.containerStatuses?.[0]?.imageID ?? "", /^sha256:[a-f0-9]{64}$/);
    const images = await d.cli(["images"]);
    assert.match(images.stdout, /^busybox\s+1\.28\s+[a-f0-9]{12}\s+/m);
    // A second pod with the image present: no pull, the kubelet's "already present" event.
    writeFileSync(file, podYaml("bb2", "busybox:1.28", "    command: [\"true\"]\n"));
    await kubectl(["apply", "-f", file]);
    await eventually(async () => (await kubectl(["get", "events", "--field-selector", "involvedObject.name=bb2", "-o", "jsonpath={.items[*].message}"])).stdout.includes('Container image "busybox:1.28" already present on machine'), 30_000, "already present");
    await kubectl(["delete", "pod", "bb", "bb2", "--wait=false"]);
  });

  test("nodelet image pull (plain progress lines when not a terminal), inspect, rm", async () => {
    const direct = `${reg.host}/library/busybox:1.28`;
    const pulled = await d.cli(["image", "pull", direct]);
    assert.equal(pulled.code, 0, pulled.stderr);
    assert.match(pulled.stdout, /^[a-f0-9]{12}: Already exists$/m, "the layers the mirror pull stored are not fetched again");
    assert.match(pulled.stdout, /^Digest: sha256:[a-f0-9]{64}$/m);
    const inspect = JSON.parse((await d.cli(["image", "inspect", direct])).stdout) as { layers: unknown[]; tags: string[]; repoDigests: string[] }[];
    assert.equal(inspect[0].layers.length, 2);
    assert.ok(inspect[0].tags.includes(direct) && inspect[0].tags.includes("docker.io/library/busybox:1.28"), inspect[0].tags.join(" "));
    assert.ok(inspect[0].repoDigests.some((r: string) => r.startsWith(`${reg.host}/library/busybox@sha256:`)));
    assert.equal((await d.cli(["image", "rm", direct])).code, 0);
    assert.doesNotMatch((await d.cli(["images"])).stdout, new RegExp(reg.host.replace(/\./g, "\\.")));
    const missing = await d.cli(["image", "pull", "busybox:no-such-tag"]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /pulling busybox:no-such-tag: .*no-such-tag/);
  });

  test("image import: a docker save archive (skopeo's) and an OCI layout tar; the imported image runs; image save writes an OCI layout skopeo reads", async () => {
    const work = mkdtempSync(join(tmpdir(), "nodelet-e2e-import-"));
    try {
      const layout = join(work, "layout");
      writeOciLayout(layout, [{ name: "localhost/imported-oci:v2", layers: busyboxImage(), config: { Cmd: ["echo", "imported"], Env: ["PATH=/bin"] } }]);
      execFileSync("tar", ["-C", layout, "-cf", join(work, "oci.tar"), "."]);
      execFileSync("skopeo", ["--insecure-policy", "copy", "--quiet", `oci:${layout}:localhost/imported-oci:v2`, `docker-archive:${join(work, "docker.tar")}:imported/app:v1`]);
      const oci = await d.cli(["image", "import", join(work, "oci.tar")]);
      assert.equal(oci.code, 0, oci.stderr);
      assert.match(oci.stdout, /^Loaded image: localhost\/imported-oci:v2$/m);
      const docker = await d.cli(["image", "import", join(work, "docker.tar")]);
      assert.equal(docker.code, 0, docker.stderr);
      assert.match(docker.stdout, /^Loaded image: imported\/app:v1$/m);
      const list = (await d.cli(["images"])).stdout;
      assert.match(list, /^imported\/app\s+v1\s+[a-f0-9]{12}/m);
      const run = await d.cli(["run", "imp", "--image", "imported/app:v1", "--image-pull-policy", "Never", "--restart", "Never", "--rm", "--attach"]);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout.split("\n")[0], "imported");
      // save → an OCI layout tar with the same digests; skopeo reads it back.
      const saved = join(work, "saved.tar");
      const save = await d.cli(["image", "save", "imported/app:v1", "-o", saved]);
      assert.equal(save.code, 0, save.stderr);
      const back = join(work, "back");
      execFileSync("mkdir", [back]);
      execFileSync("tar", ["-C", back, "-xf", saved]);
      const inspected = JSON.parse(execFileSync("skopeo", ["inspect", `oci:${back}:docker.io/imported/app:v1`]).toString()) as { Digest: string };
      const ours = (JSON.parse((await d.cli(["image", "inspect", "imported/app:v1"])).stdout) as { manifestDigest: string }[])[0];
      assert.equal(inspected.Digest, ours.manifestDigest);
      const bad = await d.cli(["image", "import", join(work, "layout", "oci-layout")]);
      assert.notEqual(bad.code, 0);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  test("a missing tag: ErrImagePull, then ImagePullBackOff; Never with a missing image: ErrImageNeverPull", async () => {
    const file = join(d.root, "missing.yaml");
    writeFileSync(file, `${podYaml("notag", "busybox:no-such-tag")}---\n${podYaml("never", "busybox:9.99", "    imagePullPolicy: Never\n")}`);
    assert.equal((await kubectl(["apply", "-f", file])).code, 0);
    const reason = (name: string) => kubectl(["get", "pod", name, "-o", "jsonpath={.status.containerStatuses[0].state.waiting.reason}"]).then((r) => r.stdout);
    await eventually(async () => (await reason("notag")) === "ImagePullBackOff", 60_000, "ImagePullBackOff");
    const events = (await kubectl(["get", "events", "--field-selector", "involvedObject.name=notag", "-o", "jsonpath={range .items[*]}{.reason}: {.message}{\"\\n\"}{end}"])).stdout;
    assert.match(events, /^Failed: Failed to pull image "busybox:no-such-tag": .*no-such-tag/m);
    assert.match(events, /^BackOff: Back-off pulling image "busybox:no-such-tag"$/m);
    await eventually(async () => (await reason("never")) === "ErrImageNeverPull", 30_000, "ErrImageNeverPull");
    const never = (await kubectl(["get", "pod", "never", "-o", "jsonpath={.status.containerStatuses[0].state.waiting.message}"])).stdout;
    assert.equal(never, 'Container image "busybox:9.99" is not present with pull policy of Never');
    await kubectl(["delete", "pod", "notag", "never", "--wait=false"]);
  });
});
