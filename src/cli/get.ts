/**
 * `nodelet get TYPE [NAME...] [-o wide|json|yaml|name|jsonpath=...] [-n NS] [-A] [-l SELECTOR] [-w]`: asks the
 * server for a Table (server-side printing, as kubectl does) or for objects, and prints them like kubectl.
 */
import type { KubeObject, WatchEvent } from "../api/types.js";
import { resourcePath, type Table, type TableColumnDefinition } from "../client/index.js";
import { boolFlag, flag, GLOBAL_FLAGS, parseArgs, UsageError, type FlagSpec } from "./args.js";
import { makeContext, report, targets, type CliContext } from "./context.js";
import { jsonPath } from "./jsonpath.js";
import { asList, formatTable, toJSON, toYAML } from "./printers.js";

export const FLAGS: FlagSpec[] = [
  ...GLOBAL_FLAGS,
  { name: "output", short: "o", value: true },
  { name: "all-namespaces", short: "A", value: false },
  { name: "selector", short: "l", value: true },
  { name: "field-selector", value: true },
  { name: "watch", short: "w", value: false },
  { name: "no-headers", value: false },
  { name: "show-managed-fields", value: false },
  { name: "show-kind", value: false },
];

export async function main(argv: string[]): Promise<number> {
  let ctx: CliContext | undefined;
  try {
    const p = parseArgs(argv, FLAGS);
    ctx = makeContext(p);
    const output = flag(p, "output") ?? "";
    const all = boolFlag(p, "all-namespaces");
    const query = { labelSelector: flag(p, "selector"), fieldSelector: flag(p, "field-selector") };
    const groups = targets(p.positional);
    const several = groups.length > 1;
    let printed = 0;
    for (const { info, names } of groups) {
      const ns = info.namespaced && !all ? ctx.namespace : undefined;
      const paths = names.length ? names.map((n) => resourcePath(info, ns, n)) : [resourcePath(info, ns)];
      // Several kinds: each its own table with its header, a blank line between, names as `deployment.apps/web`.
      const prefix = several || boolFlag(p, "show-kind") ? `${info.singular}${info.group ? `.${info.group}` : ""}/` : "";
      let last: Printed = { count: 0, resourceVersion: "" };
      let printedHere = 0;
      for (const path of paths) {
        const separator = several && printed > 0 && printedHere === 0 ? "\n" : "";
        last = await printOne(ctx, path, output, names.length > 0, { all, prefix, separator, noHeaders: boolFlag(p, "no-headers") || printedHere > 0, query, managedFields: boolFlag(p, "show-managed-fields") });
        printed += last.count;
        printedHere += last.count;
      }
      if (boolFlag(p, "watch")) return await watch(ctx, paths[0], names[0], query, last.resourceVersion, last.columns, output === "wide");
    }
    if (printed === 0 && !output.match(/^(json|yaml)$/)) {
      ctx.err.write(all || groups.every((g) => !g.info.namespaced) ? "No resources found\n" : `No resources found in ${ctx.namespace} namespace.\n`);
    }
    return 0;
  } catch (err) {
    return report(err, ctx?.err);
  } finally {
    ctx?.client.close();
  }
}

interface PrintOpts {
  all: boolean;
  prefix: string;
  /** Written before a table with rows (the blank line between the kinds of `get all`). */
  separator?: string;
  noHeaders: boolean;
  query: { labelSelector?: string; fieldSelector?: string };
  /** --show-managed-fields: keep metadata.managedFields in -o json|yaml (kubectl drops them by default). */
  managedFields: boolean;
}

/** Prints a list or one object in the chosen format; returns how many objects were printed and the list's version. */
type Printed = { count: number; resourceVersion: string; columns?: TableColumnDefinition[] };

async function printOne(ctx: CliContext, path: string, output: string, single: boolean, o: PrintOpts): Promise<Printed> {
  if (output === "" || output === "wide") {
    const t = await ctx.client.table(path, o.query);
    const resourceVersion = t.metadata?.resourceVersion ?? "";
    const columns = t.columnDefinitions;
    if (t.rows.length === 0) return { count: 0, resourceVersion, columns };
    if (o.separator) ctx.out.write(o.separator);
    ctx.out.write(formatTable(t, { wide: output === "wide", withNamespace: o.all, noHeaders: o.noHeaders, kindPrefix: o.prefix }));
    return { count: t.rows.length, resourceVersion, columns };
  }
  const data = await ctx.client.request<KubeObject & { items?: KubeObject[] }>("GET", path, { query: o.query });
  const items = single ? [data] : data.items ?? [];
  const resourceVersion = data.metadata?.resourceVersion ?? "";
  if (output === "name") {
    for (const item of items) ctx.out.write(`${withKind(item, data).kind.toLowerCase()}/${item.metadata.name}\n`);
    return { count: items.length, resourceVersion };
  }
  if (!o.managedFields && (output === "json" || output === "yaml")) for (const item of items) delete item.metadata.managedFields;
  const value = single ? data : asList(items.map((i) => withKind(i, data)), data.metadata?.resourceVersion);
  if (output === "json") ctx.out.write(toJSON(value));
  else if (output === "yaml") ctx.out.write(await toYAML(value));
  else if (output.startsWith("jsonpath=")) ctx.out.write(jsonPath(value, output.slice("jsonpath=".length)));
  else throw new UsageError(`unable to match a printer suitable for the output format "${output}", allowed formats are: json,jsonpath,name,wide,yaml`);
  return { count: items.length, resourceVersion };
}

/** List items come without kind/apiVersion from some servers; kubectl fills them in from the list. */
function withKind(item: KubeObject, list: KubeObject): KubeObject {
  if (item.kind) return item;
  return { ...item, kind: list.kind.replace(/List$/, ""), apiVersion: list.apiVersion };
}

/** `get -w`: after the list, print each changed row, until interrupted or the server ends the watch. */
function watch(
  ctx: CliContext,
  path: string,
  name: string | undefined,
  query: PrintOpts["query"],
  resourceVersion: string,
  columns: TableColumnDefinition[] | undefined,
  wide: boolean,
): Promise<number> {
  const listPath = name ? path.slice(0, path.lastIndexOf("/")) : path;
  const q = { ...query, fieldSelector: name ? `metadata.name=${name}` : query.fieldSelector, watch: "true", resourceVersion };
  return new Promise<number>((resolve) => {
    const h = ctx.client.watch(listPath, q, (ev: WatchEvent) => {
      const t = ev.object as unknown as Table;
      columns ??= t.columnDefinitions;
      if (t.rows?.length) ctx.out.write(formatTable(t, { noHeaders: true, columns, wide }));
    }, { accept: "application/json;as=Table;v=v1;g=meta.k8s.io" });
    h.done.then(() => resolve(0), (err: unknown) => resolve(report(err, ctx.err)));
    process.once("SIGINT", () => h.stop());
  });
}
