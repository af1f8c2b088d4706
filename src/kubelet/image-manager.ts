/**
 * The kubelet's EnsureImageExists (pkg/kubelet/images/image_manager.go) before a container is created: the pull
 * policy decides (Never: use what is here or fail ErrImageNeverPull; IfNotPresent: pull only when missing;
 * Always: pull every time — except images built on this node, which no registry has), a pull in back-off fails
 * ImagePullBackOff at once, and the events and messages are the kubelet's own: Pulling, Pulled ("Successfully
 * pulled image … in …s (…s including waiting). Image size: N bytes." / "Container image … already present on
 * machine"), Failed ("Failed to pull image …: cause"), BackOff ("Back-off pulling image …"), ErrImageNeverPull,
 * InspectFailed for an invalid name. The image back-off is the kubelet's: 10 s doubling to 300 s per pod and image.
 */
import type { Container, Pod } from "../api/types.js";
import type { ImageService, PresentImage, PullSecrets } from "../images/node-images.js";
import { InvalidImageNameError } from "../images/reference.js";
import type { Backoff } from "./backoff.js";
import type { Clock } from "./clock.js";
import type { EventRecorder } from "./events.js";

export type ImageFailureReason = "ErrImagePull" | "ImagePullBackOff" | "ErrImageNeverPull" | "InvalidImageName";

export type EnsureResult = { ok: true; image: PresentImage } | { ok: false; reason: ImageFailureReason; message: string; retryAt?: number };

export interface ImageManagerDeps {
  images: ImageService;
  events: EventRecorder;
  clock: Clock;
  /** The image pull back-off (10 s → 300 s), its own, not the containers' crash back-off. */
  backoff: Backoff;
  /** The imagePullSecrets' docker config JSON of a pod (missing Secrets are skipped, as the kubelet does). */
  pullSecrets: (pod: Pod) => PullSecrets;
}

export class ImageManager {
  constructor(private readonly d: ImageManagerDeps) {}

  /** Makes sure c's image is on the node, pulling it as its policy says; records the kubelet's events. */
  async ensure(pod: Pod, c: Container, fieldPath: string): Promise<EnsureResult> {
    const image = c.image ?? "";
    const event = (type: "Normal" | "Warning", reason: string, message: string) => this.d.events.record(pod, type, reason, message, fieldPath);
    let present: PresentImage | undefined;
    try {
      present = await this.d.images.present(image);
    } catch (err) {
      if (!(err instanceof InvalidImageNameError)) throw err;
      const message = `Failed to apply default image tag "${image}": couldn't parse image name "${image}": ${err.message}`;
      event("Warning", "InspectFailed", message);
      return { ok: false, reason: "InvalidImageName", message };
    }
    const policy = c.imagePullPolicy ?? "IfNotPresent";
    if (present && (policy !== "Always" || present.local)) {
      event("Normal", "Pulled", `Container image "${image}" already present on machine`);
      return { ok: true, image: present };
    }
    if (!present && policy === "Never") {
      const message = `Container image "${image}" is not present with pull policy of Never`;
      event("Warning", "ErrImageNeverPull", message);
      return { ok: false, reason: "ErrImageNeverPull", message };
    }
    const key = `${pod.metadata.uid}/${image}`;
    // IsInBackOffSinceUpdate: the back-off counts from the last failed pull.
    const last = this.d.backoff.entries.get(key)?.lastUpdate;
    const until = last === undefined ? undefined : this.d.backoff.backoffUntil(key, last);
    if (until !== undefined) {
      const message = `Back-off pulling image "${image}"`;
      event("Normal", "BackOff", message);
      return { ok: false, reason: "ImagePullBackOff", message, retryAt: until };
    }
    event("Normal", "Pulling", `Pulling image "${image}"`);
    const started = this.d.clock.now();
    try {
      const pulled = await this.d.images.pull(image, this.d.pullSecrets(pod));
      const secs = seconds(this.d.clock.now() - started);
      // Shared pulls are not queued here, so the time spent and the time including waiting are the same.
      event("Normal", "Pulled", `Successfully pulled image "${image}" in ${secs} (${secs} including waiting). Image size: ${pulled.size} bytes.`);
      this.d.backoff.reset(key);
      return { ok: true, image: pulled };
    } catch (err) {
      const cause = err instanceof Error ? err.message : String(err);
      event("Warning", "Failed", `Failed to pull image "${image}": ${cause}`);
      this.d.backoff.next(key, this.d.clock.now());
      return { ok: false, reason: "ErrImagePull", message: cause, retryAt: this.d.backoff.entries.get(key)!.lastUpdate + this.d.backoff.current(key) };
    }
  }

  /** Forgets a deleted pod's back-off entries. */
  forgetPod(uid: string): void {
    this.d.backoff.forgetPrefix(`${uid}/`);
  }
}

/** A duration truncated to the millisecond, as Go's Duration.String() prints it: "1.234s", "850ms", "2m3.5s". */
export function seconds(ms: number): string {
  const t = Math.max(0, Math.floor(ms));
  if (t === 0) return "0s";
  if (t < 1000) return `${t}ms`;
  const m = Math.floor(t / 60_000);
  const s = `${(t % 60_000) / 1000}s`;
  return m ? `${m}m${s}` : s;
}
