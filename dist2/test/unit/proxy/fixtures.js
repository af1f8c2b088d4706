export function entry(name, clusterIP, n, extra = {}) {
    return {
        name: `default/${name}:`,
        namespace: "default",
        service: name,
        portName: "",
        clusterIP,
        protocol: "TCP",
        port: 80,
        endpoints: Array.from({ length: n }, (_, i) => ({ ip: `10.244.0.${10 + i}`, port: 8080 })),
        ...extra,
    };
}
export const config = { bridge: "nodelet0", clusterCIDR: "10.244.0.0/16", podCIDR: "10.244.0.0/24", serviceCIDR: "10.96.0.0/12", masqueradeMark: 0x4000 };
/** N services of 3 endpoints each, addresses derived from the index (the benchmark's shape). */
export function manyServices(n, changed = -1) {
    const services = [];
    for (let i = 0; i < n; i++) {
        const ip = `10.${96 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
        const eps = [0, 1, 2].map((j) => {
            const k = i * 3 + j + (i === changed && j === 2 ? 1_000_000 : 0);
            return { ip: `10.${128 + (k >> 16)}.${(k >> 8) & 255}.${k & 255}`, port: 8080 };
        });
        services.push({ ...entry(`svc-${String(i).padStart(5, "0")}`, ip, 0), endpoints: eps });
    }
    return { services };
}
//# sourceMappingURL=fixtures.js.map