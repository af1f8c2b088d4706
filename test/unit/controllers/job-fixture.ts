/**
 * Jobs and their pods over a workloads harness, for the Job controller's loop tests (job.test.ts, job-tracking.test.ts):
 * make a Job from a spec, read it and its pods back, and end a pod as the kubelet would report it.
 */
import type { Job } from "../../../src/api/batch-types.js";
import type { Pod } from "../../../src/api/types.js";
import { rfc3339 } from "../../../src/api/time.js";
import type { ControllerHarness } from "./workloads-harness.js";

export interface JobFixture {
  /** Creates Job `name` in default from `spec` (its template: one busybox container "main", restartPolicy Never). */
  make: (name: string, spec: Record<string, unknown>) => Job;
  get: (name: string) => Job | undefined;
  /** The pods the Job owns. */
  podsOf: (name: string) => Pod[];
  /** Writes the pod's status as ended: phase and its container terminated with `exitCode` (0 or 1 by phase). */
  finish: (p: Pod, phase: "Succeeded" | "Failed", exitCode?: number) => void;
}

export function jobFixture(h: Pick<ControllerHarness, "api" | "store" | "clock">): JobFixture {
  const get = (name: string) => h.store.get<Job>("Job", "default", name);
  return {
    get,
    make: (name, spec) =>
      h.api.create<Job>({ apiVersion: "batch/v1", kind: "Job", metadata: { name, namespace: "default" }, spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "main", image: "busybox" }] } }, ...spec } } as unknown as Job),
    podsOf: (name) => h.store.list<Pod>("Pod", { namespace: "default" }).items.filter((p) => p.metadata.ownerReferences?.[0]?.uid === get(name)?.metadata.uid),
    finish: (p, phase, exitCode = phase === "Succeeded" ? 0 : 1) => {
      const terminated = { exitCode, finishedAt: rfc3339(h.clock.now()) };
      h.store.update<Pod>({ ...p, status: { ...p.status, phase, containerStatuses: [{ name: "main", ready: false, restartCount: 0, image: "", imageID: "", state: { terminated }, lastState: {} }] } }, { subresource: "status" });
    },
  };
}
