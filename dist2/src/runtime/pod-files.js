/** The pod's hostname: spec.hostname or the pod name, truncated to 63 characters as the kubelet does. */
export function podHostname(pod, clusterDomain = "cluster.local") {
    const base = (pod.spec.hostname || pod.metadata.name || "").slice(0, 63).replace(/[-.]+$/, "");
    if (pod.spec.setHostnameAsFQDN && pod.spec.subdomain) {
        return `${base}.${pod.spec.subdomain}.${pod.metadata.namespace}.svc.${clusterDomain}`;
    }
    return base;
}
/** /etc/hosts as the kubelet manages it, with the pod's own name → IP line once the IP is known. */
export function renderHostsFile(pod, podIPs, clusterDomain = "cluster.local", hostHosts) {
    const lines = [];
    if (pod.spec.hostNetwork && hostHosts !== undefined) {
        lines.push(hostHosts.trimEnd());
    }
    else {
        lines.push("# Kubernetes-managed hosts file.", "127.0.0.1\tlocalhost", "::1\tlocalhost ip6-localhost ip6-loopback", "fe00::0\tip6-localnet", "fe00::0\tip6-mcastprefix", "fe00::1\tip6-allnodes", "fe00::2\tip6-allrouters");
        const hostname = podHostname({ ...pod, spec: { ...pod.spec, setHostnameAsFQDN: false } });
        for (const ip of podIPs) {
            if (pod.spec.subdomain) {
                lines.push(`${ip}\t${hostname}.${pod.spec.subdomain}.${pod.metadata.namespace}.svc.${clusterDomain}\t${hostname}`);
            }
            else {
                lines.push(`${ip}\t${hostname}`);
            }
        }
    }
    if (pod.spec.hostAliases?.length) {
        lines.push("", "# Entries added by HostAliases.");
        for (const alias of pod.spec.hostAliases)
            lines.push(`${alias.ip}\t${alias.hostnames.join("\t")}`);
    }
    return `${lines.join("\n")}\n`;
}
function parseResolvConf(text) {
    const out = { nameservers: [], searches: [], options: [] };
    for (const raw of text.split("\n")) {
        const fields = raw.replace(/[#;].*$/, "").trim().split(/\s+/).filter(Boolean);
        if (fields[0] === "nameserver" && fields[1])
            out.nameservers.push(fields[1]);
        else if (fields[0] === "search" || fields[0] === "domain")
            out.searches = fields.slice(1);
        else if (fields[0] === "options")
            out.options.push(...fields.slice(1));
    }
    return out;
}
/** /etc/resolv.conf for the pod's dnsPolicy and dnsConfig. */
export function renderResolvConf(pod, dns) {
    const policy = pod.spec.dnsPolicy ?? "ClusterFirst";
    const useCluster = dns.clusterDNS.length > 0 &&
        (policy === "ClusterFirstWithHostNet" || (policy === "ClusterFirst" && !pod.spec.hostNetwork));
    let conf;
    if (policy === "None") {
        conf = { nameservers: [], searches: [], options: [] };
    }
    else if (useCluster) {
        const ns = pod.metadata.namespace ?? "default";
        const d = dns.clusterDomain;
        const host = parseResolvConf(dns.hostResolvConf);
        conf = {
            nameservers: [...dns.clusterDNS],
            searches: [`${ns}.svc.${d}`, `svc.${d}`, d, ...host.searches],
            options: ["ndots:5"],
        };
    }
    else {
        conf = parseResolvConf(dns.hostResolvConf);
    }
    const extra = pod.spec.dnsConfig;
    if (extra) {
        conf.nameservers.push(...(extra.nameservers ?? []));
        conf.searches.push(...(extra.searches ?? []));
        for (const o of extra.options ?? []) {
            conf.options = conf.options.filter((x) => x.split(":")[0] !== o.name);
            conf.options.push(o.value !== undefined ? `${o.name}:${o.value}` : o.name);
        }
    }
    // glibc reads at most 3 nameservers and 32 search domains; the kubelet trims the same way.
    const lines = [];
    if (conf.searches.length)
        lines.push(`search ${[...new Set(conf.searches)].slice(0, 32).join(" ")}`);
    for (const n of conf.nameservers.slice(0, 3))
        lines.push(`nameserver ${n}`);
    if (conf.options.length)
        lines.push(`options ${conf.options.join(" ")}`);
    return `${lines.join("\n")}\n`;
}
//# sourceMappingURL=pod-files.js.map