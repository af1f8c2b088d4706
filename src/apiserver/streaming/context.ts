/** What a stream handler serves: which subresource of which pod, the node's streams behind it, the request query. */
import type { PodIO } from "../../api/pod-io.js";
import type { Pod } from "../../api/types.js";

export interface StreamContext {
  subresource: "exec" | "attach" | "portforward";
  pod: Pod;
  io: PodIO;
  query: URLSearchParams;
}
