/**
 * `nodelet images` (list), `nodelet image pull REF`, `nodelet image import FILE|DIR`, `nodelet image save REF -o FILE`, `nodelet image inspect REF...`, `nodelet image build
 * --from-host PATH... --tag NAME`, `nodelet image build --debian PKG... --tag NAME`, `nodelet image rm NAME...`, `nodelet image prune [--all]`, `nodelet image push REF`
 * (to the registry REF names, with the node's registry settings and credentials).
 */
import { resolve } from "node:path";
import { familiarName, type Image } from "../api/image.js";
import { flag, flags, GLOBAL_FLAGS, parseArgs, UsageError, type FlagSpec } from "./args.js";
import { makeContext, report, type CliContext } from "./context.js";
import { formatColumns } from "./printers.js";
import { humanBytes, PullProgressView, type LayerProgress } from "./pull-progress.js";

export const FLAGS: FlagSpec[] = [
  ...GLOBAL_FLAGS,
  { name: "from-host", value: true, multiple: true },
  { name: "debian", value: true, multiple: true },
  { name: "tag", short: "t", value: true },
  { name: "quiet", short: "q", value: false },
  { name: "all", short: "a", value: false },
  { name: "output", short: "o", value: true },
];

const BASE = "/apis/nodelet.io/v1/images";
const PULLS = "/apis/nodelet.io/v1/imagepulls";
const IMPORTS = "/apis/nodelet.io/v1/imageimports";
const SAVES = "/apis/nodelet.io/v1/imagesaves";

/** The node API's answer to a push (images/registry/push-image.ts PushedImage). */
interface PushReply {
  repository: string;
  tag: string;
  digest: string;
  size: number;
  uploaded: number;
  existing: number;
  mounted: number;
}

export async function main(argv: string[], verb: string): Promise<number> {
  let ctx: CliContext | undefined;
  try {
    // `image build --from-host A B` (and `--debian P Q`) takes every word after the flag until the next flag.
    const p = parseArgs(expandLists(argv, ["--from-host", "--debian"]), FLAGS);
    ctx = makeContext(p);
    const sub = verb === "images" ? "ls" : p.positional[0];
    if (sub === "ls" || sub === "list") return await list(ctx, p.flags.has("quiet"));
    if (sub === "build") {
      const paths = flags(p, "from-host");
      const packages = flags(p, "debian");
      if (paths.length && packages.length) throw new UsageError("image build takes --from-host or --debian, not both");
      if (!paths.length && !packages.length) {
        throw new UsageError("image build needs --from-host PATH... (binaries or directories of this host) or --debian PKG... (Debian packages)");
      }
      const tag = flag(p, "tag");
      if (!tag) throw new UsageError("image build needs --tag NAME");
      const body = packages.length ? { debian: packages, tag } : { fromHost: paths, tag };
      const img = await ctx.client.request<Image>("POST", BASE, { body });
      ctx.out.write(`Successfully built ${img.id.slice(0, 12)}\nSuccessfully tagged ${img.tags.map(familiarName).join(", ")}\n`);
      return 0;
    }
    if (sub === "pull") return await pull(ctx, p.positional[1]);
    if (sub === "save") {
      const image = p.positional[1];
      const out = flag(p, "output");
      if (!image || !out) throw new UsageError("image save needs REF and -o FILE");
      await ctx.client.request("POST", SAVES, { query: { image, path: resolve(out) } });
      return 0;
    }
    if (sub === "import") {
      const file = p.positional[1];
      if (!file) throw new UsageError("image import needs a FILE or DIR (OCI layout, or a docker save archive)");
      // The daemon reads the path itself: it runs on this node, as root.
      const r = await ctx.client.request<{ items: { id: string; tags: string[] }[] }>("POST", IMPORTS, { query: { path: resolve(file) } });
      for (const i of r.items) ctx.out.write(`Loaded image: ${i.tags.length ? i.tags.map(familiarName).join(", ") : `sha256:${i.id}`}\n`);
      return 0;
    }
    if (sub === "inspect") {
      if (p.positional.length < 2) throw new UsageError("image inspect needs at least one image");
      const found = [];
      for (const name of p.positional.slice(1)) found.push(await ctx.client.request("GET", `${BASE}/${encodeURIComponent(name)}`));
      ctx.out.write(`${JSON.stringify(found, null, 4)}\n`);
      return 0;
    }
    if (sub === "prune") {
      const r = await ctx.client.request<{ deleted: string[]; reclaimedBytes: number }>("DELETE", BASE, { query: p.flags.has("all") ? { all: "true" } : {} });
      if (r.deleted.length) ctx.out.write(`Deleted Images:\n${r.deleted.map((id) => `deleted: sha256:${id}\n`).join("")}\n`);
      ctx.out.write(`Total reclaimed space: ${humanBytes(r.reclaimedBytes)}\n`);
      return 0;
    }
    if (sub === "push") {
      const image = p.positional[1];
      if (!image || p.positional.length > 2) throw new UsageError("image push needs exactly one image: nodelet image push REGISTRY/REPOSITORY[:TAG]");
      ctx.out.write(`The push refers to repository [${image.replace(/[:@][^/]*$/, "")}]\n`);
      const r = await ctx.client.request<PushReply>("POST", `${BASE}/push`, { body: { image } });
      ctx.out.write(`${r.tag}: digest: ${r.digest} size: ${r.size} (${r.uploaded} blobs uploaded, ${r.existing} already there, ${r.mounted} mounted)\n`);
      return 0;
    }
    if (sub === "rm" || sub === "remove") {
      for (const name of p.positional.slice(1)) {
        await ctx.client.request("DELETE", `${BASE}/${encodeURIComponent(name)}`);
        ctx.out.write(`Untagged: ${name}\n`);
      }
      return 0;
    }
    throw new UsageError(`unknown image command "${sub ?? ""}": use images, image pull, image import, image save, image inspect, image build, image push, image rm, image prune`);
  } catch (err) {
    return report(err, ctx?.err);
  } finally {
    ctx?.client.close();
  }
}

