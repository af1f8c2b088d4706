/**
 * What every client verb shares: the API client (found through --socket, NODELET_SOCKET or the default path, or
 * --server/--token), the namespace, and how failures are printed — kubectl's words (`Error from server
 * (NotFound): pods "x" not found`) and a non-zero exit code.
 */
import { ApiError } from "../api/errors.js";
import { resolveResource, resourcesInCategory, type ResourceInfo } from "../api/resources.js";
import { ApiClient, ConnectionError } from "../client/index.js";
import { flag, UsageError, type ParsedArgs } from "./args.js";

export interface CliContext {
  client: ApiClient;
  namespace: string;
  /** True when -n was given explicitly. */
  namespaceGiven: boolean;
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
}

export function makeContext(p: ParsedArgs): CliContext {
  const server = flag(p, "server");
  const client = server
    ? new ApiClient({ server, token: flag(p, "token"), insecureSkipTLSVerify: true })
    : new ApiClient({ socketPath: flag(p, "socket") });
  const ns = flag(p, "namespace");
  return { client, namespace: ns ?? "default", namespaceGiven: ns !== undefined, out: process.stdout, err: process.stderr };
}

/** Resolves a resource name as kubectl does (po, pods, pod, svc, ...), or a usage error naming it. */
export function resource(name: string): ResourceInfo {
  const r = resolveResource(name);
  if (!r) throw new UsageError(`the server doesn't have a resource type "${name}"`);
  return r;
}

/** `pod/web` or (`pod`, `web`): the resource and names a verb acts on. */
export function targets(positional: string[]): { info: ResourceInfo; names: string[] }[] {
  if (positional.length === 0) throw new UsageError("you must specify the type of resource");
  if (positional[0].includes("/")) {
    return positional.map((arg) => {
      const [type, name] = arg.split("/", 2);
      if (!name) throw new UsageError(`arguments in resource/name form must have a single resource and name: "${arg}"`);
      return { info: resource(type), names: [name] };
    });
  }
  // A category (`all`) stands for its resources, as kubectl expands it.
  return positional[0].split(",").flatMap((t) => {
    const inCategory = resolveResource(t) ? [] : resourcesInCategory(t);
    return (inCategory.length ? inCategory : [resource(t)]).map((info) => ({ info, names: positional.slice(1) }));
  });
}

/** Prints an error the way kubectl does and returns the exit code. */
export function report(err: unknown, stderr: NodeJS.WritableStream = process.stderr): number {
  if (err instanceof ApiError) {
    const causes = err.details.causes ?? [];
    if (err.reason === "Invalid" && causes.length) {
      const kind = err.details.kind ?? "object";
      stderr.write(`The ${kindName(kind)} "${err.details.name ?? ""}" is invalid: \n`);
      for (const c of causes) stderr.write(`* ${c.field ? `${c.field}: ` : ""}${c.message}\n`);
    } else {
      stderr.write(`Error from server (${err.reason}): ${err.message}\n`);
    }
    return 1;
  }
  if (err instanceof ConnectionError) {
    stderr.write(`error: ${err.message}\n`);
    return 1;
  }
  if (err instanceof UsageError) {
    stderr.write(`error: ${err.message}\n`);
    return 1;
  }
  stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  return 1;
}

function kindName(kindOrPlural: string): string {
  return resolveResource(kindOrPlural)?.kind ?? kindOrPlural;
}
