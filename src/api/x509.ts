/**
 * PKCS#10 certificate signing requests and the certificates issued for them, in DER (der.ts) with node:crypto's
 * keys and signatures — Node has an X509Certificate reader but nothing for requests, and the signer needs exact
 * validity times (to the second, for expirationSeconds) that the openssl CLI's `-days` cannot give.
 * - parseCsr: subject (CN, O), subjectAltNames, the public key and the signature check (x509.ParseCertificateRequest
 *   and CheckSignature).
 * - createCsr: the request a joining node sends (its key never leaves it).
 * - issueCertificate: Go's x509.CreateCertificate for a request under a CA, as the apiserver-client signers fill it.
 */
import { isIPv4, isIPv6 } from "node:net";
import { createPublicKey, randomBytes, sign, verify, X509Certificate, type KeyObject } from "node:crypto";
import { bitString, children, decodeOid, DerError, name, oid, pem, pemBlock, readTlv, seq, TAG, time, tlv, uint, type Tlv } from "./der.js";

const OID = {
  commonName: "2.5.4.3",
  organization: "2.5.4.10",
  extensionRequest: "1.2.840.113549.1.9.14",
  subjectAltName: "2.5.29.17",
  keyUsage: "2.5.29.15",
  extKeyUsage: "2.5.29.37",
  basicConstraints: "2.5.29.19",
  authorityKeyId: "2.5.29.35",
  subjectKeyId: "2.5.29.14",
  ecdsaSha256: "1.2.840.10045.4.3.2",
  ecdsaSha384: "1.2.840.10045.4.3.3",
  ecdsaSha512: "1.2.840.10045.4.3.4",
  rsaSha256: "1.2.840.113549.1.1.11",
  rsaSha384: "1.2.840.113549.1.1.12",
  rsaSha512: "1.2.840.113549.1.1.13",
  ed25519: "1.3.101.112",
} as const;

const SIGNATURE_HASH: Record<string, string | null> = {
  [OID.ecdsaSha256]: "sha256",
  [OID.ecdsaSha384]: "sha384",
  [OID.ecdsaSha512]: "sha512",
  [OID.rsaSha256]: "sha256",
  [OID.rsaSha384]: "sha384",
  [OID.rsaSha512]: "sha512",
  [OID.ed25519]: null,
};

export interface ParsedCsr {
  commonName: string;
  organizations: string[];
  dnsNames: string[];
  ipAddresses: string[];
  emailAddresses: string[];
  uris: string[];
  /** The subject Name as encoded (copied into the certificate). */
  subjectDer: Buffer;
  /** SubjectPublicKeyInfo as encoded. */
  publicKeyDer: Buffer;
  /** The subjectAltName extension's value as requested, copied into the certificate. */
  sanDer?: Buffer;
  /** Whether the request's signature verifies with its own key (CheckSignature). */
  signatureValid: boolean;
}

export class CsrError extends Error {}

function nameAttributes(nameTlv: Tlv): [string, string][] {
  const out: [string, string][] = [];
  for (const rdn of children(nameTlv.value)) {
    for (const atv of children(rdn.value)) {
      const [type, value] = children(atv.value);
      if (!type || !value || type.tag !== TAG.OID) throw new DerError("malformed name");
      out.push([decodeOid(type.value), value.value.toString(value.tag === 0x1e ? "utf16le" : "utf8")]);
    }
  }
  return out;
}

/** GeneralNames of a subjectAltName value. */
function altNames(value: Buffer): Pick<ParsedCsr, "dnsNames" | "ipAddresses" | "emailAddresses" | "uris"> {
  const out = { dnsNames: [] as string[], ipAddresses: [] as string[], emailAddresses: [] as string[], uris: [] as string[] };
  for (const n of children(readTlv(value).value)) {
    const v = n.value;
    switch (n.tag) {
      case 0x81:
        out.emailAddresses.push(v.toString("ascii"));
        break;
      case 0x82:
        out.dnsNames.push(v.toString("ascii"));
        break;
      case 0x86:
        out.uris.push(v.toString("ascii"));
        break;
      case 0x87:
        out.ipAddresses.push(ipText(v));
        break;
    }
  }
  return out;
}

