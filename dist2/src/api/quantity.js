/**
 * Kubernetes resource quantities ("500m", "64Mi", "1e3", "1.5G"), parsed exactly as
 * k8s.io/apimachinery/pkg/api/resource/quantity.go does: the value is kept as an exact integer count of
 * nano-units (rounded up, away from zero, to 1n as the API server does on parse), together with the format the
 * user wrote it in (decimal SI, binary SI or decimal exponent), which decides how it is printed back.
 *
 * Printing follows the API server's canonical form, which is what clients read back after a create:
 * "1000m" → "1", "0.5" → "500m", "1.5Gi" → "1536Mi", "2048Ki" → "2Mi", "1.5G" → "1500M".
 */
export const QUANTITY_REGEX = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$";
export const ERR_FORMAT_WRONG = `quantities must match the regular expression '${QUANTITY_REGEX}'`;
export const ERR_NUMERIC = "unable to parse numeric part of quantity";
export const ERR_SUFFIX = "unable to parse quantity's suffix";
/** A string that is not a quantity; `message` is the API server's wording. */
export class QuantityError extends Error {
    input;
    constructor(input, message) {
        super(message);
        this.input = input;
        this.name = "QuantityError";
    }
}
const NANO = 1000000000n;
const MAX_INT64 = (1n << 63n) - 1n;
/** Largest decimal exponent accepted ("1e1000"); Kubernetes has no limit but nothing real comes close. */
const MAX_EXPONENT = 1000;
const DECIMAL_SUFFIXES = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
/** Splits "-1.5Gi" into sign, digits before and after the point, and suffix; undefined if the shape is wrong. */
function split(s) {
    const m = /^([+-]?)([0-9]*)(?:\.([0-9]*))?([eEinumkKMGTP]*[-+]?[0-9]*)$/.exec(s);
    if (!m)
        return undefined;
    return { negative: m[1] === "-", whole: m[2], fraction: m[3] ?? "", suffix: m[4] };
}
function interpretSuffix(suffix) {
    if (suffix in DECIMAL_SUFFIXES)
        return { base: 10, exponent: DECIMAL_SUFFIXES[suffix], format: "DecimalSI" };
    if (suffix in BINARY_SUFFIXES)
        return { base: 2, exponent: BINARY_SUFFIXES[suffix], format: "BinarySI" };
    const m = /^[eE]([-+]?[0-9]+)$/.exec(suffix);
    if (m)
        return { base: 10, exponent: Number(m[1]), format: "DecimalExponent" };
    return undefined;
}
/** Divides rounding away from zero, the rounding the API applies when a value has more precision than 1n. */
function divRoundUp(n, d) {
    const q = n / d;
    return n % d === 0n ? q : n < 0n ? q - 1n : q + 1n;
}
/**
 * Parses a quantity. Numbers are accepted too (JSON `cpu: 2`), as the API server accepts them.
 * Throws QuantityError with the API server's message for garbage such as "5 cores".
 */
