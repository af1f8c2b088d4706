export function staleUdpEndpoints(prev, next) {
    const now = new Map(next.services.filter((s) => s.protocol === "UDP").map((s) => [`${s.name}/${s.clusterIP}`, new Set(s.endpoints.map((e) => e.ip))]));
    const out = [];
    for (const s of prev.services) {
        if (s.protocol !== "UDP")
            continue;
        const live = now.get(`${s.name}/${s.clusterIP}`) ?? new Set();
        for (const e of s.endpoints)
            if (!live.has(e.ip))
                out.push({ clusterIP: s.clusterIP, endpointIP: e.ip });
    }
    return out;
}
//# sourceMappingURL=stale-udp.js.map