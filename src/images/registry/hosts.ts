/**
 * Where the node fetches a registry's content from, in the spirit of containerd's hosts.toml: per registry host, a list
 * of mirrors tried in order and then the registry itself; which hosts speak plain HTTP; extra CA certificates.
 *
 * The file (`--registries-config PATH`, default ROOT/registries.json when it exists) is JSON:
 *
 *   { "registries": {
 *       "docker.io":          { "mirrors": ["http://127.0.0.1:5000", "mirror.example.com"] },
 *       "registry.internal":  { "ca": "/etc/nodelet/internal-ca.pem" },
 *       "10.0.0.5:5000":      { "insecure": true } } }
 *
 * Rules: a mirror written with a scheme uses it (http:// is an explicit choice of plain HTTP); without one, and for
 * the registry itself, HTTPS is used unless the host is insecure: listed by `--insecure-registry HOST[:PORT]`, marked
 * `"insecure": true`, or a loopback address (localhost, 127.0.0.0/8, ::1), as Docker treats them: HTTPS first with
 * its certificate unchecked, plain HTTP when the host does not speak TLS (Endpoint.httpsFirst). Docker Hub's API is
 * served by registry-1.docker.io. Pushes go to the registry itself, never to a mirror (containerd's default).
 */
import { DOCKER_HUB } from "../reference.js";

export interface RegistryHostConfig {
  mirrors?: string[];
  insecure?: boolean;
  /** Path of a PEM bundle trusted in addition to the system CAs for this host. */
  ca?: string;
}

export interface RegistriesConfig {
  registries: Record<string, RegistryHostConfig>;
}

/** One place to send requests for a registry: a mirror or the registry itself. */
export interface Endpoint {
  /** "https://host:port" (no path). */
  url: string;
  /** The host[:port] the URL points at, as credentials are keyed. */
  host: string;
  mirror: boolean;
  /** PEM bundle paths trusted for this endpoint beyond the system CAs. */
  ca: string[];
  /**
   * An insecure host named without a scheme (url is then http://): HTTPS is tried first, its certificate unchecked,
   * and plain HTTP only when the host does not speak TLS — Docker's rule for insecure registries (client.ts settles it).
   */
  httpsFirst?: boolean;
  /** HTTPS to an insecure host: the certificate is not verified (as Docker does for insecure registries). */
  insecureTls?: boolean;
}

const DOCKER_HUB_API = "registry-1.docker.io";
const MAX_MIRRORS = 16;

/** Parses and validates the file's text; errors name the field (`registries["docker.io"].mirrors[1]: …`). */
export function parseRegistriesConfig(text: string, origin: string): RegistriesConfig {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new Error(`${origin}: not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  if (!isObject(doc)) throw new Error(`${origin}: must be a JSON object`);
  for (const k of Object.keys(doc)) if (k !== "registries") throw new Error(`${origin}: unknown field "${k}" (expected "registries")`);
  const regs = doc.registries ?? {};
  if (!isObject(regs)) throw new Error(`${origin}: registries must be an object of host → settings`);
  const out: RegistriesConfig = { registries: {} };
  for (const [host, raw] of Object.entries(regs)) {
    const where = `${origin}: registries["${host}"]`;
    if (!HOST_RE.test(host)) throw new Error(`${where}: "${host}" is not a HOST or HOST:PORT`);
    if (!isObject(raw)) throw new Error(`${where} must be an object`);
    const cfg: RegistryHostConfig = {};
    for (const [k, v] of Object.entries(raw)) {
      if (k === "mirrors") {
        if (!Array.isArray(v) || v.length > MAX_MIRRORS) throw new Error(`${where}.mirrors must be an array of at most ${MAX_MIRRORS} URLs`);
        cfg.mirrors = v.map((m, i) => {
          if (typeof m !== "string") throw new Error(`${where}.mirrors[${i}] must be a string`);
          parseEndpointUrl(m, `${where}.mirrors[${i}]`, false);
          return m;
        });
      } else if (k === "insecure") {
        if (typeof v !== "boolean") throw new Error(`${where}.insecure must be true or false`);
        cfg.insecure = v;
      } else if (k === "ca") {
        if (typeof v !== "string" || !v.startsWith("/")) throw new Error(`${where}.ca must be an absolute path`);
        cfg.ca = v;
      } else {
        throw new Error(`${where}: unknown field "${k}" (expected mirrors, insecure, ca)`);
      }
    }
    out.registries[normalizeHost(host)] = cfg;
  }
  return out;
}

const HOST_RE = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::\d{1,5})?$/;

/** Whether a host[:port] is a loopback address (Docker's default insecure set). */
export function isLoopback(host: string): boolean {
  const name = host.replace(/:\d+$/, "").replace(/^\[(.*)\]$/, "$1").toLowerCase();
  return name === "localhost" || name === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

/** Decides endpoints for registry hosts from the config file, the --insecure-registry flags and --registry-ca. */
export class RegistryHosts {
  private readonly insecure: Set<string>;

  constructor(
    private readonly config: RegistriesConfig = { registries: {} },
    insecureRegistries: string[] = [],
    private readonly globalCa: string[] = [],
  ) {
    for (const h of insecureRegistries) if (!HOST_RE.test(h)) throw new Error(`--insecure-registry: "${h}" is not a HOST or HOST:PORT`);
    this.insecure = new Set(insecureRegistries.map(normalizeHost));
  }

  isInsecure(host: string): boolean {
    const h = normalizeHost(host);
    return this.insecure.has(h) || this.insecure.has(h.replace(/:\d+$/, "")) || this.config.registries[h]?.insecure === true || isLoopback(h);
  }

  /** Mirrors in order, then the registry itself (for pulls). */
  pullEndpoints(registry: string): Endpoint[] {
    const reg = normalizeHost(registry);
    const mirrors = (this.config.registries[reg]?.mirrors ?? []).map((m) => this.endpoint(m, true));
    return [...mirrors, this.pushEndpoint(registry)];
  }

  /** The registry itself. */
  pushEndpoint(registry: string): Endpoint {
    const reg = normalizeHost(registry);
    return this.endpoint(reg === DOCKER_HUB ? DOCKER_HUB_API : reg, false, reg);
  }

  private endpoint(spec: string, mirror: boolean, configKey?: string): Endpoint {
    const { scheme, host } = parseEndpointUrl(spec, mirror ? "mirror" : "registry", true);
    const key = configKey ?? host;
    const insecure = this.isInsecure(key) || this.isInsecure(host);
    const useScheme = scheme ?? (insecure ? "http" : "https");
    const ca = [...this.globalCa, ...(this.config.registries[key]?.ca ? [this.config.registries[key].ca] : [])];
    return { url: `${useScheme}://${host}`, host, mirror, ca, ...(scheme === undefined && insecure ? { httpsFirst: true } : {}) };
  }
}

function parseEndpointUrl(spec: string, where: string, trusted: boolean): { scheme?: "http" | "https"; host: string } {
  const m = /^(?:(https?):\/\/)?([^/]+)\/?$/i.exec(spec);
  if (!m || !HOST_RE.test(m[2])) {
    if (trusted) throw new Error(`${where} "${spec}" is not [http[s]://]HOST[:PORT]`);
    throw new Error(`${where}: "${spec}" must be [http[s]://]HOST[:PORT] (no path)`);
  }
  return { ...(m[1] ? { scheme: m[1].toLowerCase() as "http" | "https" } : {}), host: normalizeHost(m[2]) };
}

function normalizeHost(h: string): string {
  const lower = h.toLowerCase();
  return lower === "index.docker.io" ? DOCKER_HUB : lower;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
