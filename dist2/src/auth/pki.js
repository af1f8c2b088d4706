/**
 * The node's certificate authority and the certificates it signs, made with the openssl CLI through the Runner (so
 * each step is recorded like every other host command):
 * - `ca.crt`/`ca.key`: the CA (EC P-256, 10 years). Clients trust it (kubeconfig, the `kube-root-ca.crt` ConfigMap
 *   in every namespace) and the TLS listener verifies client certificates against it.
 * - the serving certificate (`apiserver.crt`), for every name and address clients use, the `kubernetes` Service's
 *   IP and DNS names included; remade when it lacks a name or nears expiry.
 * - client certificates: CN = user, one O per group (`admin.crt` has O=system:masters).
 * Keys never reach argv: openssl writes them to files under a 0700 directory, and they are made 0600.
 */
import { X509Certificate } from "node:crypto";
import { promises as fsp } from "node:fs";
import { isIP } from "node:net";
import { join } from "node:path";
const EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
async function readPair(dir, base) {
    try {
        return { cert: await fsp.readFile(join(dir, `${base}.crt`), "utf8"), key: await fsp.readFile(join(dir, `${base}.key`), "utf8") };
    }
    catch {
        return undefined;
    }
}
function validFor(pem, days) {
    try {
        const x = new X509Certificate(pem);
        return Date.parse(x.validTo) > Date.now() + days * 86_400_000 ? x : undefined;
    }
    catch {
        return undefined;
    }
}
/** One `/O=g/.../CN=user` subject, with `/` and `\` in values escaped as openssl's -subj expects. */
export function subjectOf(cn, organizations = []) {
    const esc = (v) => v.replace(/[\\/]/g, (c) => `\\${c}`);
    return [...organizations.map((o) => `/O=${esc(o)}`), `/CN=${esc(cn)}`].join("");
}
/** Makes (or reuses) the CA under `dir`. */
export async function ensureCA(dir, runner) {
    const have = await readPair(dir, "ca");
    if (have && validFor(have.cert, 30))
        return have;
    await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
    await runner.run(["openssl", "req", "-x509", ...EC, "-keyout", join(dir, "ca.key"), "-out", join(dir, "ca.crt"), "-days", "3650", "-subj", "/CN=nodelet-ca",
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign,digitalSignature"], { owner: "node" });
    await fsp.chmod(join(dir, "ca.key"), 0o600);
    const made = await readPair(dir, "ca");
    if (!made)
        throw new Error(`openssl did not write ${dir}/ca.crt and ca.key`);
    return made;
}
/** Signs a certificate with the CA (kept under `opts.dir`); reused while valid for 30 days and, for servers, naming every host. */
export async function issueCert(runner, opts) {
    const { dir, name } = opts;
    const have = await readPair(dir, name);
    const x = have && validFor(have.cert, 30);
    if (have && x && signedByCA(x, await fsp.readFile(join(dir, "ca.crt"), "utf8")) && (opts.usage === "client" || namesAll(x, opts.usage.server)))
        return have;
    const ext = opts.usage === "client"
        ? "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n"
        : `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=${opts.usage.server.map((h) => (isIP(h) ? `IP:${h}` : `DNS:${h}`)).join(",")}\n`;
    const extFile = join(dir, `${name}.ext`);
    const csr = join(dir, `${name}.csr`);
    await fsp.writeFile(extFile, ext, { mode: 0o600 });
    try {
        await runner.run(["openssl", "req", "-new", ...EC, "-keyout", join(dir, `${name}.key`), "-out", csr, "-subj", subjectOf(opts.commonName, opts.organizations)], { owner: "node" });
        await runner.run(["openssl", "x509", "-req", "-in", csr, "-CA", join(dir, "ca.crt"), "-CAkey", join(dir, "ca.key"), "-CAcreateserial", "-CAserial", join(dir, "ca.srl"),
            "-out", join(dir, `${name}.crt`), "-days", String(opts.days ?? 365), "-extfile", extFile], { owner: "node" });
    }
    finally {
        await fsp.rm(extFile, { force: true });
        await fsp.rm(csr, { force: true });
    }
    await fsp.chmod(join(dir, `${name}.key`), 0o600);
    const made = await readPair(dir, name);
    if (!made)
        throw new Error(`openssl did not write ${dir}/${name}.crt and ${name}.key`);
    return made;
}
/** False for a certificate the CA did not sign (one left from before the node had a CA: self-signed). */
function signedByCA(x, caPem) {
    try {
        const ca = new X509Certificate(caPem);
        return x.checkIssued(ca) && x.verify(ca.publicKey);
    }
    catch {
        return false;
    }
}
function namesAll(x, hosts) {
    const names = (x.subjectAltName ?? "").split(",").map((s) => s.trim().replace(/^IP Address:/, "").replace(/^DNS:/, ""));
    return hosts.every((h) => names.includes(h));
}
/** The CA, the serving certificate for `hosts` (127.0.0.1 and localhost always) and the admin client certificate. */
export async function ensureNodePki(dir, hosts, runner) {
    const ca = await ensureCA(dir, runner);
    const all = [...new Set(["127.0.0.1", "localhost", ...hosts])];
    const serving = await issueCert(runner, { dir, name: "apiserver", commonName: "nodelet-apiserver", usage: { server: all }, days: 3650 });
    const admin = await issueCert(runner, { dir, name: "admin", commonName: "nodelet-admin", organizations: ["system:masters"], usage: "client" });
    return { ca, serving, admin };
}
//# sourceMappingURL=pki.js.map