/**
 * The environment variables the kubelet gives a pod for the Services of its namespace (enableServiceLinks,
 * pkg/kubelet/envvars FromServices): `NAME_SERVICE_HOST`, `NAME_SERVICE_PORT`, `NAME_SERVICE_PORT_PORTNAME`, and
 * the Docker-link style `NAME_PORT`, `NAME_PORT_80_TCP`, `_PROTO`, `_PORT`, `_ADDR`. Pure; services without a
 * cluster IP (headless, ExternalName) give none.
 */
import type { Service } from "../api/types.js";

function envName(s: string): string {
  return s.toUpperCase().replace(/-/g, "_");
}

/**
 * The services whose variables a pod in `namespace` gets (the kubelet's getServiceEnvVarMap): those of its namespace
 * when `enableServiceLinks`, and always the `kubernetes` Service of `default` (the API), which a same-named service
 * of the pod's own namespace overrides. `services` holds the pod's namespace's and default's.
 */
export function servicesForPod(services: Service[], namespace: string, enableServiceLinks: boolean): Service[] {
  const chosen = new Map<string, Service>();
  for (const s of services) {
    const name = s.metadata.name ?? "";
    const ns = s.metadata.namespace ?? "";
    if (ns === "default" && name === "kubernetes") {
      if (!chosen.has(name)) chosen.set(name, s);
    } else if (ns === namespace && enableServiceLinks) {
      chosen.set(name, s);
    }
  }
  return [...chosen.values()];
}

export function serviceEnvVars(services: Service[]): Record<string, string> {
  const env: Record<string, string> = {};
  const sorted = [...services].sort((a, b) => ((a.metadata.name ?? "") < (b.metadata.name ?? "") ? -1 : 1));
  for (const svc of sorted) {
    const host = svc.spec.clusterIP;
    const ports = svc.spec.ports ?? [];
    if (!host || host === "None" || svc.spec.type === "ExternalName" || ports.length === 0) continue;
    const name = envName(svc.metadata.name ?? "");
    env[`${name}_SERVICE_HOST`] = host;
    env[`${name}_SERVICE_PORT`] = String(ports[0].port);
    for (const p of ports) if (p.name) env[`${name}_SERVICE_PORT_${envName(p.name)}`] = String(p.port);
    ports.forEach((p, i) => {
      const proto = (p.protocol ?? "TCP").toLowerCase();
      const prefix = `${name}_PORT_${p.port}_${proto.toUpperCase()}`;
      if (i === 0) env[`${name}_PORT`] = `${proto}://${host}:${p.port}`;
      env[prefix] = `${proto}://${host}:${p.port}`;
      env[`${prefix}_PROTO`] = proto;
      env[`${prefix}_PORT`] = String(p.port);
      env[`${prefix}_ADDR`] = host;
    });
  }
  return env;
}
