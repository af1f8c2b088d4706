/**
 * `make bench`, protobuf part: the cost of answering a big list in protobuf against JSON. 1,000 running pods (two
 * containers with probes, resources, env and mounts; status with conditions and container statuses; a managedFields
 * entry each) encoded in-process as a PodList (JSON.stringify against the protobuf encoder), and the same list over
 * HTTP from an in-process API server (`GET /api/v1/namespaces/big/pods`, streamed in parts) with each Accept header,
 * interleaved. Figures are printed, never asserted. Run: node dist/bench/protobuf-bench.js [--runs N]
 */
import { performance } from "node:perf_hooks";
import type { Pod } from "../src/api/types.js";
import { encodeKubernetesProtobuf } from "../src/apiserver/protobuf/encode.js";
import { startTestServer, storePod, testPod } from "../test/unit/apiserver/harness.js";
import { percentile, printTable } from "./lib.js";

const arg = process.argv.indexOf("--runs");
const RUNS = arg > 0 ? Number(process.argv[arg + 1]) : 30;
const PODS = 1000;

function bigPod(i: number): Pod {
  const pod = testPod(`web-${i}`, { ns: "big", labels: { app: "web", "pod-template-hash": "7c4d1a2e" }, phase: "Running", containers: ["main", "sidecar"] });
  const t = "2026-12-01T10:00:00Z";
  pod.metadata.annotations = { "kubectl.kubernetes.io/restartedAt": t };
  pod.metadata.ownerReferences = [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-7c4d1a2e", uid: "7c4d1a2e-0000-4000-8000-000000000002", controller: true, blockOwnerDeletion: true }];
  pod.metadata.managedFields = [
    { manager: "kube-controller-manager", operation: "Update", apiVersion: "v1", time: t, fieldsType: "FieldsV1", fieldsV1: { "f:metadata": { "f:labels": { "f:app": {} } } } },
  ];
  for (const c of pod.spec.containers) {
    Object.assign(c, {
      command: ["sh", "-c", "exec httpd -f -p 8080"],
      env: [{ name: "MODE", value: "prod" }, { name: "POD_IP", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "status.podIP" } } }],
      ports: [{ containerPort: 8080, protocol: "TCP", name: "http" }],
      resources: { requests: { cpu: "100m", memory: "64Mi" }, limits: { memory: "128Mi" } },
      readinessProbe: { httpGet: { path: "/", port: 8080, scheme: "HTTP" }, periodSeconds: 5, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
      volumeMounts: [{ name: "data", mountPath: "/data" }],
      terminationMessagePath: "/dev/termination-log",
      terminationMessagePolicy: "File",
      imagePullPolicy: "IfNotPresent",
    });
  }
  pod.spec.volumes = [{ name: "data", emptyDir: {} }];
  pod.status = {
    ...pod.status,
    phase: "Running",
    podIP: `10.1.${i >> 8}.${i & 255}`,
    startTime: t,
    conditions: ["PodScheduled", "Initialized", "ContainersReady", "Ready"].map((type) => ({ type, status: "True", lastTransitionTime: t })),
    containerStatuses: pod.spec.containers.map((c) => ({ name: c.name, image: c.image, imageID: `sha256:${"a".repeat(64)}`, ready: true, restartCount: 0, started: true, containerID: `nodelet://${"b".repeat(64)}`, state: { running: { startedAt: t } } })),
  } as Pod["status"];
  return pod;
}

function median(xs: number[]): number {
  return percentile([...xs].sort((a, b) => a - b), 50);
}

async function main(): Promise<void> {
  const t = await startTestServer();
  try {
    for (let i = 0; i < PODS; i++) storePod(t.store, bigPod(i));
    const items = t.store.list<Pod>("Pod", { namespace: "big" }).items;
    const list = { kind: "PodList", apiVersion: "v1", metadata: { resourceVersion: t.store.currentResourceVersion() }, items };
    const json: number[] = [];
    const pb: number[] = [];
    let jsonBytes = 0;
    let pbBytes = 0;
    for (let r = 0; r < RUNS; r++) {
      let s = performance.now();
      jsonBytes = Buffer.byteLength(JSON.stringify(list));
      json.push(performance.now() - s);
      s = performance.now();
      pbBytes = encodeKubernetesProtobuf(list)!.length;
      pb.push(performance.now() - s);
    }
    const http = { json: [] as number[], protobuf: [] as number[] };
    const path = "/api/v1/namespaces/big/pods";
    for (let r = 0; r < RUNS; r++) {
      for (const [name, accept] of [["json", "application/json"], ["protobuf", "application/vnd.kubernetes.protobuf,application/json"]] as const) {
        const s = performance.now();
        const res = await t.client.raw("GET", path, { accept });
        if (res.status !== 200) throw new Error(`${name}: status ${res.status}`);
        http[name].push(performance.now() - s);
      }
    }
    console.log(`\nprotobuf responses: a PodList of ${PODS} running pods, median of ${RUNS} runs`);
    printTable(
      ["", "JSON", "protobuf", "protobuf/JSON"],
      [
        ["encode in-process (ms)", median(json).toFixed(1), median(pb).toFixed(1), (median(pb) / median(json)).toFixed(2)],
        ["size (kB)", (jsonBytes / 1024).toFixed(0), (pbBytes / 1024).toFixed(0), (pbBytes / jsonBytes).toFixed(2)],
        ["LIST over HTTP (ms)", median(http.json).toFixed(1), median(http.protobuf).toFixed(1), (median(http.protobuf) / median(http.json)).toFixed(2)],
      ],
    );
  } finally {
    await t.close();
  }
}

await main();
