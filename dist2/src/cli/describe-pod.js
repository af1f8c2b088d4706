import { summarizePod } from "../api/tables/format.js";
import { describeTime } from "./describe-section.js";
import { mebi, milli } from "./metrics-format.js";
/** `metrics`: the pod's usage from the metrics API (the cgroup files `top` reads), shown per running container. */
export function describePod(s, pod, metrics) {
    const md = pod.metadata;
    const st = pod.status ?? {};
    s.line(0, "Name", md.name);
    s.line(0, "Namespace", md.namespace);
    s.line(0, "Priority", pod.spec.priority ?? 0);
    s.line(0, "Service Account", pod.spec.serviceAccountName ?? "default");
    s.line(0, "Node", pod.spec.nodeName ? `${pod.spec.nodeName}/${st.hostIP ?? ""}` : "<none>");
    s.line(0, "Start Time", st.startTime ? describeTime(st.startTime) : "<none>");
    s.map(0, "Labels", md.labels);
    s.map(0, "Annotations", withoutLastApplied(md.annotations));
    if (md.deletionTimestamp)
        s.line(0, "Status", `Terminating (lasts ${md.deletionGracePeriodSeconds ?? 0}s)`);
    else
        s.line(0, "Status", summarizePod(pod).status === "Running" ? "Running" : st.phase);
    if (st.reason)
        s.line(0, "Reason", st.reason);
    if (st.message)
        s.line(0, "Message", st.message);
    s.line(0, "IP", st.podIP ?? "");
    s.line(0, "IPs", st.podIPs?.length ? "" : "<none>");
    for (const ip of st.podIPs ?? [])
        s.line(1, "IP", ip.ip);
    if (pod.spec.initContainers?.length) {
        s.line(0, "Init Containers", "");
        for (const c of pod.spec.initContainers)
            container(s, c, st.initContainerStatuses?.find((x) => x.name === c.name));
    }
    s.line(0, "Containers", "");
    for (const c of pod.spec.containers)
        container(s, c, st.containerStatuses?.find((x) => x.name === c.name), metrics?.containers.find((m) => m.name === c.name)?.usage);
    s.raw("Conditions:");
    s.table(1, [["Type", "Status"], ...(st.conditions ?? []).map((c) => [c.type, c.status])]);
    volumes(s, pod.spec.volumes ?? []);
    s.line(0, "QoS Class", st.qosClass ?? "BestEffort");
    s.map(0, "Node-Selectors", pod.spec.nodeSelector);
    const tolerations = (pod.spec.tolerations ?? []).map((t) => `${t.key ?? ""}${t.effect ? `:${t.effect}` : ""} op=${t.operator ?? "Equal"}${t.tolerationSeconds !== undefined ? ` for ${t.tolerationSeconds}s` : ""}`);
    if (!tolerations.length)
        s.line(0, "Tolerations", "<none>");
    tolerations.forEach((t, i) => s.line(0, i === 0 ? "Tolerations" : "", t));
}
function container(s, c, cs, usage) {
    s.line(1, c.name, "");
    if (cs?.containerID)
        s.line(2, "Container ID", cs.containerID);
    s.line(2, "Image", c.image);
    s.line(2, "Image ID", cs?.imageID ?? "");
    const ports = c.ports ?? [];
    s.line(2, ports.length > 1 ? "Ports" : "Port", ports.length ? ports.map((p) => `${p.containerPort}/${p.protocol ?? "TCP"}`).join(", ") : "<none>");
    s.line(2, ports.length > 1 ? "Host Ports" : "Host Port", ports.length ? ports.map((p) => `${p.hostPort ?? 0}/${p.protocol ?? "TCP"}`).join(", ") : "<none>");
    list(s, "Command", c.command);
    list(s, "Args", c.args);
    state(s, "State", cs?.state ?? { waiting: { reason: "ContainerCreating" } });
    if (cs?.lastState && Object.keys(cs.lastState).length)
        state(s, "Last State", cs.lastState);
    s.line(2, "Ready", cs?.ready ? "True" : "False");
    s.line(2, "Restart Count", cs?.restartCount ?? 0);
    resources(s, "Limits", c.resources?.limits);
    resources(s, "Requests", c.resources?.requests);
    if (usage)
        resources(s, "Usage", { cpu: `${milli(usage.cpu)}m`, memory: `${mebi(usage.memory)}Mi` });
    if (c.livenessProbe)
        s.line(2, "Liveness", probe(c.livenessProbe));
    if (c.readinessProbe)
        s.line(2, "Readiness", probe(c.readinessProbe));
    if (c.startupProbe)
        s.line(2, "Startup", probe(c.startupProbe));
    const env = c.env ?? [];
    s.line(2, "Environment", env.length ? "" : "<none>");
    for (const e of env) {
        const from = e.valueFrom;
        const value = e.value ?? (from?.fieldRef ? ` (v1:${from.fieldRef.fieldPath})` : from?.configMapKeyRef ? `<set to the key '${from.configMapKeyRef.key}' of config map '${from.configMapKeyRef.name}'>` : from?.secretKeyRef ? `<set to the key '${from.secretKeyRef.key}' in secret '${from.secretKeyRef.name}'>` : "");
        s.line(3, e.name, value || "<empty>");
    }
    const mounts = c.volumeMounts ?? [];
    s.line(2, "Mounts", mounts.length ? "" : "<none>");
    for (const m of mounts)
        s.raw(`      ${m.mountPath} from ${m.name} (${m.readOnly ? "ro" : "rw"}${m.subPath ? `,path="${m.subPath}"` : ""})`);
}
function list(s, key, words) {
    if (!words?.length)
        return;
    s.line(2, key, "");
    for (const w of words)
        s.raw(`      ${w}`);
}
function state(s, key, st) {
    if (st.running) {
        s.line(2, key, "Running");
        s.line(3, "Started", describeTime(st.running.startedAt));
    }
    else if (st.waiting) {
        s.line(2, key, "Waiting");
        s.line(3, "Reason", st.waiting.reason ?? "");
        if (st.waiting.message)
            s.line(3, "Message", st.waiting.message);
    }
    else if (st.terminated) {
        const t = st.terminated;
        s.line(2, key, "Terminated");
        s.line(3, "Reason", t.reason ?? "");
        if (t.message)
            s.line(3, "Message", t.message);
        s.line(3, "Exit Code", t.exitCode);
        if (t.signal)
            s.line(3, "Signal", t.signal);
        s.line(3, "Started", describeTime(t.startedAt));
        s.line(3, "Finished", describeTime(t.finishedAt));
    }
}
function resources(s, key, r) {
    if (!r || !Object.keys(r).length)
        return;
    s.line(2, key, "");
    for (const [k, v] of Object.entries(r).sort())
        s.line(3, k, v);
}
/** "http-get http://:8080/healthz delay=0s timeout=1s period=10s #success=1 #failure=3". */
export function probe(p) {
    let handler = "unknown";
    if (p.exec)
        handler = `exec [${(p.exec.command ?? []).join(" ")}]`;
    else if (p.httpGet)
        handler = `http-get ${(p.httpGet.scheme ?? "HTTP").toLowerCase()}://${p.httpGet.host ?? ""}:${p.httpGet.port}${p.httpGet.path ?? "/"}`;
    else if (p.tcpSocket)
        handler = `tcp-socket ${p.tcpSocket.host ?? ""}:${p.tcpSocket.port}`;
    else if (p.grpc)
        handler = `grpc <pod>:${p.grpc.port} ${p.grpc.service ?? ""}`;
    return `${handler} delay=${p.initialDelaySeconds ?? 0}s timeout=${p.timeoutSeconds ?? 1}s period=${p.periodSeconds ?? 10}s #success=${p.successThreshold ?? 1} #failure=${p.failureThreshold ?? 3}`;
}
function volumes(s, vols) {
    s.line(0, "Volumes", vols.length ? "" : "<none>");
    for (const v of vols) {
        s.line(1, v.name, "");
        if (v.emptyDir) {
            s.line(2, "Type", "EmptyDir (a temporary directory that shares a pod's lifetime)");
            s.line(2, "Medium", v.emptyDir.medium ?? "");
            s.line(2, "SizeLimit", v.emptyDir.sizeLimit ?? "<unset>");
        }
        else if (v.hostPath) {
            s.line(2, "Type", "HostPath (bare host directory volume)");
            s.line(2, "Path", v.hostPath.path);
            s.line(2, "HostPathType", v.hostPath.type ?? "");
        }
        else if (v.persistentVolumeClaim) {
            s.line(2, "Type", "PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)");
            s.line(2, "ClaimName", v.persistentVolumeClaim.claimName);
            s.line(2, "ReadOnly", v.persistentVolumeClaim.readOnly ? "true" : "false");
        }
        else if (v.configMap) {
            s.line(2, "Type", "ConfigMap (a volume populated by a ConfigMap)");
            s.line(2, "Name", v.configMap.name);
        }
        else if (v.secret) {
            s.line(2, "Type", "Secret (a volume populated by a Secret)");
            s.line(2, "SecretName", v.secret.secretName);
        }
    }
}
/** kubectl describe leaves out the last-applied annotation (it is the whole object again). */
export function withoutLastApplied(a) {
    if (!a)
        return a;
    const { ["kubectl.kubernetes.io/last-applied-configuration"]: _skip, ...rest } = a;
    void _skip;
    return rest;
}
//# sourceMappingURL=describe-pod.js.map