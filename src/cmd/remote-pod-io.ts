/**
 * The control plane's pod IO: the pods run on joined nodes, and the control plane does not (yet) proxy logs, exec,
 * attach, port-forward or pod metrics to them (kube-apiserver reaches the kubelet's port 10250 for these). Each
 * answers 503 ServiceUnavailable naming the pod's node, so `kubectl logs|exec` says plainly what is missing instead
 * of hanging or pretending.
 */
import type { Duplex, Readable } from "node:stream";
import { ApiError } from "../api/errors.js";
import type { ExecSession, PodIO } from "../api/pod-io.js";
import type { Pod, PodMetrics } from "../api/types.js";

export function unproxiedPodIO(): PodIO {
  const refuse = (pod: Pod, what: string): never => {
    const node = pod.spec.nodeName ? `node "${pod.spec.nodeName}"` : "no node yet";
    throw new ApiError("ServiceUnavailable", `pod "${pod.metadata.name ?? ""}" runs on ${node}: this control plane does not proxy ${what} to nodes yet`);
  };
  return {
    logs: (pod): Promise<Readable> => refuse(pod, "logs"),
    exec: (pod): Promise<ExecSession> => refuse(pod, "exec"),
    attach: (pod): Promise<ExecSession> => refuse(pod, "attach"),
    portForward: (pod): Promise<Duplex> => refuse(pod, "port-forward"),
    metrics: (pod): Promise<PodMetrics> => refuse(pod, "pod metrics"),
  };
}
