/**
 * Pods pulling from real registries through the daemon's registry settings (privileged): the Kubernetes docs' image
 * `busybox:1.28` served by a local mirror named for docker.io in --registries-config, and a Basic-auth registry whose
 * credentials come from the pod's imagePullSecrets (without them: ErrImagePull naming the 401).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { eventually, suiteDaemon } from "../helpers/daemon.js";
import { OciLayout } from "../helpers/oci-layout.js";
import { pushImage, startRegistry, type TestRegistry } from "../helpers/registry.js";
import { needsCommand, needsRoot, skipUnless } from "../helpers/root.js";

const skip = skipUnless(needsRoot(), needsCommand("docker-registry"), needsCommand("skopeo"), needsCommand("htpasswd"));

describe("pods pull from registries (privileged)", { skip }, () => {
  const work = mkdtempSync(join(tmpdir(), "regtest-e2e-"));
  const registriesJson = join(work, "registries.json");
  const registries: TestRegistry[] = [];
  let basic: TestRegistry;
  let mirror: TestRegistry;

  before(async () => {
    const layout = new OciLayout(join(work, "layout"));
    const img = await layout.image({ busybox: true, files: { "etc/motd": "pulled from the mirror\n" } });
    layout.tag("v1", img);
    mirror = await startRegistry();
    basic = await startRegistry({ mode: "htpasswd", username: "puller", password: "e2e-pw" });
    registries.push(mirror, basic);
    await pushImage(mirror, layout.dir, { from: "v1", to: "library/busybox:1.28" });
    await pushImage(basic, layout.dir, { from: "v1", to: "team/app:v1" });
    await pushImage(basic, layout.dir, { from: "v1", to: "team/private:v1" });
    writeFileSync(registriesJson, JSON.stringify({ registries: { "docker.io": { mirrors: [mirror.url] } } }));
  });
  const d = suiteDaemon("registry", ["--registries-config", registriesJson]);
  after(async () => {
    await Promise.all(registries.map((r) => r.stop()));
    rmSync(work, { recursive: true, force: true });
  });

  const apply = async (name: string, yaml: string) => {
    const file = join(d.root, `${name}.yaml`);
    writeFileSync(file, yaml);
    const r = await d.cli(["apply", "-f", file]);
    assert.equal(r.code, 0, r.stderr);
  };
  const pod = (name: string) => d.pod(name);
  const events = (name: string) => d.events(name);
  const podYaml = (name: string, image: string, secret?: string) =>
    `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  terminationGracePeriodSeconds: 0\n${secret ? `  imagePullSecrets: [{name: ${secret}}]\n` : ""}  containers:\n  - name: c\n    image: ${image}\n    command: ["sh", "-c", "cat /etc/motd; trap 'exit 0' TERM; while true; do sleep 0.2; done"]\n`;

  test("busybox:1.28 (as the Kubernetes docs write it) is pulled from the docker.io mirror and runs", async () => {
    await apply("docs", podYaml("docs", "busybox:1.28"));
    await eventually(async () => (await pod("docs"))?.status?.phase === "Running", 60_000, "docs Running");
    const logs = await eventually(async () => {
      const r = await d.cli(["logs", "docs"]);
      return r.stdout.includes("pulled from the mirror") && r.stdout;
    }, 20_000, "the image's file in the logs");
    assert.match(logs, /pulled from the mirror/);
    const reasons = (await events("docs")).map((e) => e.reason);
    assert.ok(reasons.includes("Pulling") && reasons.includes("Pulled"), reasons.join(","));
  });

  test("a Basic-auth registry: pulled with the pod's imagePullSecret; without it ErrImagePull names the 401", async () => {
    const auth = Buffer.from("puller:e2e-pw").toString("base64");
    const config = Buffer.from(JSON.stringify({ auths: { [basic.host]: { auth } } })).toString("base64");
    await apply("regcred", `apiVersion: v1\nkind: Secret\nmetadata:\n  name: regcred\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: ${config}\n`);
    await apply("withsecret", podYaml("withsecret", `${basic.host}/team/app:v1`, "regcred"));
    // Another repository: once an image is on the node a pod without credentials may run it (IfNotPresent), as in Kubernetes.
    await apply("nosecret", podYaml("nosecret", `${basic.host}/team/private:v1`));
    await eventually(async () => (await pod("withsecret"))?.status?.phase === "Running", 60_000, "withsecret Running");
    const failed = await eventually(async () => (await events("nosecret")).find((e) => e.reason === "Failed"), 60_000, "nosecret Failed event");
    assert.match(failed.message ?? "", /401 Unauthorized/);
    assert.ok(!(failed.message ?? "").includes("e2e-pw"));
    const waiting = await eventually(async () => {
      const w = (await pod("nosecret"))?.status?.containerStatuses?.[0]?.state?.waiting?.reason;
      return (w === "ErrImagePull" || w === "ImagePullBackOff") && w;
    }, 30_000, "nosecret waiting on the pull");
    assert.ok(waiting);
  });

  test("nodelet image push: an image built on the node goes to a registry, blobs then manifest; a second push finds them there", async () => {
    const target = `${mirror.host}/team/pushed:v1`;
    const built = await d.cli(["image", "build", "--from-host", "/bin/busybox", "--tag", target]);
    assert.equal(built.code, 0, built.stderr);
    const pushed = await d.cli(["image", "push", target]);
    assert.equal(pushed.code, 0, pushed.stderr);
    const m = /^v1: digest: (sha256:[a-f0-9]{64}) size: (\d+) \(2 blobs uploaded, 0 already there, 0 mounted\)$/m.exec(pushed.stdout);
    assert.ok(m, pushed.stdout);
    assert.match(pushed.stdout, new RegExp(`^The push refers to repository \\[${mirror.host}/team/pushed\\]`));
    const res = await fetch(`${mirror.url}/v2/team/pushed/manifests/v1`, { headers: { accept: "application/vnd.oci.image.manifest.v1+json" } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("docker-content-digest"), m[1]);
    assert.equal(Number(res.headers.get("content-length")), Number(m[2]));
    const again = await d.cli(["image", "push", target]);
    assert.match(again.stdout, /\(0 blobs uploaded, 2 already there, 0 mounted\)/);
    const missing = await d.cli(["image", "push", `${mirror.host}/team/absent:v1`]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /is not on this node/);
  });
});
