/**
 * Wiring of the workload controllers into the daemon: one ControllerManager over the API server's in-process API
 * (the same admission and deletion rules as kubectl's requests), running the ReplicaSet, Deployment, StatefulSet,
 * DaemonSet, Job, CronJob, disruption (PodDisruptionBudget), horizontal pod autoscaler (reading the node's own
 * pod metrics) and garbage collector controllers, and the cleaners of spent CertificateSigningRequests and expired
 * bootstrap tokens. stop() ends their workers and informers.
 */
import type { ApiServer } from "../apiserver/index.js";
import { ControllerManager, type ControllerFactory } from "../controllers/foundation/controller.js";
import { cronJobController } from "../controllers/cronjob/controller.js";
import { daemonSetController } from "../controllers/daemonset/controller.js";
import { deploymentController } from "../controllers/deployment/controller.js";
import { disruptionController } from "../controllers/disruption/controller.js";
import { csrCleaner } from "../controllers/cleanup/csr-cleaner.js";
import { bootstrapTokenCleaner } from "../controllers/cleanup/token-cleaner.js";
import { garbageCollector } from "../controllers/gc/controller.js";
import { horizontalPodAutoscalerController } from "../controllers/hpa/controller.js";
import { jobController } from "../controllers/job/controller.js";
import { replicaSetController } from "../controllers/replicaset/controller.js";
import { statefulSetController } from "../controllers/statefulset/controller.js";
import type { Clock } from "../sys/clock.js";

/** The controllers the daemon runs, in start order. */
export const WORKLOAD_CONTROLLERS: ControllerFactory[] = [replicaSetController, deploymentController, statefulSetController, daemonSetController, jobController, cronJobController, disruptionController, horizontalPodAutoscalerController, garbageCollector, csrCleaner, bootstrapTokenCleaner];

/** `extra`: more controllers on the same informers (the node controllers, cmd/node-controllers-wiring.ts). */
export async function startWorkloads(api: ApiServer, clock: Clock, nodeName: string, log: (m: string) => void, extra: ControllerFactory[] = []): Promise<{ stop(): Promise<void> }> {
  const manager = new ControllerManager({ api: api.objectApi(), clock, nodeName, log, resyncMs: 0, metrics: { podMetrics: (ns, sel) => api.podMetrics(ns, sel) } });
  manager.start([...WORKLOAD_CONTROLLERS, ...extra]);
  log(`controllers: ${manager.names().join(", ")}`);
  return { stop: () => manager.stop() };
}
