/** Authentication pieces without a server: the token file's CSV, static tokens, client certificates, the chain. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AuthenticatorChain, type Authenticator } from "../../../src/auth/authenticator.js";
import { ClientCertAuthenticator } from "../../../src/auth/client-cert.js";
import { parseCsv, parseTokenFile, StaticTokenAuthenticator, TokenFileError } from "../../../src/auth/token-file.js";

describe("token file (kube-apiserver --token-auth-file CSV)", () => {
  it("reads token, user, uid and quoted groups", () => {
    const entries = parseTokenFile('t1,jane,1001,"dev,ops"\nt2,bob,1002\n', "f.csv");
    assert.deepEqual(entries, [
      { token: "t1", user: { name: "jane", uid: "1001", groups: ["dev", "ops"] } },
      { token: "t2", user: { name: "bob", uid: "1002", groups: [] } },
    ]);
  });

  it("skips blank lines, trims leading spaces, accepts CRLF and escaped quotes", () => {
    assert.deepEqual(parseCsv('\n a, "b ""q""",c\r\n\r\nd,e,f', "f"), [["a", 'b "q"', "c"], ["d", "e", "f"]]);
  });

  it("refuses a record with fewer than three columns, naming the file", () => {
    assert.throws(() => parseTokenFile("t1,jane\n", "/etc/tokens.csv"), (e: unknown) => e instanceof TokenFileError && e.message === "token file '/etc/tokens.csv' must have at least 3 columns (token, user name, user uid), found 2");
  });

  it("refuses an unterminated quote", () => {
    assert.throws(() => parseTokenFile('t1,jane,1,"dev\n', "f"), /extraneous or missing " in quoted-field/);
  });

  it("skips an empty token and lets a repeated token replace the earlier one, warning for each", () => {
    const warnings: string[] = [];
    const entries = parseTokenFile(",nobody,0\nt,first,1\nt,second,2\n", "f", (w) => warnings.push(w));
    assert.deepEqual(entries.map((e) => e.user.name), ["second"]);
    assert.deepEqual(warnings, ["empty token has been found in token file 'f', record number '1'", "duplicate token has been found in token file 'f', record number '3'"]);
  });

  it("authenticates exactly the listed tokens and has no opinion on others", () => {
    const a = new StaticTokenAuthenticator(parseTokenFile("secret,jane,7,admins\n", "f"));
    assert.deepEqual(a.authenticate({ token: "secret" }), { user: { name: "jane", uid: "7", groups: ["admins"] } });
    assert.equal(a.authenticate({ token: "secre" }), undefined);
    assert.equal(a.authenticate({}), undefined);
  });
});

describe("client certificates", () => {
  const a = new ClientCertAuthenticator();
  it("CN is the user, each O a group", () => {
    assert.deepEqual(a.authenticate({ clientCert: { verified: true, commonName: "jane", organizations: ["dev", "system:masters"], extKeyUsage: ["1.3.6.1.5.5.7.3.2"] } }), {
      user: { name: "jane", groups: ["dev", "system:masters"] },
    });
  });
  it("an unverified certificate or one for servers only is refused", () => {
    assert.ok("error" in (a.authenticate({ clientCert: { verified: false, error: "UNABLE_TO_VERIFY_LEAF_SIGNATURE", commonName: "x", organizations: [] } }) ?? {}));
    assert.ok("error" in (a.authenticate({ clientCert: { verified: true, commonName: "x", organizations: [], extKeyUsage: ["1.3.6.1.5.5.7.3.1"] } }) ?? {}));
  });
  it("no certificate: no opinion", () => assert.equal(a.authenticate({ token: "t" }), undefined));
  it("a certificate is judged at each request's time: expired (on a connection opened before) or not yet valid is refused", () => {
    const T = Date.parse("2026-12-08T00:10:00Z");
    const at = (now: number) => new ClientCertAuthenticator(() => now);
    const cert = { verified: true, commonName: "system:node:n1", organizations: ["system:nodes"], notBefore: T - 60_000, notAfter: T };
    assert.deepEqual(at(T).authenticate({ clientCert: cert }), { user: { name: "system:node:n1", groups: ["system:nodes"] } });
    assert.deepEqual(at(T + 1000).authenticate({ clientCert: cert }), { error: "x509: certificate has expired or is not yet valid: current time 2026-12-08T00:10:01Z is after 2026-12-08T00:10:00Z" });
    assert.deepEqual(at(T - 61_000).authenticate({ clientCert: cert }), { error: "x509: certificate has expired or is not yet valid: current time 2026-12-08T00:08:59Z is before 2026-12-08T00:09:00Z" });
  });
});

describe("the authenticator chain", () => {
  const refuse: Authenticator = { authenticate: (c) => (c.token ? { error: "bad token" } : undefined) };
  const jane: Authenticator = { authenticate: (c) => (c.token === "j" ? { user: { name: "jane", groups: ["dev"] } } : undefined) };
  it("the first user wins, with system:authenticated added once", () => {
    assert.deepEqual(new AuthenticatorChain([jane, refuse]).authenticate({ token: "j" }), { user: { name: "jane", groups: ["dev", "system:authenticated"] } });
  });
  it("a later authenticator can accept what an earlier one refused", () => {
    assert.equal((new AuthenticatorChain([refuse, jane]).authenticate({ token: "j" }) as { user: { name: string } }).user.name, "jane");
  });
  it("refusals are reported; no credentials at all is no user", () => {
    assert.deepEqual(new AuthenticatorChain([refuse, jane]).authenticate({ token: "x" }), { error: "bad token" });
    assert.equal(new AuthenticatorChain([refuse, jane]).authenticate({}), undefined);
  });
});
