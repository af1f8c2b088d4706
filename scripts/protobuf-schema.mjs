#!/usr/bin/env node
// Writes src/apiserver/protobuf/generated.ts, the protobuf field table the API server decodes request bodies and
// encodes responses with,
// from the upstream sources that define the wire format: the generated.proto files (field numbers and wire types) and
// the Go types (JSON names, `json:",inline"` embedding, and which fields are Go pointers, whose zero values mean
// "set" rather than "absent"). Reads only the kinds listed in ROOTS below and the messages they reach.
//
// Usage (a checkout of k8s.io/api and k8s.io/apimachinery at the tag matching the kubectl release we follow):
//   git -C api archive v0.32.9 | tar -x -C /tmp/k8s-api
//   git -C apimachinery archive v0.32.9 | tar -x -C /tmp/k8s-apimachinery
//   node scripts/protobuf-schema.mjs /tmp/k8s-api /tmp/k8s-apimachinery v0.32.9 > src/apiserver/protobuf/generated.ts
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

const [apiDir, machineryDir, tag] = process.argv.slice(2);
if (!apiDir || !machineryDir || !tag) {
  process.stderr.write("usage: protobuf-schema.mjs K8S_API_DIR APIMACHINERY_DIR TAG\n");
  process.exit(2);
}

/** proto package → [directory, short key prefix]. */
const PACKAGES = {
  "k8s.io.api.core.v1": [join(apiDir, "core/v1"), "core/v1"],
  "k8s.io.api.apps.v1": [join(apiDir, "apps/v1"), "apps/v1"],
  "k8s.io.api.batch.v1": [join(apiDir, "batch/v1"), "batch/v1"],
  "k8s.io.api.rbac.v1": [join(apiDir, "rbac/v1"), "rbac/v1"],
  "k8s.io.api.authorization.v1": [join(apiDir, "authorization/v1"), "authorization/v1"],
  "k8s.io.api.authentication.v1": [join(apiDir, "authentication/v1"), "authentication/v1"],
  "k8s.io.api.coordination.v1": [join(apiDir, "coordination/v1"), "coordination/v1"],
  "k8s.io.api.certificates.v1": [join(apiDir, "certificates/v1"), "certificates/v1"],
  "k8s.io.api.discovery.v1": [join(apiDir, "discovery/v1"), "discovery/v1"],
  "k8s.io.api.storage.v1": [join(apiDir, "storage/v1"), "storage/v1"],
  "k8s.io.api.scheduling.v1": [join(apiDir, "scheduling/v1"), "scheduling/v1"],
  "k8s.io.api.policy.v1": [join(apiDir, "policy/v1"), "policy/v1"],
  "k8s.io.api.autoscaling.v1": [join(apiDir, "autoscaling/v1"), "autoscaling/v1"],
  "k8s.io.api.autoscaling.v2": [join(apiDir, "autoscaling/v2"), "autoscaling/v2"],
  "k8s.io.apimachinery.pkg.apis.meta.v1": [join(machineryDir, "pkg/apis/meta/v1"), "meta/v1"],
};

/**
 * The objects a client may send: apiVersion → proto package and kinds. Every kind the API serves (api/resources.ts;
 * a unit test keeps the two in step), the bodies of subresources and options (Scale, TokenRequest, Eviction,
 * DeleteOptions), and HorizontalPodAutoscaler (v1, which kubectl 1.32's autoscale sends, and v2) for when it is served.
 */
