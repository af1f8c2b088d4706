/** The ConfigMaps and Secrets whose content a pod's volumes show (env is read once, at container start). */
export function volumeReferences(pod) {
    const configMaps = new Set();
    const secrets = new Set();
    for (const v of pod.spec.volumes ?? []) {
        if (v.configMap)
            configMaps.add(v.configMap.name);
        if (v.secret)
            secrets.add(v.secret.secretName);
        for (const s of v.projected?.sources ?? []) {
            if (s.configMap)
                configMaps.add(s.configMap.name);
            if (s.secret)
                secrets.add(s.secret.name);
        }
    }
    return { configMaps, secrets };
}
/** Whether the pod's volumes show its labels or annotations (downwardAPI files), which change without a new generation. */
export function showsMetadata(pod) {
    const items = (pod.spec.volumes ?? []).flatMap((v) => [...(v.downwardAPI?.items ?? []), ...(v.projected?.sources ?? []).flatMap((s) => s.downwardAPI?.items ?? [])]);
    return items.some((i) => /^metadata\.(labels|annotations)/.test(i.fieldRef?.fieldPath ?? ""));
}
//# sourceMappingURL=config-objects.js.map