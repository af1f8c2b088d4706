import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { addDefaultTolerations, defaultPullPolicy, imageTag, setPodDefaults } from "../../../src/api/pod-defaults.js";
import { podQOSClass } from "../../../src/api/qos.js";
import type { Pod } from "../../../src/api/types.js";
import { admittedPod, container, pod } from "./helpers.js";

describe("pod defaults", () => {
  it("fills the pod spec defaults, admission plugins, binding and status", () => {
    const p = admittedPod();
    const s = p.spec;
    assert.equal(p.metadata.namespace, "default");
    assert.equal(s.restartPolicy, "Always");
    assert.equal(s.terminationGracePeriodSeconds, 30);
    assert.equal(s.dnsPolicy, "ClusterFirst");
    assert.equal(s.schedulerName, "default-scheduler");
    assert.deepEqual(s.securityContext, {});
    assert.equal(s.enableServiceLinks, true);
    // Priority and preemptionPolicy are the Priority plugin's (an API server hook: priority-class.test.ts).
    assert.equal(s.priority, undefined);
    assert.equal(s.preemptionPolicy, undefined);
    assert.equal(s.serviceAccountName, "default");
    assert.equal(s.serviceAccount, "default");
    assert.equal(s.nodeName, "node-1");
    assert.deepEqual(s.tolerations, [
      { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
      { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
    ]);
    assert.deepEqual(p.status, { phase: "Pending", qosClass: "BestEffort" });
  });

  it("fills container defaults, init containers too", () => {
    const p = admittedPod({ initContainers: [container({ name: "init", image: "busybox" })] });
    for (const c of [p.spec.containers[0], p.spec.initContainers![0]]) {
      assert.equal(c.terminationMessagePath, "/dev/termination-log");
      assert.equal(c.terminationMessagePolicy, "File");
      assert.deepEqual(c.resources, {});
    }
    assert.equal(p.spec.containers[0].imagePullPolicy, "IfNotPresent");
    assert.equal(p.spec.initContainers![0].imagePullPolicy, "Always");
  });

  it("keeps values the user set", () => {
    const p = admittedPod({
      restartPolicy: "Never",
      terminationGracePeriodSeconds: 0,
      dnsPolicy: "Default",
      nodeName: "elsewhere",
      containers: [container({ imagePullPolicy: "Never", terminationMessagePath: "/tmp/x" })],
    });
    assert.equal(p.spec.restartPolicy, "Never");
    assert.equal(p.spec.terminationGracePeriodSeconds, 0);
    assert.equal(p.spec.dnsPolicy, "Default");
    assert.equal(p.spec.nodeName, "elsewhere");
    assert.equal(p.spec.containers[0].imagePullPolicy, "Never");
    assert.equal(p.spec.containers[0].terminationMessagePath, "/tmp/x");
  });

  it("chooses the pull policy from the tag", () => {
    assert.equal(defaultPullPolicy("nginx"), "Always");
    assert.equal(defaultPullPolicy("nginx:latest"), "Always");
    assert.equal(defaultPullPolicy("nginx:1.27"), "IfNotPresent");
    assert.equal(defaultPullPolicy("localhost:5000/nginx"), "Always");
    assert.equal(defaultPullPolicy("localhost:5000/nginx:1"), "IfNotPresent");
    assert.equal(defaultPullPolicy("nginx@sha256:abcd"), "IfNotPresent");
    assert.equal(imageTag("registry.k8s.io/pause:3.10"), "3.10");
    assert.equal(imageTag("localhost:5000/x"), "");
  });

  it("defaults ports, probes and lifecycle HTTP handlers", () => {
    const p = admittedPod({
      containers: [
        container({
          ports: [{ containerPort: 80 }],
          livenessProbe: { httpGet: { port: 80 } },
          readinessProbe: { tcpSocket: { port: "http" }, periodSeconds: 5 },
          lifecycle: { preStop: { httpGet: { port: 80, path: "/stop" } } },
        }),
      ],
    });
    const c = p.spec.containers[0];
    assert.equal(c.ports![0].protocol, "TCP");
    assert.deepEqual(c.livenessProbe, {
      httpGet: { port: 80, path: "/", scheme: "HTTP" },
      timeoutSeconds: 1,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 3,
    });
    assert.equal(c.readinessProbe!.periodSeconds, 5);
    assert.deepEqual(c.lifecycle!.preStop!.httpGet, { port: 80, path: "/stop", scheme: "HTTP" });
  });

  it("defaults requests from limits and writes quantities canonically", () => {
    const p = admittedPod({
      containers: [container({ resources: { limits: { cpu: "0.5", memory: "1.5Gi" }, requests: { cpu: "100m" } } })],
    });
    assert.deepEqual(p.spec.containers[0].resources, {
      limits: { cpu: "500m", memory: "1536Mi" },
      requests: { cpu: "100m", memory: "1536Mi" },
    });
    const rounded = admittedPod({ containers: [container({ resources: { requests: { cpu: "12n" } } })] });
    assert.equal(rounded.spec.containers[0].resources!.requests!["cpu"], "1m");
  });

  it("defaults volumes: emptyDir when no source, file modes, hostPath type", () => {
    const p = admittedPod({
      volumes: [
        { name: "a" },
        { name: "b", secret: { secretName: "s" } },
        { name: "c", configMap: { name: "cm", defaultMode: 0o600 } },
        { name: "d", hostPath: { path: "/data" } },
        { name: "e", emptyDir: { sizeLimit: "1.5Gi" } },
      ],
    });
    const v = p.spec.volumes!;
    assert.deepEqual(v[0], { name: "a", emptyDir: {} });
    assert.equal(v[1].secret!.defaultMode, 420);
    assert.equal(v[2].configMap!.defaultMode, 0o600);
    assert.equal(v[3].hostPath!.type, "");
    assert.equal(v[4].emptyDir!.sizeLimit, "1536Mi");
  });

  it("makes host ports equal container ports with host networking", () => {
    const p = admittedPod({ hostNetwork: true, containers: [container({ ports: [{ containerPort: 8080 }] })] });
    assert.equal(p.spec.containers[0].ports![0].hostPort, 8080);
  });

  it("sets fieldRef apiVersion", () => {
    const p = admittedPod({ containers: [container({ env: [{ name: "N", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }] })] });
    assert.equal(p.spec.containers[0].env![0].valueFrom!.fieldRef!.apiVersion, "v1");
  });

  it("adds default tolerations only for taints not already tolerated", () => {
    const spec = { containers: [], tolerations: [{ key: "node.kubernetes.io/not-ready", operator: "Exists" as const }] };
    addDefaultTolerations(spec);
    assert.deepEqual(spec.tolerations.map((t) => t.key), ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"]);
    const all = { containers: [], tolerations: [{ operator: "Exists" as const }] };
    addDefaultTolerations(all);
    assert.equal(all.tolerations.length, 1);
    const otherEffect = { containers: [], tolerations: [{ key: "node.kubernetes.io/unreachable", operator: "Exists" as const, effect: "NoSchedule" as const }] };
    addDefaultTolerations(otherEffect);
    assert.equal(otherEffect.tolerations.length, 3);
  });

  it("setPodDefaults works on a bare pod", () => {
    const p = pod();
    setPodDefaults(p, "n");
    assert.equal(p.spec.nodeName, "n");
  });
});

describe("podQOSClass", () => {
  const withResources = (...rs: { requests?: Record<string, string>; limits?: Record<string, string> }[]): Pod =>
    pod({ containers: rs.map((r, i) => container({ name: `c${i}`, resources: r })) });

  it("BestEffort without cpu or memory requests and limits", () => {
    assert.equal(podQOSClass(withResources({})), "BestEffort");
    assert.equal(podQOSClass(withResources({ limits: { "example.com/gpu": "1" } })), "BestEffort");
    assert.equal(podQOSClass(withResources({ requests: { cpu: "0" } })), "BestEffort");
  });

  it("Guaranteed when every container has equal cpu and memory requests and limits", () => {
    const g = { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "1000m", memory: "1024Mi" } };
    assert.equal(podQOSClass(withResources(g, g)), "Guaranteed");
    // Like Kubernetes, the computation expects a defaulted pod: limits alone (requests not yet copied) are Burstable.
    assert.equal(podQOSClass(withResources({ limits: { cpu: "1", memory: "1Gi" } })), "Burstable");
  });

  it("Burstable otherwise", () => {
    assert.equal(podQOSClass(withResources({ requests: { cpu: "100m" } })), "Burstable");
    assert.equal(podQOSClass(withResources({ limits: { cpu: "1" } })), "Burstable");
    assert.equal(podQOSClass(withResources({ requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "2", memory: "1Gi" } })), "Burstable");
    assert.equal(podQOSClass(withResources({ limits: { cpu: "1", memory: "1Gi" } }, {})), "Burstable");
  });

  it("is what admission records in status", () => {
    const p = admittedPod({ containers: [container({ resources: { limits: { cpu: "1", memory: "64Mi" } } })] });
    assert.equal(p.status!.qosClass, "Guaranteed");
  });
});