/** Streams the daemon's pull: progress lines as they come, then the result (or the error). */
async function pull(ctx: CliContext, image: string | undefined): Promise<number> {
  if (!image) throw new UsageError("image pull needs an image reference");
  const view = new PullProgressView(ctx.out, (ctx.out as NodeJS.WriteStream).isTTY === true);
  let rest = "";
  let result: { image: Image; downloaded: number; ms: number } | undefined;
  let error: string | undefined;
  for await (const chunk of ctx.client.stream(PULLS, { image }, "POST")) {
    rest += (chunk as Buffer).toString();
    let nl;
    while ((nl = rest.indexOf("\n")) >= 0) {
      const msg = JSON.parse(rest.slice(0, nl)) as { progress?: LayerProgress; result?: typeof result; error?: string };
      rest = rest.slice(nl + 1);
      if (msg.progress) view.update(msg.progress);
      if (msg.result) result = msg.result;
      if (msg.error) error = msg.error;
    }
  }
  if (error || !result) throw new Error(`pulling ${image}: ${error ?? "the daemon ended the pull without a result"}`);
  const { image: img, downloaded, ms } = result;
  ctx.out.write(`Digest: ${img.repoDigests.find((d) => d.includes("@"))?.split("@")[1] ?? ""}\n`);
  ctx.out.write(`Pulled ${image} (image ${img.id.slice(0, 12)}, ${humanBytes(img.size)}; ${humanBytes(downloaded)} downloaded in ${(ms / 1000).toFixed(1)}s)\n`);
  return 0;
}

async function list(ctx: CliContext, quiet: boolean): Promise<number> {
  const { items } = await ctx.client.request<{ items: Image[] }>("GET", BASE);
  if (quiet) {
    for (const i of items) ctx.out.write(`${i.id.slice(0, 12)}\n`);
    return 0;
  }
  const rows = [["REPOSITORY", "TAG", "IMAGE ID", "SIZE"]];
  for (const img of items) {
    // An untagged image (its tag moved to a newer pull) shows as Docker's <none>.
    for (const t of img.tags.length ? img.tags.map(familiarName) : ["<none>:<none>"]) {
      const i = t.lastIndexOf(":");
      rows.push([t.slice(0, i), t.slice(i + 1), img.id.slice(0, 12), humanSize(img.size)]);
    }
  }
  ctx.out.write(formatColumns(rows));
  return 0;
}

/** Repeats each of `lists` before every word that follows it up to the next flag, so the parser sees one value each. */
function expandLists(argv: string[], lists: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (!lists.includes(argv[i])) {
      out.push(argv[i]);
      continue;
    }
    const name = argv[i];
    while (i + 1 < argv.length && !argv[i + 1].startsWith("-")) out.push(name, argv[++i]);
  }
  return out;
}

function humanSize(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(2)}GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)}MB`;
  return `${(bytes / 1e3).toFixed(0)}kB`;
}
