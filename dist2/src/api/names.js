/**
 * Name and string-format rules of the Kubernetes API, with its error messages
 * (k8s.io/apimachinery pkg/util/validation/validation.go). Each `is*` checker returns the list of problems, empty
 * when the value is valid, so callers can turn each message into a FieldError with the right path.
 * IP addresses and CIDRs are in ip.ts.
 */
const DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?";
const QUALIFIED_NAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const LABEL_VALUE_FMT = `(${QUALIFIED_NAME_FMT})?`;
const ENV_VAR_NAME_FMT = "[-._a-zA-Z][-._a-zA-Z0-9]*";
const CONFIG_MAP_KEY_FMT = "[-._a-zA-Z0-9]+";
const HTTP_HEADER_NAME_FMT = "[-A-Za-z0-9]+";
const anchored = (fmt) => new RegExp(`^(?:${fmt})$`);
const dns1123Label = anchored(DNS1123_LABEL_FMT);
const dns1123Subdomain = anchored(DNS1123_SUBDOMAIN_FMT);
const dns1035Label = anchored(DNS1035_LABEL_FMT);
const qualifiedName = anchored(QUALIFIED_NAME_FMT);
const labelValue = anchored(LABEL_VALUE_FMT);
const envVarName = anchored(ENV_VAR_NAME_FMT);
const configMapKey = anchored(CONFIG_MAP_KEY_FMT);
const httpHeaderName = anchored(HTTP_HEADER_NAME_FMT);
/** Length limits of names and label values. */
export const DNS1123_LABEL_MAX_LENGTH = 63;
export const DNS1123_SUBDOMAIN_MAX_LENGTH = 253;
export const LABEL_VALUE_MAX_LENGTH = 63;
/** Kubernetes' MaxLenError message. */
export function maxLenError(length) {
    return `must be no more than ${length} characters`;
}
/** Kubernetes' RegexError: the message, examples and the regex itself. */
export function regexError(msg, fmt, ...examples) {
    if (examples.length === 0)
        return `${msg} (regex used for validation is '${fmt}')`;
    const ex = examples.map((e) => `'${e}'`).join(" or ");
    return `${msg} (e.g. ${ex}, regex used for validation is '${fmt}')`;
}
/** Kubernetes' InclusiveRangeError message. */
export function inclusiveRangeError(lo, hi) {
    return `must be between ${lo} and ${hi}, inclusive`;
}
/** RFC 1123 label: container names, volume names, namespace names, hostnames. */
export function isDNS1123Label(value) {
    const errs = [];
    if (value.length > DNS1123_LABEL_MAX_LENGTH)
        errs.push(maxLenError(DNS1123_LABEL_MAX_LENGTH));
    if (!dns1123Label.test(value)) {
        if (dns1123Subdomain.test(value))
            errs.push("must not contain dots");
        else
            errs.push(regexError("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character", DNS1123_LABEL_FMT, "my-name", "123-abc"));
    }
    return errs;
}
/** RFC 1123 subdomain: most object names (pods, configmaps, nodes). */
export function isDNS1123Subdomain(value) {
    const errs = [];
    if (value.length > DNS1123_SUBDOMAIN_MAX_LENGTH)
        errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
    if (!dns1123Subdomain.test(value)) {
        errs.push(regexError("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character", DNS1123_SUBDOMAIN_FMT, "example.com"));
    }
    return errs;
}
/** RFC 1035 label: Service names (they become DNS names and must start with a letter). */
export function isDNS1035Label(value) {
    const errs = [];
    if (value.length > DNS1123_LABEL_MAX_LENGTH)
        errs.push(maxLenError(DNS1123_LABEL_MAX_LENGTH));
    if (!dns1035Label.test(value)) {
        errs.push(regexError("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character", DNS1035_LABEL_FMT, "my-name", "abc-123"));
    }
    return errs;
}
const QUALIFIED_NAME_ERR = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
/** A label key, annotation key or finalizer: an optional DNS subdomain prefix and `/`, then a name of ≤ 63 chars. */
export function isQualifiedName(value) {
    const errs = [];
    const parts = value.split("/");
    let name;
    if (parts.length === 1) {
        name = parts[0];
    }
    else if (parts.length === 2) {
        const prefix = parts[0];
        name = parts[1];
        if (prefix.length === 0)
            errs.push("prefix part must be non-empty");
        else
            errs.push(...isDNS1123Subdomain(prefix).map((m) => `prefix part ${m}`));
    }
    else {
        return [
            `a qualified name ${regexError(QUALIFIED_NAME_ERR, QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc")} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
        ];
    }
    if (name.length === 0)
        errs.push("name part must be non-empty");
    else if (name.length > 63)
        errs.push(`name part ${maxLenError(63)}`);
    if (!qualifiedName.test(name)) {
        errs.push(`name part ${regexError(QUALIFIED_NAME_ERR, QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc")}`);
    }
    return errs;
}
/** Label keys are qualified names. */
export const isLabelKey = isQualifiedName;
/** Annotation keys are qualified names, compared case-insensitively (the API lowercases before checking). */
export function isAnnotationKey(value) {
    return isQualifiedName(value.toLowerCase());
}
/** Label values: empty, or ≤ 63 alphanumerics, '-', '_' and '.' starting and ending alphanumeric. */
export function isLabelValue(value) {
    const errs = [];
    if (value.length > LABEL_VALUE_MAX_LENGTH)
        errs.push(maxLenError(LABEL_VALUE_MAX_LENGTH));
    if (!labelValue.test(value)) {
        errs.push(regexError("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character", LABEL_VALUE_FMT, "MyValue", "my_value", "12345"));
    }
    return errs;
}
/** IANA_SVC_NAME (RFC 6335): container port names and named target ports. */
export function isValidPortName(port) {
    const errs = [];
    if (port.length > 15)
        errs.push(maxLenError(15));
    if (!/^[-a-z0-9]+$/.test(port))
        errs.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
    if (!/[a-z]/.test(port))
        errs.push("must contain at least one letter (a-z)");
    if (port.includes("--"))
        errs.push("must not contain consecutive hyphens");
    if (port.length > 0 && (port.startsWith("-") || port.endsWith("-")))
        errs.push("must not begin or end with a hyphen");
    return errs;
}
/** Port numbers 1-65535. */
export function isValidPortNum(port) {
    return Number.isInteger(port) && port >= 1 && port <= 65535 ? [] : [inclusiveRangeError(1, 65535)];
}
/** lo ≤ value ≤ hi, with Kubernetes' range message. */
export function isInRange(value, lo, hi) {
    return value >= lo && value <= hi ? [] : [inclusiveRangeError(lo, hi)];
}
const MAX_ID = 2147483647;
/** User IDs 0-2147483647. */
export function isValidUserID(uid) {
    return isInRange(uid, 0, MAX_ID);
}
/** Group IDs 0-2147483647. */
export function isValidGroupID(gid) {
    return isInRange(gid, 0, MAX_ID);
}
function hasChDirPrefix(value) {
    if (value === ".")
        return ["must not be '.'"];
    if (value === "..")
        return ["must not be '..'"];
    if (value.startsWith(".."))
        return ["must not start with '..'"];
    return [];
}
/** Environment variable names (and envFrom prefixes). */
export function isEnvVarName(value) {
    const errs = [];
    if (!envVarName.test(value)) {
        errs.push(regexError("a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit", ENV_VAR_NAME_FMT, "my.env-name", "MY_ENV.NAME", "MyEnvName1"));
    }
    return [...errs, ...hasChDirPrefix(value)];
}
/** ConfigMap and Secret keys (they become file names in volumes). */
export function isConfigMapKey(value) {
    const errs = [];
    if (value.length > DNS1123_SUBDOMAIN_MAX_LENGTH)
        errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
    if (!configMapKey.test(value)) {
        errs.push(regexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'", CONFIG_MAP_KEY_FMT, "key.name", "KEY_NAME", "key-name"));
    }
    return [...errs, ...hasChDirPrefix(value)];
}
/** HTTP header names of probes. */
export function isHTTPHeaderName(value) {
    if (httpHeaderName.test(value))
        return [];
    return [regexError("a valid HTTP header must consist of alphanumeric characters or '-'", HTTP_HEADER_NAME_FMT, "X-Header-Name")];
}
/** Linux capabilities a container may add or drop (capabilities(7)), without the CAP_ prefix. */
const CAPABILITIES = new Set([
    "AUDIT_CONTROL", "AUDIT_READ", "AUDIT_WRITE", "BLOCK_SUSPEND", "BPF", "CHECKPOINT_RESTORE", "CHOWN",
    "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "IPC_LOCK", "IPC_OWNER", "KILL", "LEASE",
    "LINUX_IMMUTABLE", "MAC_ADMIN", "MAC_OVERRIDE", "MKNOD", "NET_ADMIN", "NET_BIND_SERVICE", "NET_BROADCAST",
    "NET_RAW", "PERFMON", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_ADMIN", "SYS_BOOT", "SYS_CHROOT",
    "SYS_MODULE", "SYS_NICE", "SYS_PACCT", "SYS_PTRACE", "SYS_RAWIO", "SYS_RESOURCE", "SYS_TIME",
    "SYS_TTY_CONFIG", "SYSLOG", "WAKE_ALARM",
]);
/**
 * Capability names. Kubernetes itself accepts any string and leaves the check to the runtime; nodelet is the
 * runtime, so it rejects names it could not apply. `ALL` and the `CAP_` prefixed forms are accepted.
 */
export function isCapabilityName(value) {
    const bare = value.startsWith("CAP_") ? value.slice(4) : value;
    if (value === "ALL" || CAPABILITIES.has(bare))
        return [];
    return ["must be a Linux capability name such as NET_ADMIN or CAP_NET_ADMIN (see capabilities(7)), or ALL"];
}
function maskTrailingDash(name) {
    // Same masking as apimachinery's maskTrailingDash: the last two characters become a single "a".
    return name.length > 1 && name.endsWith("-") ? `${name.slice(0, -2)}a` : name;
}
/** Name validators of ValidateObjectMeta, by kind: most kinds use subdomains, namespaces labels, Services RFC 1035 labels. */
export const nameIsDNSSubdomain = (n, prefix) => isDNS1123Subdomain(prefix ? maskTrailingDash(n) : n);
export const nameIsDNSLabel = (n, prefix) => isDNS1123Label(prefix ? maskTrailingDash(n) : n);
export const nameIsDNS1035Label = (n, prefix) => isDNS1035Label(prefix ? maskTrailingDash(n) : n);
/** Alphabet of generated name suffixes: no vowels (no accidental words), no look-alike characters. */
export const NAME_SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
const MAX_GENERATED_BASE = 58; // 63 - 5 random characters
/**
 * Name from `metadata.generateName`, as the API server's SimpleNameGenerator builds it: the base cut to 58
 * characters plus 5 random characters. `random` returns numbers in [0, 1) (injectable for tests).
 */
export function generateName(base, random = Math.random) {
    const cut = base.length > MAX_GENERATED_BASE ? base.slice(0, MAX_GENERATED_BASE) : base;
    let suffix = "";
    for (let i = 0; i < 5; i++) {
        suffix += NAME_SUFFIX_ALPHABET[Math.floor(random() * NAME_SUFFIX_ALPHABET.length)];
    }
    return cut + suffix;
}
//# sourceMappingURL=names.js.map