/**
 * A kubeconfig for kubectl (or any client-go program) that reaches the TCP listener: HTTPS with the node's CA (or
 * the serving certificate itself) as CA, and a client certificate and/or a bearer token. Written 0600, since the
 * credentials are a root credential.
 */
import { promises as fsp } from "node:fs";
import { dirname } from "node:path";
import { stringify } from "yaml";
export function renderKubeconfig(o) {
    const name = o.name ?? "nodelet";
    const context = { cluster: name, user: name };
    if (o.namespace)
        context.namespace = o.namespace;
    return stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name, cluster: { server: o.server, "certificate-authority-data": Buffer.from(o.caCert).toString("base64") } }],
        users: [{ name, user: userEntry(o) }],
        contexts: [{ name, context }],
        "current-context": name,
        preferences: {},
    });
}
function userEntry(o) {
    const user = {};
    if (o.clientCert && o.clientKey) {
        user["client-certificate-data"] = Buffer.from(o.clientCert).toString("base64");
        user["client-key-data"] = Buffer.from(o.clientKey).toString("base64");
    }
    if (o.token)
        user.token = o.token;
    return user;
}
/** Writes the kubeconfig to `path` (mode 0600, parent directories created). Returns its text. */
export async function writeKubeconfig(path, o) {
    const text = renderKubeconfig(o);
    await fsp.mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await fsp.writeFile(path, text, { mode: 0o600 });
    await fsp.chmod(path, 0o600);
    return text;
}
//# sourceMappingURL=kubeconfig.js.map