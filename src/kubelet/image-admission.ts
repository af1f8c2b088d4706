/**
 * Refuses, at the API, a pod whose images are not on this node. With a registry the kubelet would pull a missing
 * image and report ErrImagePull while it tries; nodelet has no registry, so such a pod could never run, and the
 * request fails instead (422, naming the container's image field) with nothing created. An update is checked only
 * for the images it changes. Static pods do not come through the API: the kubelet reports ErrImageNeverPull for
 * them, as it does for an image removed after its pod was created.
 */
import { FieldError } from "../api/errors.js";
import { child, index, invalid } from "../api/field.js";
import type { Container, Pod } from "../api/types.js";

/** Whether an image reference names an image on this node (synchronous: API hooks are). */
export type ImagePresent = (ref: string) => boolean;

/** The image fields of `pod` that name an image not on this node; with `old`, only images that changed. */
export function missingImageErrors(pod: Pod, present: ImagePresent, old?: Pod): FieldError[] {
  const errs: FieldError[] = [];
  const check = (list: Container[] | undefined, oldList: Container[] | undefined, field: string) =>
    (list ?? []).forEach((c, i) => {
      if (!c.image || oldList?.find((o) => o.name === c.name)?.image === c.image || present(c.image)) return;
      errs.push(invalid(child(index(field, i), "image"), c.image, "no such image on this node (there is no registry: make it with `nodelet image build`)"));
    });
  check(pod.spec.initContainers, old?.spec.initContainers, "spec.initContainers");
  check(pod.spec.containers, old?.spec.containers, "spec.containers");
  return errs;
}
