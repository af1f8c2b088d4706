/**
 * `nodelet explain pod NAME`: every host command and file write nodelet made to build the pod, in order, as a
 * shell script a person can read and replay (the study note, made executable). The first place to look when a
 * pod fails. With --timing: how long each step of the pod's start took (start-timing.ts).
 */
import type { StartTiming } from "../sys/start-trace.js";
import { boolFlag, flag, GLOBAL_FLAGS, parseArgs, UsageError } from "./args.js";
import { makeContext, report, type CliContext } from "./context.js";
import { renderStartTiming } from "./start-timing.js";

export const FLAGS = [
  ...GLOBAL_FLAGS,
  { name: "timing", value: false, help: "how long each step of the pod's start took, from the API request to Running (the last --start-traces pods)" },
  { name: "output", short: "o", value: true, help: "with --timing: json for the timed steps as the node API serves them" },
];

export async function main(argv: string[]): Promise<number> {
  let ctx: CliContext | undefined;
  try {
    const p = parseArgs(argv, FLAGS);
    ctx = makeContext(p);
    let [kind, name] = p.positional;
    if (kind?.includes("/")) [kind, name] = kind.split("/", 2);
    if (!["pod", "pods", "po"].includes(kind ?? "") || !name) throw new UsageError("usage: nodelet explain pod NAME [--timing [-o json]]");
    const output = flag(p, "output");
    if (output !== undefined && (output !== "json" || !boolFlag(p, "timing"))) throw new UsageError("--output: only json, with --timing");
    const path = `/apis/nodelet.io/v1/namespaces/${encodeURIComponent(ctx.namespace)}/pods/${encodeURIComponent(name)}`;
    if (boolFlag(p, "timing")) {
      const timing = await ctx.client.request<StartTiming>("GET", `${path}/timing`);
      ctx.out.write(output === "json" ? `${JSON.stringify(timing, null, 2)}\n` : renderStartTiming(timing, `pod ${ctx.namespace}/${name} (uid ${timing.uid}): its start, step by step`));
      return 0;
    }
    const script = await ctx.client.request<string>("GET", `/apis/nodelet.io/v1/namespaces/${encodeURIComponent(ctx.namespace)}/pods/${encodeURIComponent(name)}/explain`, { accept: "text/x-shellscript" });
    ctx.out.write(script);
    return 0;
  } catch (err) {
    return report(err, ctx?.err);
  } finally {
    ctx?.client.close();
  }
}
