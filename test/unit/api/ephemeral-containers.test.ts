/**
 * Ephemeral containers: the validation of validateEphemeralContainers and ValidatePodEphemeralContainersUpdate, and
 * the pods/ephemeralcontainers subresource as kubectl debug uses it (strategic merge PATCH, PUT, JSON patch),
 * through the API server with its admission.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { admitCreate } from "../../../src/api/admission.js";
import { ApiError } from "../../../src/api/errors.js";
import { validatePodEphemeralContainersUpdate } from "../../../src/api/pod-update.js";
import { resourceForKind } from "../../../src/api/resources.js";
import type { EphemeralContainer, Pod } from "../../../src/api/types.js";
import { resourcePath } from "../../../src/client/index.js";
import { startTestServer, testPod, type TestServer } from "../apiserver/harness.js";

const PODS = resourceForKind("Pod")!;

/** A defaulted pod with containers `app` and init `setup`. */
function basePod(): Pod {
  const pod = testPod("web");
  pod.spec.initContainers = [{ name: "setup", image: "busybox" }];
  return admitCreate(pod, { nodeName: "node1" });
}

/** `pod` with `ec` (defaulted as the API server defaults it) added to its ephemeral containers. */
function withEphemeral(pod: Pod, ...ec: EphemeralContainer[]): Pod {
  const next = structuredClone(pod);
  const defaults = { imagePullPolicy: "IfNotPresent", terminationMessagePolicy: "File", terminationMessagePath: "/dev/termination-log" } as const;
  next.spec.ephemeralContainers = [...(pod.spec.ephemeralContainers ?? []), ...ec.map((c) => ({ ...defaults, ...c }))];
  return next;
}

const messages = (pod: Pod, old: Pod) => validatePodEphemeralContainersUpdate(pod, old).map((e) => e.message);

describe("ephemeral container validation", () => {
  const old = basePod();

  it("accepts a debug container targeting an app or an init container", () => {
    assert.deepEqual(messages(withEphemeral(old, { name: "debugger", image: "busybox:1.36", stdin: true, tty: true, targetContainerName: "c" }), old), []);
    assert.deepEqual(messages(withEphemeral(old, { name: "d2", image: "busybox:1.36", targetContainerName: "setup" }), old), []);
  });

  it("refuses a name used by any container, a missing target, and the fields a debugging container may not have", () => {
    const bad = withEphemeral(old,
      { name: "c", image: "busybox:1.36" },
      { name: "x", image: "busybox:1.36", targetContainerName: "nope" },
      {
        name: "y", image: "busybox:1.36", ports: [{ containerPort: 80, protocol: "TCP" }], resources: { limits: { cpu: "1" } },
        readinessProbe: { exec: { command: ["true"] } }, lifecycle: { preStop: { exec: { command: ["true"] } } },
      },
    );
    assert.deepEqual(messages(bad, old), [
      'spec.ephemeralContainers[0].name: Duplicate value: "c"',
      'spec.ephemeralContainers[1].targetContainerName: Not found: "nope"',
      "spec.ephemeralContainers[2].ports: Forbidden: cannot be set for an Ephemeral Container",
      "spec.ephemeralContainers[2].resources: Forbidden: cannot be set for an Ephemeral Container",
      "spec.ephemeralContainers[2].readinessProbe: Forbidden: cannot be set for an Ephemeral Container",
      "spec.ephemeralContainers[2].lifecycle: Forbidden: cannot be set for an Ephemeral Container",
    ]);
  });

  it("refuses two ephemeral containers of one name, a subPath mount, and a missing image", () => {
    const pod = structuredClone(old);
    pod.spec.volumes = [{ name: "v", emptyDir: {} }];
    const bad = withEphemeral(pod,
      { name: "d", image: "busybox:1.36", volumeMounts: [{ name: "v", mountPath: "/v", subPath: "x" }] },
      { name: "d", image: "busybox:1.36" },
      { name: "e" },
    );
    const got = messages(bad, pod);
    assert.ok(got.includes("spec.ephemeralContainers[0].volumeMounts[0].subPath: Forbidden: cannot be set for an Ephemeral Container"), got.join("\n"));
    assert.ok(got.includes('spec.ephemeralContainers[1].name: Duplicate value: "d"'), got.join("\n"));
    assert.ok(got.includes("spec.ephemeralContainers[2].image: Required value"), got.join("\n"));
  });

  it("an ephemeral container once added may be neither changed nor removed", () => {
    const one = withEphemeral(old, { name: "debugger", image: "busybox:1.36" });
    const changed = structuredClone(one);
    changed.spec.ephemeralContainers![0].image = "alpine";
    assert.match(messages(changed, one)[0], /^spec\.ephemeralContainers: Forbidden: existing ephemeral containers "debugger" may not be changed/);
    const removed = structuredClone(one);
    removed.spec.ephemeralContainers = [];
    assert.deepEqual(messages(removed, one), ['spec.ephemeralContainers: Forbidden: existing ephemeral containers "debugger" may not be removed\n']);
    // Reordered (a patch does not keep the order) but the same: fine.
    const two = withEphemeral(one, { name: "second", image: "busybox:1.36" });
    const swapped = structuredClone(two);
    swapped.spec.ephemeralContainers!.reverse();
    assert.deepEqual(messages(swapped, two), []);
  });

  it("static (mirror) pods take none", () => {
    const mirror = structuredClone(old);
    mirror.metadata.annotations = { "kubernetes.io/config.mirror": "abc" };
    assert.deepEqual(messages(withEphemeral(mirror, { name: "d", image: "busybox" }), mirror), [": Forbidden: static pods do not support ephemeral containers"]);
  });

  it("cannot be set on create", () => {
    const pod = testPod("p");
    pod.spec.ephemeralContainers = [{ name: "d", image: "busybox" }];
    assert.throws(() => admitCreate(pod, { nodeName: "n" }), (err: ApiError) => err.message.includes("spec.ephemeralContainers: Forbidden: cannot be set on create"));
  });
});

