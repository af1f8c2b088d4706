/**
 * `WWW-Authenticate` challenges (RFC 7235 §4.1 as registries send them): `Bearer realm="…",service="…",scope="…"` and
 * `Basic realm="…"`. Quoted strings may hold commas and backslash escapes; several challenges may share one header.
 */
const TOKEN = /[!#$%&'*+\-.^_`|~0-9A-Za-z]+/y;
/** Every challenge in the header values, in order; unparseable remainders are ignored (a challenge is advisory). */
export function parseChallenges(headers) {
    const values = headers === undefined ? [] : Array.isArray(headers) ? headers : [headers];
    const out = [];
    for (const value of values) {
        let i = 0;
        let current;
        const skipWs = () => {
            while (i < value.length && (value[i] === " " || value[i] === "\t"))
                i++;
        };
        const token = () => {
            TOKEN.lastIndex = i;
            const m = TOKEN.exec(value);
            if (!m)
                return undefined;
            i = TOKEN.lastIndex;
            return m[0];
        };
        while (i < value.length) {
            skipWs();
            if (value[i] === ",") {
                i++;
                continue;
            }
            const start = i;
            const word = token();
            if (word === undefined)
                break;
            skipWs();
            if (value[i] === "=" && current) {
                i++;
                skipWs();
                const v = value[i] === '"' ? quoted() : (token() ?? "");
                current.params[word.toLowerCase()] = v;
                continue;
            }
            if (i === start)
                break;
            current = { scheme: word.toLowerCase(), params: {} };
            out.push(current);
        }
        function quoted() {
            let s = "";
            i++; // opening quote
            while (i < value.length && value[i] !== '"') {
                if (value[i] === "\\" && i + 1 < value.length)
                    i++;
                s += value[i++];
            }
            i++; // closing quote
            return s;
        }
    }
    return out;
}
//# sourceMappingURL=challenge.js.map