const ROOTS = [
  ["v1", "k8s.io.api.core.v1", ["Pod", "Service", "Endpoints", "Event", "Node", "Namespace", "PersistentVolume", "PersistentVolumeClaim",
    "ConfigMap", "Secret", "ResourceQuota", "LimitRange", "ServiceAccount"]],
  ["apps/v1", "k8s.io.api.apps.v1", ["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "ControllerRevision"]],
  ["batch/v1", "k8s.io.api.batch.v1", ["Job", "CronJob"]],
  ["rbac.authorization.k8s.io/v1", "k8s.io.api.rbac.v1", ["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"]],
  ["authorization.k8s.io/v1", "k8s.io.api.authorization.v1", ["SelfSubjectAccessReview", "SelfSubjectRulesReview"]],
  ["authentication.k8s.io/v1", "k8s.io.api.authentication.v1", ["SelfSubjectReview", "TokenRequest"]],
  ["coordination.k8s.io/v1", "k8s.io.api.coordination.v1", ["Lease"]],
  ["certificates.k8s.io/v1", "k8s.io.api.certificates.v1", ["CertificateSigningRequest"]],
  ["discovery.k8s.io/v1", "k8s.io.api.discovery.v1", ["EndpointSlice"]],
  ["storage.k8s.io/v1", "k8s.io.api.storage.v1", ["StorageClass"]],
  ["scheduling.k8s.io/v1", "k8s.io.api.scheduling.v1", ["PriorityClass"]],
  ["policy/v1", "k8s.io.api.policy.v1", ["Eviction", "PodDisruptionBudget"]],
  ["autoscaling/v1", "k8s.io.api.autoscaling.v1", ["Scale", "HorizontalPodAutoscaler"]], // kubectl 1.32 autoscale sends v1
  ["autoscaling/v2", "k8s.io.api.autoscaling.v2", ["HorizontalPodAutoscaler"]],
  // Registered in every group version: the decoder looks here for a kind its group does not have. Status (every
  // error, and a delete's answer), the metadata-only shapes and WatchEvent are what responses carry.
  ["meta.k8s.io/v1", "k8s.io.apimachinery.pkg.apis.meta.v1", ["DeleteOptions", "Status", "PartialObjectMetadata", "PartialObjectMetadataList", "WatchEvent"]],
];

// Responses also answer lists: every kind above with a KindList message upstream gets its List as a root.
for (const [, pkg, kinds] of ROOTS) {
  if (pkg === "k8s.io.apimachinery.pkg.apis.meta.v1") continue;
  const protoText = readFileSync(join(PACKAGES[pkg][0], "generated.proto"), "utf8");
  for (const kind of [...kinds]) if (protoText.includes(`\nmessage ${kind}List {`)) kinds.push(`${kind}List`);
}

/** Messages with a JSON form of their own (custom Go marshalling), decoded by name in decode.ts. */
const SPECIAL = {
  "k8s.io.apimachinery.pkg.apis.meta.v1.Time": "Time",
  "k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime": "MicroTime",
  "k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1": "FieldsV1",
  "k8s.io.apimachinery.pkg.api.resource.Quantity": "Quantity",
  "k8s.io.apimachinery.pkg.util.intstr.IntOrString": "IntOrString",
  "k8s.io.apimachinery.pkg.runtime.RawExtension": "RawExtension",
};
/** Custom-marshalled types decode.ts has no JSON form for yet: reaching one is an error here, not a wrong table. */
const UNSUPPORTED = ["k8s.io.apimachinery.pkg.apis.meta.v1.Duration"];
const SCALARS = { string: "string", bytes: "bytes", int32: "int", int64: "int", bool: "bool" };

/** Parses generated.proto: message name → [{label, type, name, number}]. */
function parseProto(pkg, file) {
  const messages = new Map();
  let current;
  for (const raw of readFileSync(file, "utf8").split("\n")) {
    const line = raw.replace(/\/\/.*$/, "").trim();
    if (!line) continue;
    let m;
    if ((m = /^message (\w+) \{$/.exec(line))) {
      if (current) throw new Error(`${file}: nested message ${m[1]}`);
      current = [];
      messages.set(`${pkg}.${m[1]}`, current);
    } else if (line === "}") {
      current = undefined;
    } else if (current && (m = /^(optional|repeated) ([.\w]+) (\w+) = (\d+);$/.exec(line))) {
      current.push({ label: m[1], type: m[2], name: m[3], number: Number(m[4]) });
    } else if (current && (m = /^map<string, ([.\w]+)> (\w+) = (\d+);$/.exec(line))) {
      current.push({ label: "map", type: m[1], name: m[2], number: Number(m[3]) });
    } else if (current) {
      throw new Error(`${file}: cannot read "${line}"`);
    }
  }
  return messages;
}

/** Parses the Go types of a package: struct name → field number → {json, inline, pointer}; plus non-struct types. */
function parseGo(dir) {
  const structs = new Map();
  const others = new Map();
  for (const file of readdirSync(dir)) {
    if (!file.endsWith(".go") || file.endsWith("_test.go") || file.startsWith("zz_") || file.endsWith(".pb.go")) continue;
    let current;
    for (const line of readFileSync(join(dir, file), "utf8").split("\n")) {
      let m;
      if ((m = /^type (\w+) struct \{/.exec(line))) {
        current = new Map();
        structs.set(m[1], current);
      } else if ((m = /^type (\w+) (.+)$/.exec(line))) {
        others.set(m[1], m[2].trim());
      } else if (/^\}/.test(line)) {
        current = undefined;
      } else if (current && (m = /^\s+([\w.]+)(?:\s+([^\s`]+))?\s+`(.*)`/.exec(line))) {
        const tags = m[3];
        const pb = /protobuf:"[a-z0-9]+,(\d+),/.exec(tags);
        if (!pb) continue;
        const json = /json:"([^",]*)/.exec(tags);
        const inline = m[2] === undefined && /json:",inline"/.test(tags);
        current.set(Number(pb[1]), { json: json ? json[1] : m[1], inline, pointer: (m[2] ?? "").startsWith("*"), goName: m[1] });
      }
    }
  }
  return { structs, others };
}

const proto = new Map();
const go = new Map();
for (const [pkg, [dir]] of Object.entries(PACKAGES)) {
  for (const [k, v] of parseProto(pkg, join(dir, "generated.proto"))) proto.set(k, v);
  go.set(pkg, parseGo(dir));
}

const pkgOf = (full) => full.slice(0, full.lastIndexOf("."));
const nameOf = (full) => full.slice(full.lastIndexOf(".") + 1);
const keyOf = (full) => `${PACKAGES[pkgOf(full)][1]}.${nameOf(full)}`;

const emitted = new Map();
const queue = [];
function want(full) {
  if (!emitted.has(full) && !queue.includes(full)) queue.push(full);
}

/** The table notation of a field's type, queuing the messages it names. */
function typeOf(protoType, context) {
  const full = protoType.replace(/^\./, "");
  if (SCALARS[full]) return SCALARS[full];
  const qualified = full.includes(".") ? full : `${pkgOf(context)}.${full}`;
  if (SPECIAL[qualified]) return SPECIAL[qualified];
  if (UNSUPPORTED.includes(qualified)) throw new Error(`${context}: ${qualified} has no decoder in decode.ts yet`);
  if (!proto.has(qualified)) throw new Error(`${context}: unknown type ${protoType}`);
  const goType = go.get(pkgOf(qualified)).others.get(nameOf(qualified));
  if (goType === "[]string") return "StringList"; // authentication's ExtraValue: a Go []string, proto {repeated string items = 1}
  want(qualified);
  return keyOf(qualified);
}

for (const [apiVersion, pkg, kinds] of ROOTS) for (const kind of kinds) want(`${pkg}.${kind}`);

while (queue.length) {
  const full = queue.shift();
  const fields = proto.get(full);
  const goFields = go.get(pkgOf(full)).structs.get(nameOf(full));
  if (!goFields) throw new Error(`${full}: no Go struct`);
  const out = [];
  for (const fd of fields) {
    const g = goFields.get(fd.number);
    if (!g) throw new Error(`${full}: field ${fd.number} (${fd.name}) has no Go field`);
    let type = typeOf(fd.type, full);
    if (fd.label === "repeated") type = `[]${type}`;
    else if (fd.label === "map") type = `map[string]${type}`;
    else if (g.pointer) type = `*${type}`;
    out.push([fd.number, `${g.inline ? "..." : g.json} ${type}`]);
  }
  emitted.set(full, out);
}

const lines = [];
lines.push(`// Generated by scripts/protobuf-schema.mjs from k8s.io/api and k8s.io/apimachinery ${tag}; do not edit by hand.`);
lines.push("// Each message: field number → \"jsonName type\", where type is []T (repeated), *T (a Go pointer: a zero that arrives");
lines.push("// is kept), map[string]T, a scalar, a special form (Time, Quantity, IntOrString…) or another message; the name");
lines.push("// \"...\" embeds the message's fields in the parent (Go `json:\",inline\"`).");
lines.push("");
lines.push(`export const UPSTREAM_VERSION = ${JSON.stringify(tag)};`);
lines.push("");
lines.push("/** \"apiVersion kind\" → message, for the objects a client may send and those responses carry (lists, Status). */");
lines.push("export const ROOTS: Readonly<Record<string, string>> = {");
for (const [apiVersion, pkg, kinds] of ROOTS) for (const kind of kinds) lines.push(`  ${JSON.stringify(`${apiVersion} ${kind}`)}: ${JSON.stringify(keyOf(`${pkg}.${kind}`))},`);
lines.push("};");
lines.push("");
lines.push("export const MESSAGES: Readonly<Record<string, Readonly<Record<number, string>>>> = {");
for (const full of [...emitted.keys()].sort((a, b) => keyOf(a).localeCompare(keyOf(b)))) {
  const fields = emitted.get(full);
  const body = fields.map(([n, s]) => `${n}: ${JSON.stringify(s)}`).join(", ");
  const one = `  ${JSON.stringify(keyOf(full))}: { ${body} },`;
  if (one.length <= 120) lines.push(one);
  else {
    lines.push(`  ${JSON.stringify(keyOf(full))}: {`);
    for (const [n, s] of fields) lines.push(`    ${n}: ${JSON.stringify(s)},`);
    lines.push("  },");
  }
}
lines.push("};");
process.stdout.write(lines.join("\n") + "\n");
