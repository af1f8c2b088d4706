const CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
export class ClientCertAuthenticator {
    authenticate(creds) {
        const c = creds.clientCert;
        if (!c)
            return undefined;
        if (!c.verified)
            return { error: `x509: certificate signed by unknown authority or invalid (${c.error ?? "not verified"})` };
        if (c.extKeyUsage && !c.extKeyUsage.includes(CLIENT_AUTH))
            return { error: "x509: certificate specifies an incompatible key usage" };
        if (!c.commonName)
            return { error: "x509: certificate has no common name" };
        return { user: { name: c.commonName, groups: [...c.organizations] } };
    }
}
//# sourceMappingURL=client-cert.js.map