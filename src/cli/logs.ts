/**
 * `nodelet logs POD [-c CTR] [-f] [-p|--previous] [--tail N] [--timestamps] [--since 5m] [--limit-bytes N]`.
 */
import { resolveResource } from "../api/resources.js";
import { resourcePath } from "../client/index.js";
import { boolFlag, durationFlag, flag, GLOBAL_FLAGS, intFlag, parseArgs, UsageError, type FlagSpec, type ParsedArgs } from "./args.js";
import { makeContext, report, type CliContext } from "./context.js";

export const FLAGS: FlagSpec[] = [
  ...GLOBAL_FLAGS,
  { name: "container", short: "c", value: true },
  { name: "follow", short: "f", value: false },
  { name: "previous", short: "p", value: false },
  { name: "tail", value: true },
  { name: "timestamps", value: false },
  { name: "since", value: true },
  { name: "limit-bytes", value: true },
];

export async function main(argv: string[]): Promise<number> {
  let ctx: CliContext | undefined;
  try {
    const p = parseArgs(argv, FLAGS);
    ctx = makeContext(p);
    if (p.positional.length !== 1) throw new UsageError("expected exactly one pod name: nodelet logs POD [-c CONTAINER]");
    const name = p.positional[0].replace(/^(pods?|po)\//, "");
    const tail = intFlag(p, "tail");
    const query = {
      container: flag(p, "container"),
      follow: boolFlag(p, "follow") ? "true" : undefined,
      previous: boolFlag(p, "previous") ? "true" : undefined,
      tailLines: tail !== undefined && tail >= 0 ? String(tail) : undefined,
      timestamps: boolFlag(p, "timestamps") ? "true" : undefined,
      sinceSeconds: sinceSeconds(p),
      limitBytes: flag(p, "limit-bytes"),
    };
    const stream = ctx.client.stream(resourcePath(resolveResource("pods")!, ctx.namespace, name, "log"), query);
    const out = ctx.out;
    await new Promise<void>((resolve, reject) => {
      stream.on("data", (d: Buffer) => out.write(d));
      stream.on("end", resolve);
      stream.on("error", reject);
      process.once("SIGINT", () => {
        stream.destroy();
        resolve();
      });
    });
    return 0;
  } catch (err) {
    return report(err, ctx?.err);
  } finally {
    ctx?.client.close();
  }
}

/** --since as kubectl sends it: a Go duration rounded up to whole seconds; 0 (the default) sends none. */
function sinceSeconds(p: ParsedArgs): string | undefined {
  const ms = durationFlag(p, "since", 0);
  return ms > 0 ? String(Math.ceil(ms / 1000)) : undefined;
}
