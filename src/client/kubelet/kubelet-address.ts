/**
 * Where the API server dials a node's kubelet: an address from the Node's status.addresses, in the order of
 * `preferredAddressTypes` (kube-apiserver's --kubelet-preferred-address-types; nodelet's default puts InternalIP
 * first, since node names on a cluster of machines need not resolve), and the port the kubelet published in
 * status.daemonEndpoints.kubeletEndpoint.Port (`defaultPort`, --kubelet-port's 10250, when it published none).
 * Pure.
 */
import { ApiError } from "../../api/errors.js";
import type { Node, Pod } from "../../api/types.js";

export const DEFAULT_ADDRESS_TYPES = ["InternalIP", "ExternalIP", "Hostname", "InternalDNS", "ExternalDNS"] as const;
export const DEFAULT_KUBELET_PORT = 10250;

export interface KubeletEndpoint {
  nodeName: string;
  host: string;
  port: number;
}

/** The pod's node name; BadRequest for a pod not bound yet (the API server's own wording). */
export function podNodeName(pod: Pod): string {
  const name = pod.spec.nodeName;
  if (!name) throw ApiError.badRequest(`pod ${pod.metadata.name ?? ""} does not have a host assigned`);
  return name;
}

/** The kubelet of `node`: its preferred address and its port. ApiError when it lists no address of those types. */
export function kubeletEndpoint(node: Node, preferredAddressTypes: readonly string[] = DEFAULT_ADDRESS_TYPES, defaultPort = DEFAULT_KUBELET_PORT): KubeletEndpoint {
  const addresses = node.status?.addresses ?? [];
  for (const type of preferredAddressTypes) {
    const a = addresses.find((x) => x.type === type && x.address);
    if (a) {
      const published = node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
      const port = published && published > 0 && published < 65536 ? published : defaultPort;
      return { nodeName: node.metadata.name ?? "", host: a.address, port };
    }
  }
  const known = addresses.map((a) => `{${a.type} ${a.address}}`).join(" ");
  throw new ApiError("ServiceUnavailable", `no preferred addresses found; known addresses: [${known}]`);
}
