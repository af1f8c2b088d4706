/** URL paths of resources, as the API server lays them out (see apiserver/router.ts). */
import type { ResourceInfo } from "../api/resources.js";

/**
 * `/api/v1/namespaces/NS/pods/NAME/SUB`, `/apis/G/V/KIND`, … The namespace is used only for namespaced kinds;
 * omitted for a namespaced kind, the path spans all namespaces.
 */
export function resourcePath(info: ResourceInfo, namespace?: string, name?: string, subresource?: string): string {
  let path = info.group ? `/apis/${info.group}/${info.version}` : `/api/${info.version}`;
  if (info.namespaced && namespace) path += `/namespaces/${encodeURIComponent(namespace)}`;
  path += `/${info.plural}`;
  if (name !== undefined) path += `/${encodeURIComponent(name)}`;
  if (subresource) path += `/${subresource}`;
  return path;
}
