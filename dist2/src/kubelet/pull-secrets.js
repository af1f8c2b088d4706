export function pullSecretsOf(store, pod) {
    const ns = pod.metadata.namespace ?? "default";
    const out = [];
    for (const ref of pod.spec.imagePullSecrets ?? []) {
        if (!ref?.name)
            continue;
        const s = store.get("Secret", ns, ref.name);
        const data = s?.type === "kubernetes.io/dockerconfigjson" ? s.data?.[".dockerconfigjson"] : undefined;
        if (data)
            out.push(Buffer.from(data, "base64").toString("utf8"));
    }
    return out;
}
//# sourceMappingURL=pull-secrets.js.map