export function parseQuantity(input) {
    const s = typeof input === "number" ? numberToString(input) : input;
    const parts = split(s);
    if (s.length === 0 || !parts)
        throw new QuantityError(s, ERR_FORMAT_WRONG);
    if (s.includes(".") && parts.whole === "" && parts.fraction === "")
        throw new QuantityError(s, ERR_NUMERIC);
    const unit = interpretSuffix(parts.suffix);
    if (!unit)
        throw new QuantityError(s, ERR_SUFFIX);
    // Exponents this large describe no real resource and would make exact arithmetic explode: refuse them.
    if (Math.abs(unit.exponent) > MAX_EXPONENT)
        throw new QuantityError(s, ERR_NUMERIC);
    const digits = BigInt((parts.whole || "0") + parts.fraction);
    // value = digits × 10^-len(fraction) × base^exponent, expressed in nano-units.
    let num = digits * NANO;
    let den = 10n ** BigInt(parts.fraction.length);
    if (unit.base === 2)
        num *= 1n << BigInt(unit.exponent);
    else if (unit.exponent >= 0)
        num *= 10n ** BigInt(unit.exponent);
    else
        den *= 10n ** BigInt(-unit.exponent);
    let nanos = divRoundUp(num, den);
    let format = unit.format;
    if (format === "BinarySI" && nanos > MAX_INT64 * NANO)
        nanos = MAX_INT64 * NANO;
    // A binary quantity below one unit cannot be printed with a binary suffix; the API switches it to decimal.
    if (format === "BinarySI" && nanos > 0n && nanos < NANO)
        format = "DecimalSI";
    return { nanos: parts.negative ? -nanos : nanos, format };
}
function numberToString(n) {
    if (!Number.isFinite(n))
        return String(n);
    // Avoid "1e+21" style output for large integers; BigInt keeps every digit.
    return Number.isInteger(n) && Math.abs(n) >= 1e21 ? BigInt(n).toString() : String(n).replace("e+", "e");
}
/** Parses without throwing: the value, or the error message. */
export function tryParseQuantity(input) {
    try {
        return parseQuantity(input);
    }
    catch (e) {
        if (e instanceof QuantityError)
            return e.message;
        throw e;
    }
}
export function isQuantity(input) {
    return typeof tryParseQuantity(input) !== "string";
}
/** −1, 0 or 1, comparing values only (formats ignored). */
export function compareQuantity(a, b) {
    return a.nanos < b.nanos ? -1 : a.nanos > b.nanos ? 1 : 0;
}
function scaledRoundUp(q, unitNanos) {
    return divRoundUp(q.nanos, unitNanos);
}
/** Millicores (MilliValue): "250m" → 250, "0.5" → 500, "1n" → 1 (rounded up like Kubernetes). */
export function toMilli(q) {
    return Number(scaledRoundUp(q, 1000000n));
}
/** Whole units, rounded up (Value): bytes for memory and storage, "1Ki" → 1024, "0.5" → 1. */
export function toBytes(q) {
    return Number(scaledRoundUp(q, NANO));
}
/** Millicores of an optional CPU quantity ("100m" → 100, "0.5" → 500); undefined when unset. Throws on garbage. */
export function cpuMilli(q) {
    return q === undefined ? undefined : toMilli(parseQuantity(q));
}
/** Bytes of an optional memory or storage quantity ("64Mi" → 67108864); undefined when unset. Throws on garbage. */
export function memoryBytes(q) {
    return q === undefined ? undefined : toBytes(parseQuantity(q));
}
/** Alias of toBytes for quantities that are not bytes (Kubernetes' Quantity.Value). */
export const quantityValue = toBytes;
/** Rounds up to millis, as SetDefaults_ResourceList does for every resource list of a pod or claim. */
export function roundUpToMilli(q) {
    return { nanos: scaledRoundUp(q, 1000000n) * 1000000n, format: q.format };
}
/** Removes every factor `f` from n; returns the reduced value and how many factors were removed. */
function removeFactors(n, f) {
    let times = 0;
    while (n !== 0n && n % f === 0n) {
        n /= f;
        times++;
    }
    return [n, times];
}
const DECIMAL_BY_EXPONENT = new Map(Object.entries(DECIMAL_SUFFIXES).map(([s, e]) => [e, s]));
const BINARY_BY_EXPONENT = new Map(Object.entries(BINARY_SUFFIXES).map(([s, e]) => [e, s]));
/** Mantissa and exponent (a multiple of 3) of a decimal canonical form: 1500000000 → (1500, 6). */
function decimalCanonical(nanos) {
    let [mantissa, exponent] = removeFactors(nanos, 10n);
    exponent -= 9;
    while (exponent % 3 !== 0) {
        mantissa *= 10n;
        exponent--;
    }
    return [mantissa, exponent];
}
function formatDecimal(nanos, format) {
    const [mantissa, exponent] = decimalCanonical(nanos);
    if (format === "DecimalExponent")
        return exponent === 0 ? `${mantissa}` : `${mantissa}e${exponent}`;
    const suffix = DECIMAL_BY_EXPONENT.get(exponent);
    return suffix !== undefined ? `${mantissa}${suffix}` : `${mantissa}e${exponent}`;
}
function formatBinary(units) {
    let [mantissa, times] = removeFactors(units, 1024n);
    while (times > 6) {
        mantissa *= 1024n;
        times--;
    }
    return `${mantissa}${BINARY_BY_EXPONENT.get(times * 10) ?? ""}`;
}
/** The canonical string of a quantity, as the API server serializes it. */
export function formatQuantity(q) {
    if (q.nanos === 0n)
        return "0";
    if (q.format === "BinarySI") {
        const small = q.nanos > -1024n * NANO && q.nanos < 1024n * NANO;
        if (!small && q.nanos % NANO === 0n)
            return formatBinary(q.nanos / NANO);
        return formatDecimal(q.nanos, "DecimalSI");
    }
    return formatDecimal(q.nanos, q.format);
}
/** Parse-then-print: the string the API server stores for what the user wrote ("1000m" → "1"). */
export function canonicalQuantity(input) {
    return formatQuantity(parseQuantity(input));
}
/** Millicores in CPU notation: 250 → "250m", 2000 → "2", 1500 → "1500m". */
export function formatCPU(milli) {
    return formatQuantity({ nanos: BigInt(Math.round(milli)) * 1000000n, format: "DecimalSI" });
}
/** Bytes in memory notation: 67108864 → "64Mi", 10486784 → "10241Ki"; below 1Ki decimal ("1000" → "1k"). */
export function formatBytes(bytes) {
    return formatQuantity({ nanos: BigInt(Math.round(bytes)) * NANO, format: "BinarySI" });
}
//# sourceMappingURL=quantity.js.map