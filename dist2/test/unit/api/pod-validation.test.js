import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { admitCreate } from "../../../src/api/admission.js";
import { assertErrors, assertHasError, container, createErrors, CTX, pod } from "./helpers.js";
const LABEL_MSG = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name' or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
function errsFor(spec) {
    return createErrors(pod(spec));
}
function errsForContainer(c) {
    return errsFor({ containers: [container(c)] });
}
describe("pod validation: good pods", () => {
    it("admits a rich valid pod unchanged apart from defaults", () => {
        const spec = {
            initContainers: [container({ name: "init" }), container({ name: "side", restartPolicy: "Always", readinessProbe: { exec: { command: ["true"] } } })],
            containers: [
                container({
                    name: "app",
                    command: ["sh", "-c"],
                    args: ["sleep 1"],
                    workingDir: "/work",
                    ports: [{ name: "http", containerPort: 80, hostPort: 8080 }, { containerPort: 53, protocol: "UDP" }],
                    env: [{ name: "A", value: "1" }, { name: "B", valueFrom: { secretKeyRef: { name: "s", key: "k" } } }],
                    volumeMounts: [{ name: "data", mountPath: "/data", subPath: "sub/dir" }],
                    resources: { requests: { cpu: "100m", memory: "64Mi" }, limits: { cpu: "1", memory: "128Mi" } },
                    livenessProbe: { httpGet: { port: "http", path: "/healthz" }, initialDelaySeconds: 3 },
                    startupProbe: { tcpSocket: { port: 80 }, failureThreshold: 30 },
                    lifecycle: { preStop: { sleep: { seconds: 5 } } },
                    securityContext: { runAsUser: 1000, capabilities: { add: ["NET_ADMIN"], drop: ["ALL"] } },
                }),
            ],
            volumes: [{ name: "data", emptyDir: { medium: "Memory", sizeLimit: "64Mi" } }, { name: "host", hostPath: { path: "/var/log", type: "Directory" } }],
            activeDeadlineSeconds: 60,
            hostname: "web",
            subdomain: "svc",
            securityContext: { runAsUser: 0, fsGroup: 2000, sysctls: [{ name: "net.ipv4.ip_forward", value: "1" }] },
            tolerations: [{ key: "example.com/x", operator: "Equal", value: "y", effect: "NoSchedule" }],
            hostAliases: [{ ip: "10.0.0.1", hostnames: ["db.local"] }],
            dnsPolicy: "None",
            dnsConfig: { nameservers: ["1.1.1.1"], searches: ["svc.cluster.local."] },
        };
        const out = admitCreate(pod(spec), CTX);
        assert.equal(out.spec.containers[0].name, "app");
        assert.equal(out.spec.volumes.length, 2);
    });
    it("does not mutate its input", () => {
        const input = pod();
        const copy = structuredClone(input);
        admitCreate(input, CTX);
        assert.deepEqual(input, copy);
    });
});
describe("pod validation: metadata", () => {
    it("checks name, namespace, labels and annotations", () => {
        const p = pod();
        p.metadata = { name: "Bad_Name", namespace: "Bad.NS", labels: { "bad key!": "v", ok: "bad value!" }, annotations: { "a/b/c": "x" } };
        const errs = createErrors(p);
        assertHasError(errs, 'metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of');
        assertHasError(errs, 'metadata.namespace: Invalid value: "Bad.NS": a lowercase RFC 1123 label must consist of');
        assertHasError(errs, 'metadata.labels: Invalid value: "bad key!": name part must consist of');
        assertHasError(errs, 'metadata.labels: Invalid value: "bad value!": a valid label must be an empty string');
        assertHasError(errs, 'metadata.annotations: Invalid value: "a/b/c": a qualified name must consist of');
    });
    it("requires a name or generateName", () => {
        const p = pod();
        p.metadata = {};
        assertErrors(createErrors(p), ["metadata.name: Required value: name or generateName is required"]);
    });
    it("generates a name from generateName", () => {
        const p = pod();
        p.metadata = { generateName: "web-" };
        assert.equal(admitCreate(p, CTX).metadata.name, "web-bbbbb");
    });
});
describe("pod validation: containers", () => {
    it("requires containers", () => {
        assertErrors(errsFor({ containers: [] }), ["spec.containers: Required value"]);
    });
    it("requires a name and an image", () => {
        assertErrors(errsForContainer({ name: "", image: "" }), ["spec.containers[0].name: Required value", "spec.containers[0].image: Required value"]);
    });
    it("checks container names are DNS labels, unique across init and app containers", () => {
        const errs = errsFor({ initContainers: [container({ name: "c" })], containers: [container({ name: "c" }), container({ name: "Bad" })] });
        assertErrors(errs, [
            `spec.containers[1].name: Invalid value: "Bad": ${LABEL_MSG}`,
            'spec.initContainers[0].name: Duplicate value: "c"',
        ]);
        assertErrors(errsFor({ containers: [container(), container()] }), ['spec.containers[1].name: Duplicate value: "c"']);
    });
    it("rejects images with surrounding whitespace and relative working dirs", () => {
        assertErrors(errsForContainer({ image: " busybox " }), ['spec.containers[0].image: Invalid value: " busybox ": must not have leading or trailing whitespace']);
        assertErrors(errsForContainer({ workingDir: "tmp" }), ['spec.containers[0].workingDir: Invalid value: "tmp": must be an absolute path']);
    });
    it("checks ports", () => {
        const errs = errsForContainer({
            ports: [
                { containerPort: 0 },
                { containerPort: 70000, hostPort: 70000 },
                { containerPort: 80, protocol: "HTTP", name: "HTTP" },
                { containerPort: 81, name: "web" },
                { containerPort: 82, name: "web" },
            ],
        });
        assertErrors(errs, [
            "spec.containers[0].ports[0].containerPort: Required value",
            "spec.containers[0].ports[1].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
            "spec.containers[0].ports[1].hostPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
            'spec.containers[0].ports[2].name: Invalid value: "HTTP": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
            'spec.containers[0].ports[2].name: Invalid value: "HTTP": must contain at least one letter (a-z)',
            'spec.containers[0].ports[2].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
            'spec.containers[0].ports[4].name: Duplicate value: "web"',
        ]);
    });
    it("rejects conflicting host ports", () => {
        const errs = errsFor({ containers: [container({ name: "a", ports: [{ containerPort: 80, hostPort: 8080 }] }), container({ name: "b", ports: [{ containerPort: 81, hostPort: 8080 }] })] });
        assertErrors(errs, ['spec.containers[1].ports[0].hostPort: Duplicate value: "TCP//8080"']);
    });
    it("checks env names and sources", () => {
        const errs = errsForContainer({
            env: [
                { name: "" },
                { name: "1BAD" },
                { name: "X", value: "v", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
                { name: "Y", valueFrom: {} },
                { name: "Z", valueFrom: { fieldRef: { fieldPath: "spec.nothing" } } },
            ],
        });
        assertHasError(errs, "spec.containers[0].env[0].name: Required value");
        assertHasError(errs, 'spec.containers[0].env[1].name: Invalid value: "1BAD": a valid environment variable name must consist of');
        assertHasError(errs, 'spec.containers[0].env[2].valueFrom: Invalid value: "": may not be specified when `value` is not empty');
        assertHasError(errs, 'spec.containers[0].env[3].valueFrom: Invalid value: "": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`');
        assertHasError(errs, 'spec.containers[0].env[4].valueFrom.fieldRef.fieldPath: Unsupported value: "spec.nothing": supported values: "metadata.name"');
        assert.equal(errs.length, 5);
    });
    it("checks resources: quantities, names, non-negative, request ≤ limit", () => {
        const errs = errsForContainer({ resources: { limits: { cpu: "5 cores", memory: "-1Mi" }, requests: { memory: "1Gi" } } });
        assertErrors(errs, [
            "spec.containers[0].resources.limits.cpu: Invalid value: \"5 cores\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
            'spec.containers[0].resources.limits.memory: Invalid value: "-1Mi": must be greater than or equal to 0',
            'spec.containers[0].resources.requests.memory: Invalid value: "1Gi": must be less than or equal to memory limit of -1Mi',
        ]);
        assertErrors(errsForContainer({ resources: { limits: { cpu: "500m" }, requests: { cpu: "600m" } } }), [
            'spec.containers[0].resources.requests.cpu: Invalid value: "600m": must be less than or equal to cpu limit of 500m',
        ]);
        assertErrors(errsForContainer({ resources: { requests: { gpu: "1" } } }), [
            'spec.containers[0].resources.requests.gpu: Invalid value: "gpu": must be a standard resource type or fully qualified',
            'spec.containers[0].resources.requests.gpu: Invalid value: "gpu": must be a standard resource for containers',
        ]);
        assertErrors(errsForContainer({ resources: { requests: { "example.com/gpu": "1" } } }), [
            "spec.containers[0].resources.limits: Required value: Limit must be set for non overcommitable resources",
        ]);
        assertErrors(errsForContainer({ resources: { limits: { "example.com/gpu": "0.5" } } }), [
            'spec.containers[0].resources.limits.example.com/gpu: Invalid value: "500m": must be an integer',
            'spec.containers[0].resources.requests.example.com/gpu: Invalid value: "500m": must be an integer',
        ]);
    });
    it("checks pull and termination message policies", () => {
        assertErrors(errsForContainer({ imagePullPolicy: "Sometimes", terminationMessagePolicy: "Never" }), [
            'spec.containers[0].terminationMessagePolicy: Unsupported value: "Never": supported values: "File", "FallbackToLogsOnError"',
            'spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"',
        ]);
    });
    it("checks security contexts", () => {
        const errs = errsForContainer({
            securityContext: { runAsUser: -1, runAsGroup: 2147483648, capabilities: { add: ["FLY"] }, allowPrivilegeEscalation: false, privileged: true },
        });
        assertHasError(errs, "spec.containers[0].securityContext.runAsUser: Invalid value: -1: must be between 0 and 2147483647, inclusive");
        assertHasError(errs, "spec.containers[0].securityContext.runAsGroup: Invalid value: 2147483648: must be between 0 and 2147483647, inclusive");
        assertHasError(errs, 'spec.containers[0].securityContext.capabilities.add[0]: Invalid value: "FLY": must be a Linux capability name');
        assertHasError(errs, "spec.containers[0].securityContext: Invalid value: ");
        assert.equal(errs.length, 4);
        const pod1 = errsFor({ securityContext: { runAsUser: -5, supplementalGroups: [-1] } });
        assertErrors(pod1, [
            "spec.securityContext.runAsUser: Invalid value: -5: must be between 0 and 2147483647, inclusive",
            "spec.securityContext.supplementalGroups[0]: Invalid value: -1: must be between 0 and 2147483647, inclusive",
        ]);
    });
    it("forbids restartPolicy on app containers", () => {
        assertErrors(errsForContainer({ restartPolicy: "Always" }), ["spec.containers[0].restartPolicy: Forbidden: may not be set for non-init containers"]);
    });
});
describe("pod validation: init containers and sidecars", () => {
    it("allows only restartPolicy Always on init containers", () => {
        const errs = errsFor({ initContainers: [container({ name: "i", restartPolicy: "OnFailure" })] });
        assertErrors(errs, ['spec.initContainers[0].restartPolicy: Unsupported value: "OnFailure": supported values: "Always"']);
    });
    it("allows probes and lifecycle only on sidecars", () => {
        const probe = { exec: { command: ["true"] } };
        const errs = errsFor({ initContainers: [container({ name: "i", livenessProbe: probe, readinessProbe: probe, startupProbe: probe, lifecycle: { postStart: probe } })] });
        const msg = "Forbidden: may not be set for init containers without restartPolicy=Always";
        assertErrors(errs, [
            `spec.initContainers[0].lifecycle: ${msg}`,
            `spec.initContainers[0].livenessProbe: ${msg}`,
            `spec.initContainers[0].readinessProbe: ${msg}`,
            `spec.initContainers[0].startupProbe: ${msg}`,
        ]);
        assert.doesNotThrow(() => admitCreate(pod({ initContainers: [container({ name: "i", restartPolicy: "Always", livenessProbe: probe })] }), CTX));
    });
});
describe("pod validation: probes and handlers", () => {
    it("requires exactly one handler", () => {
        assertErrors(errsForContainer({ livenessProbe: { periodSeconds: 5 } }), ["spec.containers[0].livenessProbe: Required value: must specify a handler type"]);
        assertErrors(errsForContainer({ livenessProbe: { exec: { command: ["x"] }, tcpSocket: { port: 80 } } }), [
            "spec.containers[0].livenessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type",
        ]);
    });
    it("checks thresholds and success threshold of liveness and startup probes", () => {
        const errs = errsForContainer({
            livenessProbe: { exec: { command: ["x"] }, successThreshold: 2, failureThreshold: -1, initialDelaySeconds: -3 },
            startupProbe: { exec: { command: ["x"] }, successThreshold: 3 },
            readinessProbe: { exec: { command: ["x"] }, successThreshold: 3, terminationGracePeriodSeconds: 5 },
        });
        assertErrors(errs, [
            "spec.containers[0].livenessProbe.initialDelaySeconds: Invalid value: -3: must be greater than or equal to 0",
            "spec.containers[0].livenessProbe.failureThreshold: Invalid value: -1: must be greater than or equal to 0",
            "spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1",
            "spec.containers[0].startupProbe.successThreshold: Invalid value: 3: must be 1",
            "spec.containers[0].readinessProbe.terminationGracePeriodSeconds: Invalid value: 5: must not be set for readinessProbes",
        ]);
    });
    it("checks handler ports, commands and schemes", () => {
        const errs = errsForContainer({
            livenessProbe: { httpGet: { port: 0, scheme: "FTP" } },
            readinessProbe: { tcpSocket: { port: "Bad--name" } },
            startupProbe: { exec: { command: [] } },
        });
        assertErrors(errs, [
            "spec.containers[0].livenessProbe.httpGet.port: Invalid value: 0: must be between 1 and 65535, inclusive",
            'spec.containers[0].livenessProbe.httpGet.scheme: Unsupported value: "FTP": supported values: "HTTP", "HTTPS"',
            'spec.containers[0].readinessProbe.tcpSocket.port: Invalid value: "Bad--name": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
            'spec.containers[0].readinessProbe.tcpSocket.port: Invalid value: "Bad--name": must not contain consecutive hyphens',
            "spec.containers[0].startupProbe.exec.command: Required value",
        ]);
    });
    it("checks lifecycle handlers, including sleep against the grace period", () => {
        const errs = errsFor({
            terminationGracePeriodSeconds: 10,
            containers: [container({ lifecycle: { preStop: { sleep: { seconds: 20 } }, postStart: {} } })],
        });
        assertErrors(errs, [
            "spec.containers[0].lifecycle.postStart: Required value: must specify a handler type",
            "spec.containers[0].lifecycle.preStop.sleep: Invalid value: 20: must be greater than 0 and less than terminationGracePeriodSeconds (10). Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep.",
        ]);
    });
});
describe("pod validation: volumes and mounts", () => {
    function volErrs(volumes, mounts = []) {
        return errsFor({ volumes, containers: [container({ volumeMounts: mounts })] });
    }
    it("checks volume names: DNS labels, unique", () => {
        assertErrors(volErrs([{ name: "Data", emptyDir: {} }, { name: "a", emptyDir: {} }, { name: "a", emptyDir: {} }]), [
            `spec.volumes[0].name: Invalid value: "Data": ${LABEL_MSG}`,
            'spec.volumes[2].name: Duplicate value: "a"',
        ]);
    });
    it("requires exactly one source", () => {
        assertErrors(volErrs([{ name: "a", emptyDir: {}, hostPath: { path: "/x" } }]), ["spec.volumes[0].hostPath: Forbidden: may not specify more than 1 volume type"]);
    });
    it("checks hostPath paths and types", () => {
        assertErrors(volErrs([{ name: "a", hostPath: { path: "rel/../x", type: "Maybe" } }]), [
            'spec.volumes[0].hostPath.path: Invalid value: "rel/../x": must not contain \'..\'',
            'spec.volumes[0].hostPath.path: Invalid value: "rel/../x": must be an absolute path',
            'spec.volumes[0].hostPath.type: Unsupported value: "Maybe": supported values: "", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"',
        ]);
        assertErrors(volErrs([{ name: "a", hostPath: { path: "" } }]), ["spec.volumes[0].hostPath.path: Required value"]);
    });
    it("checks emptyDir medium and size limit", () => {
        assertErrors(volErrs([{ name: "a", emptyDir: { medium: "Disk", sizeLimit: "-1Gi" } }]), [
            'spec.volumes[0].emptyDir.medium: Unsupported value: "Disk": supported values: "", "Memory", "HugePages"',
            "spec.volumes[0].emptyDir.sizeLimit: Forbidden: SizeLimit field must be a valid resource quantity",
        ]);
        assertHasError(volErrs([{ name: "a", emptyDir: { sizeLimit: "lots" } }]), 'spec.volumes[0].emptyDir.sizeLimit: Invalid value: "lots": quantities must match');
    });
    it("checks secret, configMap and claim sources", () => {
        assertErrors(volErrs([
            { name: "a", secret: { secretName: "", defaultMode: 0o1000 } },
            { name: "b", configMap: { name: "cm", items: [{ key: "k", path: "/abs" }] } },
            { name: "c", persistentVolumeClaim: { claimName: "" } },
        ]), [
            "spec.volumes[0].secret.secretName: Required value",
            "spec.volumes[0].secret.defaultMode: Invalid value: 512: must be a number between 0 and 0777 (octal), both inclusive",
            'spec.volumes[1].configMap.items[0].path: Invalid value: "/abs": must be a relative path',
            "spec.volumes[2].persistentVolumeClaim.claimName: Required value",
        ]);
    });
    it("checks mounts: volume exists, absolute unique mountPath, safe subPath", () => {
        const errs = volErrs([{ name: "v", emptyDir: {} }], [
            { name: "nope", mountPath: "/a" },
            { name: "v", mountPath: "rel" },
            { name: "v", mountPath: "/a" },
            { name: "v", mountPath: "/b", subPath: "/abs" },
            { name: "v", mountPath: "/c", subPath: "x/../../y" },
            { name: "v", mountPath: "" },
        ]);
        assertErrors(errs, [
            'spec.containers[0].volumeMounts[0].name: Not found: "nope"',
            'spec.containers[0].volumeMounts[1].mountPath: Invalid value: "rel": must be an absolute path',
            'spec.containers[0].volumeMounts[2].mountPath: Invalid value: "/a": must be unique',
            'spec.containers[0].volumeMounts[3].subPath: Invalid value: "/abs": must be a relative path',
            'spec.containers[0].volumeMounts[4].subPath: Invalid value: "x/../../y": must not contain \'..\'',
            "spec.containers[0].volumeMounts[5].mountPath: Required value",
        ]);
    });
    it("allows bidirectional propagation only to privileged containers", () => {
        assertErrors(volErrs([{ name: "v", emptyDir: {} }], [{ name: "v", mountPath: "/a", mountPropagation: "Bidirectional" }]), [
            "spec.containers[0].volumeMounts[0].mountPropagation: Forbidden: Bidirectional mount propagation is available only to privileged containers",
        ]);
    });
});
describe("pod validation: pod-level fields", () => {
    it("checks enums", () => {
        assertErrors(errsFor({ restartPolicy: "Sometimes", dnsPolicy: "Magic" }), [
            'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
            'spec.dnsPolicy: Unsupported value: "Magic": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"',
        ]);
    });
    it("checks durations", () => {
        assertErrors(errsFor({ terminationGracePeriodSeconds: -1, activeDeadlineSeconds: 0 }), [
            "spec.terminationGracePeriodSeconds: Invalid value: -1: must be greater than or equal to 0",
            "spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive",
        ]);
    });
    it("checks hostname, subdomain and node name", () => {
        const errs = errsFor({ hostname: "a.b", subdomain: "Sub", nodeName: "Node_1" });
        assertHasError(errs, 'spec.hostname: Invalid value: "a.b": must not contain dots');
        assertHasError(errs, 'spec.subdomain: Invalid value: "Sub": a lowercase RFC 1123 label');
        assertHasError(errs, 'spec.nodeName: Invalid value: "Node_1": a lowercase RFC 1123 subdomain');
        assert.equal(errs.length, 3);
    });
    it("requires host ports to equal container ports with host networking", () => {
        assertErrors(errsFor({ hostNetwork: true, containers: [container({ ports: [{ containerPort: 80, hostPort: 8080 }] })] }), [
            "spec.containers[0].ports[0].hostPort: Invalid value: 8080: must match `containerPort` when `hostNetwork` is true",
        ]);
    });
    it("checks tolerations", () => {
        const errs = errsFor({
            tolerations: [
                { operator: "Equal", value: "x" },
                { key: "k", operator: "Exists", value: "v" },
                { key: "k", tolerationSeconds: 5, effect: "NoSchedule" },
                { key: "k", operator: "Maybe" },
            ],
        });
        assertErrors(errs, [
            'spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"',
            'spec.tolerations[1].operator: Invalid value: "v": value must be empty when `operator` is \'Exists\'',
            'spec.tolerations[2].effect: Invalid value: "NoSchedule": effect must be \'NoExecute\' when `tolerationSeconds` is set',
            'spec.tolerations[3].operator: Unsupported value: "Maybe": supported values: "Equal", "Exists"',
        ]);
    });
    it("checks DNS config and host aliases", () => {
        assertErrors(errsFor({ dnsPolicy: "None" }), ["spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None"]);
        const errs = errsFor({ dnsConfig: { nameservers: ["x"], searches: ["Bad_Domain"] }, hostAliases: [{ ip: "nope", hostnames: ["ok"] }] });
        assertHasError(errs, 'spec.dnsConfig.nameservers[0]: Invalid value: "x": must be a valid IP address');
        assertHasError(errs, 'spec.dnsConfig.searches[0]: Invalid value: "Bad_Domain": a lowercase RFC 1123 subdomain');
        assertHasError(errs, 'spec.hostAliases[0].ip: Invalid value: "nope": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)');
        assert.equal(errs.length, 3);
    });
    it("forbids ephemeral containers on create", () => {
        assertErrors(errsFor({ ephemeralContainers: [container({ name: "dbg" })] }), ["spec.ephemeralContainers: Forbidden: cannot be set on create"]);
    });
    it("reports every error at once, in a 422 naming the pod", () => {
        const p = pod({ containers: [container({ name: "", image: "" })], restartPolicy: "x" }, "bad");
        try {
            admitCreate(p, CTX);
            assert.fail("expected an error");
        }
        catch (e) {
            const err = e;
            assert.equal(err.code, 422);
            assert.equal(err.details.kind, "Pod");
            assert.equal(err.details.name, "bad");
            assert.equal(err.details.causes.length, 3);
            assert.match(err.message, /^Pod "bad" is invalid: \[spec\.containers\[0\]\.name: Required value, /);
        }
    });
});
//# sourceMappingURL=pod-validation.test.js.map