/** Parses a PEM `CERTIFICATE REQUEST`; throws CsrError with upstream's wording for what is not one. */
export function parseCsr(pemText: string): ParsedCsr {
  const der = pemBlock(pemText, "CERTIFICATE REQUEST");
  if (!der) throw new CsrError("PEM block type must be CERTIFICATE REQUEST");
  try {
    const outer = readTlv(der);
    const [info, algorithm, signature] = children(outer.value);
    if (outer.tag !== TAG.SEQUENCE || !info || !algorithm || !signature || signature.tag !== TAG.BIT_STRING) throw new DerError("malformed certificate request");
    const [version, subject, spki, attrs] = children(info.value);
    if (!version || version.tag !== TAG.INTEGER || !subject || !spki || spki.tag !== TAG.SEQUENCE) throw new DerError("malformed certificate request info");
    const names = nameAttributes(subject);
    const out: ParsedCsr = {
      commonName: names.find(([o]) => o === OID.commonName)?.[1] ?? "",
      organizations: names.filter(([o]) => o === OID.organization).map(([, v]) => v),
      dnsNames: [],
      ipAddresses: [],
      emailAddresses: [],
      uris: [],
      subjectDer: subject.raw,
      publicKeyDer: spki.raw,
      signatureValid: false,
    };
    for (const attr of attrs && attrs.tag === 0xa0 ? children(attrs.value) : []) {
      const [type, values] = children(attr.value);
      if (decodeOid(type.value) !== OID.extensionRequest) continue;
      for (const exts of children(values.value)) {
        for (const ext of children(exts.value)) {
          const parts = children(ext.value);
          if (decodeOid(parts[0].value) !== OID.subjectAltName) continue;
          const value = parts[parts.length - 1].value;
          out.sanDer = value;
          Object.assign(out, altNames(value));
        }
      }
    }
    const key = createPublicKey({ key: spki.raw, format: "der", type: "spki" });
    const algOid = decodeOid(children(algorithm.value)[0].value);
    const hash = SIGNATURE_HASH[algOid];
    if (hash !== undefined) {
      try {
        out.signatureValid = verify(hash, info.raw, key, signature.value.subarray(1));
      } catch {
        out.signatureValid = false;
      }
    }
    return out;
  } catch (err) {
    if (err instanceof DerError || err instanceof TypeError || (err as { code?: string }).code?.startsWith("ERR_")) throw new CsrError(`asn1: ${(err as Error).message}`);
    throw err;
  }
}

/** The signature algorithm identifier and hash for a key (ECDSA with SHA-256/384, RSA PKCS#1 v1.5 SHA-256, Ed25519). */
function signatureAlgorithm(key: KeyObject): { alg: Buffer; hash: string | null } {
  switch (key.asymmetricKeyType) {
    case "ec": {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      return curve === "secp384r1" ? { alg: seq(oid(OID.ecdsaSha384)), hash: "sha384" } : { alg: seq(oid(OID.ecdsaSha256)), hash: "sha256" };
    }
    case "rsa":
      return { alg: seq(oid(OID.rsaSha256), tlv(TAG.NULL)), hash: "sha256" };
    case "ed25519":
      return { alg: seq(oid(OID.ed25519)), hash: null };
    default:
      throw new Error(`unsupported key type ${key.asymmetricKeyType}`);
  }
}

function signed(tbs: Buffer, key: KeyObject): Buffer {
  const { alg, hash } = signatureAlgorithm(key);
  return seq(tbs, alg, bitString(sign(hash, tbs, key)));
}

/**
 * A PEM certificate request for `subject` signed with `privateKey`; with `dnsNames`/`ipAddresses`, one
 * extensionRequest attribute carrying the subjectAltName (a kubelet's serving certificate request), else none.
 */
export function createCsr(privateKey: KeyObject, subject: { commonName: string; organizations?: string[]; dnsNames?: string[]; ipAddresses?: string[] }): string {
  const spki = createPublicKey(privateKey).export({ format: "der", type: "spki" });
  const attrs: [string, string][] = [...(subject.organizations ?? []).map((o): [string, string] => [OID.organization, o]), [OID.commonName, subject.commonName]];
  const sans = [...(subject.dnsNames ?? []).map((d) => tlv(0x82, Buffer.from(d, "ascii"))), ...(subject.ipAddresses ?? []).map((ip) => tlv(0x87, ipBytes(ip)))];
  const san = seq(oid(OID.subjectAltName), tlv(TAG.OCTET_STRING, seq(...sans)));
  const requested = sans.length ? tlv(0xa0, seq(oid(OID.extensionRequest), tlv(TAG.SET, seq(san)))) : tlv(0xa0);
  const info = seq(uint(Buffer.from([0])), name(attrs), spki, requested);
  return pem("CERTIFICATE REQUEST", signed(info, privateKey));
}

/** An IPv4 or IPv6 address as the 4 or 16 bytes of an iPAddress GeneralName. */
export function ipBytes(ip: string): Buffer {
  if (isIPv4(ip)) return Buffer.from(ip.split(".").map(Number));
  if (!isIPv6(ip)) throw new Error(`not an IP address: "${ip}"`);
  const [head, tail] = ip.includes("::") ? ip.split("::") : [ip, ""];
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const groups: string[] = [...h, ...new Array<string>(8 - h.length - t.length).fill("0"), ...t];
  return Buffer.from(groups.map((g) => g.padStart(4, "0")).join(""), "hex");
}

/** An address as a parsed request lists it: IPv4 dotted, IPv6 as 8 groups of 4 hex digits. */
export function ipText(bytes: Buffer): string {
  return bytes.length === 4 ? [...bytes].join(".") : (bytes.toString("hex").match(/.{4}/g) ?? []).join(":");
}

