/**
 * What a pod asks of a node (k8s.io/component-helpers resource.PodRequests), shared by node admission and the
 * scheduler: the app containers plus the sidecars, or the largest init container plus the sidecars started before it
 * if that is more, plus the pod overhead. Pure.
 */
import { cpuMilli, memoryBytes } from "./quantity.js";
import type { Container, Pod } from "./types.js";

export interface Requests {
  cpuMilli: number;
  memoryBytes: number;
}

export const ZERO_REQUESTS: Readonly<Requests> = { cpuMilli: 0, memoryBytes: 0 };

/** schedutil.DefaultMilliCPURequest and DefaultMemoryRequest: what scoring counts for a container that sets none. */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

export const addRequests = (a: Requests, b: Requests): Requests => ({ cpuMilli: a.cpuMilli + b.cpuMilli, memoryBytes: a.memoryBytes + b.memoryBytes });
const maxRequests = (a: Requests, b: Requests): Requests => ({ cpuMilli: Math.max(a.cpuMilli, b.cpuMilli), memoryBytes: Math.max(a.memoryBytes, b.memoryBytes) });

function containerRequests(c: Container, nonZero: boolean): Requests {
  const cpu = cpuMilli(c.resources?.requests?.cpu);
  const mem = memoryBytes(c.resources?.requests?.memory);
  if (!nonZero) return { cpuMilli: cpu ?? 0, memoryBytes: mem ?? 0 };
  // GetNonzeroRequestForResource: only an unset request takes the default; an explicit 0 stays 0.
  return { cpuMilli: cpu ?? DEFAULT_MILLI_CPU_REQUEST, memoryBytes: mem ?? DEFAULT_MEMORY_REQUEST };
}

function requests(pod: Pod, nonZero: boolean): Requests {
  let sidecars: Requests = ZERO_REQUESTS;
  let initPeak: Requests = ZERO_REQUESTS;
  for (const c of pod.spec.initContainers ?? []) {
    if (c.restartPolicy === "Always") sidecars = addRequests(sidecars, containerRequests(c, nonZero));
    else initPeak = maxRequests(initPeak, addRequests(sidecars, containerRequests(c, nonZero)));
  }
  const apps = pod.spec.containers.map((c) => containerRequests(c, nonZero)).reduce(addRequests, sidecars);
  const overhead = { cpuMilli: cpuMilli(pod.spec.overhead?.cpu) ?? 0, memoryBytes: memoryBytes(pod.spec.overhead?.memory) ?? 0 };
  return addRequests(maxRequests(apps, initPeak), overhead);
}

/** resource.PodRequests: the requests as written. */
export const podRequests = (pod: Pod): Requests => requests(pod, false);

/** The requests scoring counts (schedutil.GetNonzeroRequests per container): unset cpu 100m, unset memory 200 MiB. */
export const nonZeroPodRequests = (pod: Pod): Requests => requests(pod, true);
