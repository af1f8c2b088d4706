/**
 * Static bearer tokens, in the kube-apiserver `--token-auth-file` format: a CSV file with at least three columns
 * `token,user,uid` and an optional fourth, the groups, quoted when there are several: `t0k3n,jane,1001,"dev,ops"`.
 * As upstream (pkg/authentication/token/tokenfile): fewer than three columns is an error naming the record, an empty
 * token is skipped, a repeated token replaces the earlier one.
 *
 * Tokens are looked up by their SHA-256, so lookup time does not depend on how much of a token matches.
 */
import { createHash } from "node:crypto";
/** The token file is read whole; a bigger one is refused rather than parsed. */
const MAX_FILE = 4 * 1024 * 1024;
export class TokenFileError extends Error {
}
/** Parses the CSV text of a token file. `source` names it in errors and warnings. */
export function parseTokenFile(text, source, warn = () => undefined) {
    if (text.length > MAX_FILE)
        throw new TokenFileError(`token file '${source}' is larger than ${MAX_FILE} bytes`);
    const out = new Map();
    let n = 0;
    for (const record of parseCsv(text.replace(/^\uFEFF/, ""), source)) {
        if (record.length < 3) {
            throw new TokenFileError(`token file '${source}' must have at least 3 columns (token, user name, user uid), found ${record.length}`);
        }
        n++;
        const [token, name, uid, groups] = record;
        if (!token) {
            warn(`empty token has been found in token file '${source}', record number '${n}'`);
            continue;
        }
        if (out.has(token))
            warn(`duplicate token has been found in token file '${source}', record number '${n}'`);
        out.set(token, { token, user: { name, uid, groups: groups !== undefined ? groups.split(",") : [] } });
    }
    return [...out.values()];
}
/** RFC 4180 CSV as Go's encoding/csv reads it with TrimLeadingSpace: quoted fields, "" escapes, blank lines skipped. */
export function parseCsv(text, source) {
    const records = [];
    let line = 1;
    let i = 0;
    while (i < text.length) {
        const record = [];
        for (;;) {
            while (text[i] === " " || text[i] === "\t")
                i++;
            let field = "";
            if (text[i] === '"') {
                i++;
                for (;;) {
                    if (i >= text.length)
                        throw new TokenFileError(`token file '${source}': line ${line}: extraneous or missing " in quoted-field`);
                    if (text[i] === '"') {
                        if (text[i + 1] === '"') {
                            field += '"';
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    if (text[i] === "\n")
                        line++;
                    field += text[i++];
                }
                if (i < text.length && text[i] !== "," && text[i] !== "\n" && text[i] !== "\r") {
                    throw new TokenFileError(`token file '${source}': line ${line}: extraneous or missing " in quoted-field`);
                }
            }
            else {
                while (i < text.length && text[i] !== "," && text[i] !== "\n")
                    field += text[i++];
                field = field.replace(/\r$/, "");
            }
            record.push(field);
            if (text[i] === "\r")
                i++;
            if (text[i] === ",") {
                i++;
                continue;
            }
            break;
        }
        if (text[i] === "\n")
            i++;
        line++;
        if (!(record.length === 1 && record[0] === ""))
            records.push(record);
    }
    return records;
}
function digest(token) {
    return createHash("sha256").update(token).digest("hex");
}
/** Authenticates bearer tokens from a fixed table (the token file, and the node's admin token). */
export class StaticTokenAuthenticator {
    byDigest = new Map();
    constructor(entries) {
        for (const e of entries)
            this.byDigest.set(digest(e.token), e.user);
    }
    authenticate(creds) {
        if (creds.token === undefined)
            return undefined;
        const user = this.byDigest.get(digest(creds.token));
        // A token this table does not hold may be another authenticator's (a ServiceAccount JWT): no opinion.
        return user ? { user: { ...user, groups: [...user.groups] } } : undefined;
    }
}
//# sourceMappingURL=token-file.js.map