/** Key usage strings (certificates/v1 KeyUsage) → the keyUsage bit or extKeyUsage OID they stand for. */
const KEY_USAGE_BITS: Record<string, number> = {
  signing: 0,
  "digital signature": 0,
  "content commitment": 1,
  "key encipherment": 2,
  "key agreement": 4,
  "data encipherment": 3,
  "cert sign": 5,
  "crl sign": 6,
  "encipher only": 7,
  "decipher only": 8,
};
const EXT_KEY_USAGES: Record<string, string> = {
  any: "2.5.29.37.0",
  "server auth": "1.3.6.1.5.5.7.3.1",
  "client auth": "1.3.6.1.5.5.7.3.2",
  "code signing": "1.3.6.1.5.5.7.3.3",
  "email protection": "1.3.6.1.5.5.7.3.4",
  "s/mime": "1.3.6.1.5.5.7.3.4",
  "ipsec end system": "1.3.6.1.5.5.7.3.5",
  "ipsec tunnel": "1.3.6.1.5.5.7.3.6",
  "ipsec user": "1.3.6.1.5.5.7.3.7",
  timestamping: "1.3.6.1.5.5.7.3.8",
  "ocsp signing": "1.3.6.1.5.5.7.3.9",
  "microsoft sgc": "1.3.6.1.4.1.311.10.3.3",
  "netscape sgc": "2.16.840.1.113730.4.1",
};
/** Every usage a CertificateSigningRequest may name. */
export const KEY_USAGES: readonly string[] = [...Object.keys(KEY_USAGE_BITS), ...Object.keys(EXT_KEY_USAGES)].sort();

function keyUsageExtension(usages: readonly string[]): Buffer | undefined {
  const bits = [...new Set(usages.map((u) => KEY_USAGE_BITS[u]).filter((b) => b !== undefined))];
  if (!bits.length) return undefined;
  const max = Math.max(...bits);
  const bytes = Buffer.alloc(max >= 8 ? 2 : 1);
  for (const b of bits) bytes[b >> 3] |= 0x80 >> (b & 7);
  const unused = bytes.length * 8 - 1 - max;
  return seq(oid(OID.keyUsage), tlv(0x01, Buffer.from([0xff])), tlv(TAG.OCTET_STRING, bitString(bytes, unused)));
}

function extKeyUsageExtension(usages: readonly string[]): Buffer | undefined {
  const oids = [...new Set(usages.map((u) => EXT_KEY_USAGES[u]).filter(Boolean))];
  return oids.length ? seq(oid(OID.extKeyUsage), tlv(TAG.OCTET_STRING, seq(...oids.map(oid)))) : undefined;
}

/** The subjectKeyIdentifier of a certificate, if it has one. */
function subjectKeyId(cert: X509Certificate): Buffer | undefined {
  const tbs = children(readTlv(cert.raw).value)[0];
  const ext = children(tbs.value).find((t) => t.tag === 0xa3);
  if (!ext) return undefined;
  for (const e of children(readTlv(ext.value).value)) {
    const parts = children(e.value);
    if (decodeOid(parts[0].value) === OID.subjectKeyId) return readTlv(parts[parts.length - 1].value).value;
  }
  return undefined;
}

export interface IssueRequest {
  csr: ParsedCsr;
  usages: readonly string[];
  notBefore: number;
  notAfter: number;
  ca: { cert: string; key: KeyObject };
}

/** A PEM certificate for the request under the CA: its subject, key and SANs, the usages, not a CA. */
export function issueCertificate(r: IssueRequest): string {
  const ca = new X509Certificate(r.ca.cert);
  const caTbs = children(children(readTlv(ca.raw).value)[0].value);
  // version, serial, signature, issuer, validity, subject: the CA's subject (index 5) is the issuer.
  const caSubject = caTbs[caTbs[0].tag === 0xa0 ? 5 : 4].raw;
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  const exts: Buffer[] = [];
  const ku = keyUsageExtension(r.usages);
  if (ku) exts.push(ku);
  const eku = extKeyUsageExtension(r.usages);
  if (eku) exts.push(eku);
  exts.push(seq(oid(OID.basicConstraints), tlv(0x01, Buffer.from([0xff])), tlv(TAG.OCTET_STRING, seq())));
  const aki = subjectKeyId(ca);
  if (aki) exts.push(seq(oid(OID.authorityKeyId), tlv(TAG.OCTET_STRING, seq(tlv(0x80, aki)))));
  if (r.csr.sanDer) exts.push(seq(oid(OID.subjectAltName), tlv(TAG.OCTET_STRING, r.csr.sanDer)));
  const { alg } = signatureAlgorithm(r.ca.key);
  const tbs = seq(
    tlv(0xa0, uint(Buffer.from([2]))),
    uint(serial),
    alg,
    caSubject,
    seq(time(r.notBefore), time(r.notAfter)),
    r.csr.subjectDer,
    r.csr.publicKeyDer,
    tlv(0xa3, seq(...exts)),
  );
  return pem("CERTIFICATE", signed(tbs, r.ca.key));
}
