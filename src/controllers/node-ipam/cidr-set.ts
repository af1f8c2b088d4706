/**
 * The pod CIDRs of a cluster CIDR cut into blocks of one mask size (kube-controller-manager's cidrset, range
 * allocator), pure: which block is next free given the ones taken. Blocks are numbered from the cluster CIDR's
 * first address; the search starts after the last block handed out (upstream's nextCandidate), so a block freed by a
 * deleted Node is reused as late as possible.
 */
import { FieldError } from "../../api/errors.js";
import { formatCidr, lastAddress, overlaps, parseCidr, type Cidr } from "../../api/cidr.js";

/** Upstream's cidrset refuses more than 2^16 blocks ("the max mask size difference is 16"). */
const MAX_MASK_DIFF = 16;

export interface CidrSet {
  cluster: Cidr;
  maskSize: number;
  /** Number of blocks: 2^(maskSize - cluster prefix). */
  blocks: number;
}

/** Checks `--node-cidr-mask-size` against `--cluster-cidr` (IPv4). Throws a FieldError naming the setting. */
export function cidrSet(cluster: Cidr, maskSize: number): CidrSet {
  if (!Number.isInteger(maskSize) || maskSize < 1 || maskSize > 30) {
    throw new FieldError("--node-cidr-mask-size", `${maskSize} must be an integer from 1 to 30 (IPv4)`);
  }
  if (maskSize < cluster.prefix) {
    throw new FieldError("--node-cidr-mask-size", `${maskSize} is shorter than --cluster-cidr ${formatCidr(cluster)}'s /${cluster.prefix}`);
  }
  if (maskSize - cluster.prefix > MAX_MASK_DIFF) {
    throw new FieldError("--node-cidr-mask-size", `/${maskSize} cuts ${formatCidr(cluster)} into more than 2^${MAX_MASK_DIFF} blocks (the max mask size difference is ${MAX_MASK_DIFF})`);
  }
  return { cluster, maskSize, blocks: 2 ** (maskSize - cluster.prefix) };
}

/** Block `index` of the set. */
export function blockAt(set: CidrSet, index: number): Cidr {
  return { base: (set.cluster.base + index * 2 ** (32 - set.maskSize)) >>> 0, prefix: set.maskSize };
}

/** The CIDRs of a Node's spec (podCIDRs, else podCIDR) that parse as IPv4 networks. */
export function nodePodCIDRs(spec: { podCIDR?: string; podCIDRs?: string[] } | undefined): Cidr[] {
  const texts = spec?.podCIDRs?.length ? spec.podCIDRs : spec?.podCIDR ? [spec.podCIDR] : [];
  return texts.map((t) => parseCidr(t, false)).filter((c): c is Cidr => c !== undefined);
}

/**
 * The first block at or after `start` (wrapping) overlapping none of `taken` — a taken CIDR of another size (a
 * node's --pod-cidr set by hand) blocks every block it touches. Undefined when the set is full.
 */
export function nextFree(set: CidrSet, taken: readonly Cidr[], start: number): { cidr: Cidr; index: number } | undefined {
  const inSet = taken.filter((c) => overlaps(c, set.cluster));
  const used = new Set<number>();
  const blockSize = 2 ** (32 - set.maskSize);
  for (const c of inSet) {
    const first = Math.max(c.base, set.cluster.base);
    const last = Math.min(lastAddress(c), lastAddress(set.cluster));
    for (let i = Math.floor((first - set.cluster.base) / blockSize); i <= Math.floor((last - set.cluster.base) / blockSize); i++) used.add(i);
  }
  for (let k = 0; k < set.blocks; k++) {
    const index = (((start + k) % set.blocks) + set.blocks) % set.blocks;
    if (!used.has(index)) return { cidr: blockAt(set, index), index };
  }
  return undefined;
}
