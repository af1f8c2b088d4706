/**
 * The pod a Job creates from its template (job_controller.go manageJob / indexed_job_utils.go): generateName
 * `JOB-`, and for Indexed Jobs `JOB-INDEX-` with the completion index as annotation and label, the hostname
 * `JOB-INDEX` (unless the template sets one) and JOB_COMPLETION_INDEX in every container's environment. Every pod
 * carries the job-tracking finalizer until the controller has counted it (tracking.ts).
 */
import { JOB_LABELS, type Job } from "../../api/batch-types.js";
import type { Container, Pod } from "../../api/types.js";
import { podFromTemplate } from "../workload/pods.js";
import { withTrackingFinalizer } from "./tracking.js";

export const COMPLETION_INDEX_ENV = "JOB_COMPLETION_INDEX";

function withIndexEnv(c: Container): Container {
  if ((c.env ?? []).some((e) => e.name === COMPLETION_INDEX_ENV)) return c;
  const fieldPath = `metadata.annotations['${JOB_LABELS.completionIndex}']`;
  return { ...c, env: [...(c.env ?? []), { name: COMPLETION_INDEX_ENV, valueFrom: { fieldRef: { fieldPath } } }] };
}

export function jobPod(job: Job, index?: number): Pod {
  const pod = withTrackingFinalizer(podFromTemplate(job, job.spec.template));
  if (index === undefined) return pod;
  const name = job.metadata.name ?? "";
  const i = String(index);
  pod.metadata.generateName = `${name}-${i}-`;
  pod.metadata.annotations = { ...pod.metadata.annotations, [JOB_LABELS.completionIndex]: i };
  pod.metadata.labels = { ...pod.metadata.labels, [JOB_LABELS.completionIndex]: i };
  pod.spec = { ...pod.spec, hostname: pod.spec.hostname || `${name}-${i}` };
  pod.spec.containers = pod.spec.containers.map(withIndexEnv);
  if (pod.spec.initContainers) pod.spec.initContainers = pod.spec.initContainers.map(withIndexEnv);
  return pod;
}
