/**
 * `nodelet token create|list|delete`: bootstrap tokens for joining nodes, as `kubeadm token` makes them (Secrets
 * `kube-system/bootstrap-token-ID`, auth/bootstrap-token.ts). `create` prints the new token once, on its own line;
 * `list` prints kubeadm's columns. Talks to the API like every client verb (the root socket, or --server/--token
 * of a user allowed to write Secrets in kube-system).
 */
import { humanDuration } from "../../api/tables/format.js";
import type { Secret } from "../../api/types.js";
import { resourceForKind } from "../../api/resources.js";
import { durationFlag, flag, parseArgs, PRE_VERB_FLAGS, UsageError, type FlagSpec } from "../../cli/args.js";
import { makeContext, report } from "../../cli/context.js";
import {
  BOOTSTRAP_TOKEN_NAMESPACE,
  BOOTSTRAP_TOKEN_SECRET_PREFIX,
  bootstrapTokenSecret,
  parseBootstrapToken,
  summarizeTokenSecret,
} from "../../api/bootstrap-token.js";
import { rfc3339 } from "../../api/time.js";

export const FLAGS: FlagSpec[] = [
  ...PRE_VERB_FLAGS,
  { name: "ttl", value: true, help: "how long the token is valid (Go duration; 0: never expires); default 24h" },
  { name: "description", value: true, help: "a human-friendly description of the token" },
  { name: "usages", value: true, help: "comma-separated: authentication,signing (default both)" },
  { name: "groups", value: true, help: "extra groups (system:bootstrappers:…), comma-separated; default system:bootstrappers:kubeadm:default-node-token" },
  { name: "help", short: "h", value: false },
];

export async function main(argv: string[]): Promise<number> {
  try {
    const p = parseArgs(argv, FLAGS);
    const [sub, ...args] = p.positional;
    const ctx = makeContext(p);
    const secrets = resourceForKind("Secret")!;
    switch (sub) {
      case "create": {
        const list = (name: string) => flag(p, name)?.split(",").filter(Boolean);
        const ttlMs = durationFlag(p, "ttl", 24 * 3_600_000);
        const secret = bootstrapTokenSecret({ token: args[0], ttlMs, now: Date.now(), usages: list("usages"), groups: list("groups"), description: flag(p, "description") });
        await ctx.client.create(secrets, secret, { namespace: BOOTSTRAP_TOKEN_NAMESPACE });
        const id = secret.metadata.name!.slice(BOOTSTRAP_TOKEN_SECRET_PREFIX.length);
        const data = secret.data!;
        process.stdout.write(`${id}.${Buffer.from(data["token-secret"], "base64").toString()}\n`);
        return 0;
      }
      case "list": {
        const items = (await ctx.client.list<Secret>(secrets, { namespace: BOOTSTRAP_TOKEN_NAMESPACE })).items;
        process.stdout.write(formatTokenList(items, Date.now()));
        return 0;
      }
      case "delete": {
        if (!args.length) throw new UsageError("missing subcommand; 'token delete' is missing token of form [\"^([a-z0-9]{6})$\"]");
        for (const a of args) {
          const id = parseBootstrapToken(a)?.id ?? (/^[a-z0-9]{6}$/.test(a) ? a : undefined);
          if (!id) throw new UsageError(`given token didn't match pattern "^([a-z0-9]{6})$" or "^([a-z0-9]{6})\\.([a-z0-9]{16})$"`);
          await ctx.client.delete(secrets, BOOTSTRAP_TOKEN_NAMESPACE, BOOTSTRAP_TOKEN_SECRET_PREFIX + id);
          process.stdout.write(`bootstrap token "${id}" deleted\n`);
        }
        return 0;
      }
      default:
        throw new UsageError(sub ? `unknown subcommand "${sub}"` : "missing subcommand (create, list or delete)");
    }
  } catch (err) {
    // report() prints a TokenOptionError (a bad --usages or --groups: the user's input) as it prints a UsageError.
    return report(err);
  }
}

/** kubeadm token list's columns: TOKEN TTL EXPIRES USAGES DESCRIPTION EXTRA GROUPS. */
export function formatTokenList(secrets: Secret[], now: number): string {
  const rows = [["TOKEN", "TTL", "EXPIRES", "USAGES", "DESCRIPTION", "EXTRA GROUPS"]];
  for (const s of secrets) {
    const t = summarizeTokenSecret(s);
    if (!t) continue;
    const ttl = t.expires === null ? "<forever>" : Number.isNaN(t.expires) ? "<invalid>" : t.expires <= now ? "<invalid>" : humanDuration(t.expires - now);
    const expires = t.expires === null ? "<never>" : Number.isNaN(t.expires) ? "<invalid>" : rfc3339(t.expires);
    rows.push([t.token, ttl, expires, t.usages.join(",") || "<none>", t.description || "<none>", t.groups.join(",") || "<none>"]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] + 3))).join("")).join("\n") + "\n";
}
