/** Metrics API quantities as `top` and `describe` print them: CPU in whole millicores, memory in whole MiB. */
/** CPU quantity → millicores (n, u, m or cores). */
export function milliExact(q) {
    const m = /^([\d.]+)([num]?)$/.exec(q);
    if (!m)
        return 0;
    const v = Number(m[1]);
    return m[2] === "n" ? v / 1e6 : m[2] === "u" ? v / 1e3 : m[2] === "m" ? v : v * 1000;
}
export function milli(q) {
    return Math.ceil(milliExact(q));
}
/** Memory quantity → bytes (Ki, Mi, Gi or plain). */
export function bytes(q) {
    const m = /^([\d.]+)(Ki|Mi|Gi|k|M|G)?$/.exec(q);
    if (!m)
        return 0;
    const mult = { Ki: 1024, Mi: 1048576, Gi: 1073741824, k: 1e3, M: 1e6, G: 1e9 };
    return Number(m[1]) * (m[2] ? mult[m[2]] : 1);
}
export function mebi(q) {
    return Math.floor(bytes(q) / 1048576);
}
//# sourceMappingURL=metrics-format.js.map