describe("pods/ephemeralcontainers through the API server", () => {
  let t: TestServer;
  const path = (name: string) => resourcePath(PODS, "default", name, "ephemeralcontainers");
  const debugPatch = (name: string) => ({ spec: { ephemeralContainers: [{ name, image: "busybox", stdin: true, tty: true, targetContainerName: "c", terminationMessagePolicy: "File", imagePullPolicy: "IfNotPresent" }] } });

  before(async () => {
    t = await startTestServer();
    await t.client.create(PODS, testPod("web"));
  });
  after(() => t?.close());

  it("adds a container with a strategic merge patch as kubectl debug sends it; the main resource keeps refusing it", async () => {
    const res = await t.client.raw("PATCH", path("web"), { body: debugPatch("debugger-1"), contentType: "application/strategic-merge-patch+json" });
    assert.equal(res.status, 200, res.body.toString());
    const pod = JSON.parse(res.body.toString()) as Pod;
    assert.equal(pod.kind, "Pod");
    const ec = pod.spec.ephemeralContainers![0];
    assert.equal(ec.name, "debugger-1");
    assert.equal(ec.targetContainerName, "c");
    assert.equal(ec.terminationMessagePath, "/dev/termination-log", "defaulted as a container is");
    // A second one merges by name beside the first (kubectl's patch also carries $setElementOrder; order is not asserted).
    const again = await t.client.raw("PATCH", path("web"), { body: debugPatch("debugger-2"), contentType: "application/strategic-merge-patch+json" });
    assert.equal(again.status, 200, again.body.toString());
    assert.deepEqual((JSON.parse(again.body.toString()) as Pod).spec.ephemeralContainers!.map((c) => c.name).sort(), ["debugger-1", "debugger-2"]);
    const got = await t.client.get<Pod>(PODS, "default", "web", "ephemeralcontainers");
    assert.equal(got.spec.ephemeralContainers!.length, 2);
    // Through the pod itself: the usual "may not change fields" refusal.
    const direct = await t.client.raw("PATCH", resourcePath(PODS, "default", "web"), { body: debugPatch("sneaky"), contentType: "application/strategic-merge-patch+json" });
    assert.equal(direct.status, 422);
    assert.match(direct.body.toString(), /pod updates may not change fields/);
  });

  it("takes nothing but ephemeral containers from the body (PUT), and refuses an invalid one with 422 and nothing changed", async () => {
    const pod = await t.client.get<Pod>(PODS, "default", "web");
    const put = structuredClone(pod);
    put.metadata.labels = { changed: "yes" };
    put.spec.containers[0].image = "alpine";
    put.spec.ephemeralContainers!.push({ name: "via-put", image: "busybox", terminationMessagePolicy: "File", imagePullPolicy: "IfNotPresent" });
    const res = await t.client.raw("PUT", path("web"), { body: put });
    assert.equal(res.status, 200, res.body.toString());
    const stored = await t.client.get<Pod>(PODS, "default", "web");
    assert.deepEqual(stored.spec.ephemeralContainers!.map((c) => c.name).sort(), ["debugger-1", "debugger-2", "via-put"]);
    assert.equal(stored.metadata.labels?.changed, undefined, "labels are not the subresource's");
    assert.equal(stored.spec.containers[0].image, "busybox", "nor the containers");

    const bad = await t.client.raw("PATCH", path("web"), {
      body: { spec: { ephemeralContainers: [{ name: "probe", image: "busybox", readinessProbe: { exec: { command: ["true"] } } }] } },
      contentType: "application/strategic-merge-patch+json",
    });
    assert.equal(bad.status, 422);
    const status = JSON.parse(bad.body.toString()) as { message: string; details: { causes: { field: string }[] } };
    assert.match(status.message, /spec\.ephemeralContainers\[\d\]\.readinessProbe: Forbidden: cannot be set for an Ephemeral Container/);
    const after = await t.client.get<Pod>(PODS, "default", "web");
    assert.equal(after.metadata.resourceVersion, stored.metadata.resourceVersion);

    const removal = await t.client.raw("PATCH", path("web"), { body: [{ op: "remove", path: "/spec/ephemeralContainers/0" }], contentType: "application/json-patch+json" });
    assert.equal(removal.status, 422);
    const first = stored.spec.ephemeralContainers![0].name;
    assert.ok(removal.body.toString().includes(`existing ephemeral containers \\"${first}\\" may not be removed`), removal.body.toString());
  });

  it("is listed in discovery with get, patch and update, and cannot be deleted", async () => {
    const list = await t.client.request<{ resources: { name: string; kind: string; verbs: string[] }[] }>("GET", "/api/v1");
    const sub = list.resources.find((r) => r.name === "pods/ephemeralcontainers");
    assert.deepEqual(sub, { ...sub, kind: "Pod", verbs: ["get", "patch", "update"] });
    const del = await t.client.raw("DELETE", path("web"));
    assert.equal(del.status, 405);
  });
});
