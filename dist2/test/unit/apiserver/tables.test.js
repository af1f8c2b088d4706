import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatEndpoints } from "../../../src/api/tables/service.js";
import { formatAge, humanDuration, printerFor, servicePorts, summarizePod, toTable } from "../../../src/api/tables/index.js";
const NOW = Date.parse("2026-11-27T12:00:00Z");
const ago = (s) => new Date(NOW - s * 1000).toISOString().replace(/\.\d+Z$/, "Z");
describe("humanDuration (kubectl ages)", () => {
    const cases = [
        [-5, "<invalid>"],
        [-0.5, "0s"],
        [0, "0s"],
        [59, "59s"],
        [119, "119s"],
        [120, "2m"],
        [330, "5m30s"],
        [600, "10m"],
        [179 * 60, "179m"],
        [3 * 3600, "3h"],
        [3 * 3600 + 20 * 60, "3h20m"],
        [10 * 3600, "10h"],
        [47 * 3600, "47h"],
        [2 * 86400, "2d"],
        [2 * 86400 + 5 * 3600, "2d5h"],
        [30 * 86400, "30d"],
        [3 * 365 * 86400 + 10 * 86400, "3y10d"],
        [9 * 365 * 86400, "9y"],
    ];
    for (const [s, want] of cases)
        it(`${s}s → ${want}`, () => assert.equal(humanDuration(s * 1000), want));
    it("formatAge of a missing timestamp is <unknown>", () => assert.equal(formatAge(undefined, NOW), "<unknown>"));
});
function cs(name, state, extra = {}) {
    return { name, state, lastState: {}, ready: false, restartCount: 0, image: "i", imageID: "", ...extra };
}
function pod(status, opts = {}) {
    return {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "web", namespace: "default", creationTimestamp: ago(90), deletionTimestamp: opts.deletion ? ago(0) : undefined },
        spec: {
            containers: (opts.containers ?? ["c"]).map((name) => ({ name })),
            initContainers: [
                ...(opts.inits ?? []).map((name) => ({ name })),
                ...(opts.sidecars ?? []).map((name) => ({ name, restartPolicy: "Always" })),
            ],
        },
        status,
    };
}
const running = { running: { startedAt: ago(60) } };
describe("pod status (kubectl's printPod)", () => {
    const cases = [
        ["pending, nothing yet", pod({ phase: "Pending" }), "Pending", "0/1"],
        ["container creating", pod({ phase: "Pending", containerStatuses: [cs("c", { waiting: { reason: "ContainerCreating" } })] }), "ContainerCreating"],
        ["running and ready", pod({ phase: "Running", containerStatuses: [cs("c", running, { ready: true })] }), "Running", "1/1"],
        ["crash loop", pod({ phase: "Running", containerStatuses: [cs("c", { waiting: { reason: "CrashLoopBackOff" } })] }), "CrashLoopBackOff", "0/1"],
        ["completed", pod({ phase: "Succeeded", containerStatuses: [cs("c", { terminated: { exitCode: 0, reason: "Completed" } })] }), "Completed"],
        ["error", pod({ phase: "Failed", containerStatuses: [cs("c", { terminated: { exitCode: 1, reason: "Error" } })] }), "Error"],
        ["exit code without reason", pod({ phase: "Failed", containerStatuses: [cs("c", { terminated: { exitCode: 3 } })] }), "ExitCode:3"],
        ["signal without reason", pod({ phase: "Failed", containerStatuses: [cs("c", { terminated: { exitCode: 137, signal: 9 } })] }), "Signal:9"],
        ["evicted (status.reason)", pod({ phase: "Failed", reason: "Evicted" }), "Evicted"],
        [
            "first init container running",
            pod({ phase: "Pending", initContainerStatuses: [cs("i1", running), cs("i2", { waiting: { reason: "PodInitializing" } })] }, { inits: ["i1", "i2"] }),
            "Init:0/2",
        ],
        [
            "second init container running",
            pod({ phase: "Pending", initContainerStatuses: [cs("i1", { terminated: { exitCode: 0, reason: "Completed" } }), cs("i2", running)] }, { inits: ["i1", "i2"] }),
            "Init:1/2",
        ],
        [
            "init crash loop",
            pod({ phase: "Pending", initContainerStatuses: [cs("i1", { waiting: { reason: "CrashLoopBackOff" } })] }, { inits: ["i1"] }),
            "Init:CrashLoopBackOff",
        ],
        ["init error", pod({ phase: "Pending", initContainerStatuses: [cs("i1", { terminated: { exitCode: 1, reason: "Error" } })] }, { inits: ["i1"] }), "Init:Error"],
        ["init exit code", pod({ phase: "Pending", initContainerStatuses: [cs("i1", { terminated: { exitCode: 2 } })] }, { inits: ["i1"] }), "Init:ExitCode:2"],
        [
            "initialized, containers starting",
            pod({
                phase: "Pending",
                initContainerStatuses: [cs("i1", { terminated: { exitCode: 0, reason: "Completed" } })],
                containerStatuses: [cs("c", { waiting: { reason: "PodInitializing" } })],
            }, { inits: ["i1"] }),
            "PodInitializing",
        ],
        ["terminating", pod({ phase: "Running", containerStatuses: [cs("c", running, { ready: true })] }, { deletion: true }), "Terminating"],
        ["a finished pod being deleted is not Terminating", pod({ phase: "Succeeded", containerStatuses: [cs("c", { terminated: { exitCode: 0, reason: "Completed" } })] }, { deletion: true }), "Completed"],
        [
            "completed sidecar-style container next to a running one, pod not Ready",
            pod({ phase: "Running", containerStatuses: [cs("a", { terminated: { exitCode: 0, reason: "Completed" } }), cs("b", running, { ready: true })] }, { containers: ["a", "b"] }),
            "NotReady",
            "1/2",
        ],
        [
            "completed container next to a running one, pod Ready",
            pod({
                phase: "Running",
                conditions: [{ type: "Ready", status: "True" }],
                containerStatuses: [cs("a", { terminated: { exitCode: 0, reason: "Completed" } }), cs("b", running, { ready: true })],
            }, { containers: ["a", "b"] }),
            "Running",
            "1/2",
        ],
        [
            "a started sidecar counts as a container",
            pod({
                phase: "Running",
                conditions: [{ type: "Initialized", status: "True" }],
                initContainerStatuses: [cs("side", running, { ready: true, started: true })],
                containerStatuses: [cs("c", running, { ready: true })],
            }, { sidecars: ["side"] }),
            "Running",
            "2/2",
        ],
        ["scheduling gated", pod({ phase: "Pending", conditions: [{ type: "PodScheduled", status: "False", reason: "SchedulingGated" }] }), "SchedulingGated"],
    ];
    for (const [what, p, status, ready] of cases) {
        it(`${what} → ${status}`, () => {
            const s = summarizePod(p, NOW);
            assert.equal(s.status, status);
            if (ready)
                assert.equal(s.ready, ready);
        });
    }
    it("restarts show when the last one was", () => {
        const p = pod({
            phase: "Running",
            containerStatuses: [cs("c", running, { ready: true, restartCount: 2, lastState: { terminated: { exitCode: 1, finishedAt: ago(300) } } })],
        });
        assert.equal(summarizePod(p, NOW).restarts, "2 (5m ago)");
        assert.equal(summarizePod(pod({ phase: "Running", containerStatuses: [cs("c", running, { restartCount: 1 })] }), NOW).restarts, "1");
    });
    it("wide cells: IP, node, nominated node, readiness gates", () => {
        const p = pod({ phase: "Running", podIP: "10.0.0.5", podIPs: [{ ip: "10.0.0.5" }], conditions: [{ type: "g1", status: "True" }] });
        p.spec.nodeName = "n1";
        p.spec.readinessGates = [{ conditionType: "g1" }, { conditionType: "g2" }];
        assert.deepEqual(printerFor("Pod").cells(p, NOW), ["web", "0/1", "Running", "0", "90s", "10.0.0.5", "n1", "<none>", "1/2"]);
    });
    it("finished pods carry the Completed row condition", () => {
        const t = toTable(printerFor("Pod"), [pod({ phase: "Succeeded" })], { version: "v1", includeObject: "Metadata", now: NOW });
        assert.equal(t.rows[0].conditions?.[0].type, "Completed");
    });
});
describe("other printers", () => {
    it("service ports, cluster IP, external IP and selector", () => {
        assert.equal(servicePorts([{ port: 80, protocol: "TCP" }, { port: 443, nodePort: 30443, protocol: "TCP" }]), "80/TCP,443:30443/TCP");
        assert.equal(servicePorts([]), "<none>");
        const svc = {
            apiVersion: "v1",
            kind: "Service",
            metadata: { name: "web", creationTimestamp: ago(3600 * 3) },
            spec: { type: "LoadBalancer", clusterIP: "10.96.0.10", clusterIPs: ["10.96.0.10"], ports: [{ port: 80, protocol: "TCP", nodePort: 30080 }], selector: { app: "web" } },
        };
        assert.deepEqual(printerFor("Service").cells(svc, NOW), ["web", "LoadBalancer", "10.96.0.10", "<pending>", "80:30080/TCP", "3h", "app=web"]);
    });
    it("endpoints show three then '+ N more...'", () => {
        const ep = {
            apiVersion: "v1",
            kind: "Endpoints",
            metadata: { name: "web" },
            subsets: [{ addresses: ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"].map((ip) => ({ ip })), ports: [{ port: 80 }] }],
        };
        assert.equal(formatEndpoints(ep), "10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 1 more...");
        assert.equal(formatEndpoints({ ...ep, subsets: [] }), "<none>");
    });
    it("events: last seen, object, source, count", () => {
        const ev = {
            apiVersion: "v1",
            kind: "Event",
            metadata: { name: "web.1" },
            involvedObject: { kind: "Pod", name: "web", fieldPath: "spec.containers{c}" },
            reason: "Started",
            message: " Started container c ",
            type: "Normal",
            source: { component: "kubelet", host: "n1" },
            firstTimestamp: ago(600),
            lastTimestamp: ago(60),
        };
        assert.deepEqual(printerFor("Event").cells(ev, NOW), ["60s", "Normal", "Started", "pod/web", "spec.containers{c}", "kubelet, n1", "Started container c", "10m", 1, "web.1"]);
    });
    it("nodes: status, roles, wide info", () => {
        const node = {
            apiVersion: "v1",
            kind: "Node",
            metadata: { name: "n1", creationTimestamp: ago(86400 * 3), labels: { "node-role.kubernetes.io/control-plane": "", "node-role.kubernetes.io/worker": "" } },
            spec: { unschedulable: true },
            status: {
                conditions: [{ type: "Ready", status: "True" }],
                addresses: [{ type: "InternalIP", address: "192.168.1.2" }],
                nodeInfo: { kubeletVersion: "v1.32.0-nodelet", osImage: "Debian", kernelVersion: "6.1", containerRuntimeVersion: "nodelet://0.1" },
            },
        };
        assert.deepEqual(printerFor("Node").cells(node, NOW), [
            "n1", "Ready,SchedulingDisabled", "control-plane,worker", "3d", "v1.32.0-nodelet", "192.168.1.2", "<none>", "Debian", "6.1", "nodelet://0.1",
        ]);
    });
    it("every printer gives one cell per column", () => {
        const samples = [
            pod({ phase: "Running" }),
            { apiVersion: "v1", kind: "Service", metadata: { name: "s" }, spec: {} },
            { apiVersion: "v1", kind: "Endpoints", metadata: { name: "e" } },
            { apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice", metadata: { name: "es" }, addressType: "IPv4", endpoints: [] },
            { apiVersion: "v1", kind: "Event", metadata: { name: "ev" }, involvedObject: {} },
            { apiVersion: "v1", kind: "Node", metadata: { name: "n" } },
            { apiVersion: "v1", kind: "Namespace", metadata: { name: "ns" } },
            { apiVersion: "v1", kind: "PersistentVolume", metadata: { name: "pv" }, spec: {} },
            { apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "pvc" }, spec: {} },
            { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm" }, data: { a: "1" } },
            { apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, data: { a: "MQ==" } },
            { apiVersion: "x/v1", kind: "Unknown", metadata: { name: "u" } },
        ];
        for (const o of samples) {
            const p = printerFor(o.kind);
            assert.equal(p.cells(o, NOW).length, p.columns.length, o.kind);
        }
    });
});
describe("Table documents", () => {
    it("rows carry PartialObjectMetadata by default, the object or nothing on request", () => {
        const p = pod({ phase: "Running" });
        const meta = toTable(printerFor("Pod"), [p], { version: "v1", includeObject: "Metadata", resourceVersion: "7", now: NOW });
        assert.equal(meta.kind, "Table");
        assert.equal(meta.apiVersion, "meta.k8s.io/v1");
        assert.deepEqual(meta.metadata, { resourceVersion: "7" });
        assert.deepEqual(meta.rows[0].object, { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: p.metadata });
        const full = toTable(printerFor("Pod"), [p], { version: "v1beta1", includeObject: "Object", now: NOW });
        assert.equal(full.apiVersion, "meta.k8s.io/v1beta1");
        assert.equal(full.rows[0].object, p);
        const none = toTable(printerFor("Pod"), [p], { version: "v1", includeObject: "None", noHeaders: true, now: NOW });
        assert.equal(none.rows[0].object, undefined);
        assert.equal(none.columnDefinitions, undefined);
        assert.equal(meta.columnDefinitions?.filter((c) => c.priority === 0).map((c) => c.name).join(","), "Name,Ready,Status,Restarts,Age");
    });
});
//# sourceMappingURL=tables.test.js.map