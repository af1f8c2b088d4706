/** A pod naming an image the node does not have is refused at the API, naming the field; updates only for changes. */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Pod } from "../../../src/api/types.js";
import { missingImageErrors } from "../../../src/kubelet/image-admission.js";

const present = (ref: string) => ref === "busybox" || ref === "python:3.11";
const pod = (containers: string[], init: string[] = []): Pod => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "p", namespace: "default" },
  spec: {
    initContainers: init.map((image, i) => ({ name: `i${i}`, image })),
    containers: containers.map((image, i) => ({ name: `c${i}`, image })),
  },
});

test("images on the node pass", () => {
  assert.deepEqual(missingImageErrors(pod(["busybox", "python:3.11"], ["busybox"]), present), []);
});

test("each missing image is named by its field", () => {
  const errs = missingImageErrors(pod(["busybox", "nosuch:1.0"], ["gone"]), present);
  assert.deepEqual(
    errs.map((e) => e.message),
    [
      'spec.initContainers[0].image: Invalid value: "gone": no such image on this node (there is no registry: make it with `nodelet image build`)',
      'spec.containers[1].image: Invalid value: "nosuch:1.0": no such image on this node (there is no registry: make it with `nodelet image build`)',
    ],
  );
});

test("an update is checked only for the images it changes", () => {
  const old = pod(["removed-since"]);
  assert.deepEqual(missingImageErrors(pod(["removed-since"]), present, old), [], "an unchanged image is not re-checked");
  assert.equal(missingImageErrors(pod(["other"]), present, old).length, 1);
  assert.deepEqual(missingImageErrors(pod(["busybox"]), present, old), []);
});
