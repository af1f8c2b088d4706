function envName(s) {
    return s.toUpperCase().replace(/-/g, "_");
}
export function serviceEnvVars(services) {
    const env = {};
    const sorted = [...services].sort((a, b) => ((a.metadata.name ?? "") < (b.metadata.name ?? "") ? -1 : 1));
    for (const svc of sorted) {
        const host = svc.spec.clusterIP;
        const ports = svc.spec.ports ?? [];
        if (!host || host === "None" || svc.spec.type === "ExternalName" || ports.length === 0)
            continue;
        const name = envName(svc.metadata.name ?? "");
        env[`${name}_SERVICE_HOST`] = host;
        env[`${name}_SERVICE_PORT`] = String(ports[0].port);
        for (const p of ports)
            if (p.name)
                env[`${name}_SERVICE_PORT_${envName(p.name)}`] = String(p.port);
        ports.forEach((p, i) => {
            const proto = (p.protocol ?? "TCP").toLowerCase();
            const prefix = `${name}_PORT_${p.port}_${proto.toUpperCase()}`;
            if (i === 0)
                env[`${name}_PORT`] = `${proto}://${host}:${p.port}`;
            env[prefix] = `${proto}://${host}:${p.port}`;
            env[`${prefix}_PROTO`] = proto;
            env[`${prefix}_PORT`] = String(p.port);
            env[`${prefix}_ADDR`] = host;
        });
    }
    return env;
}
//# sourceMappingURL=service-env.js.map