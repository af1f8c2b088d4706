/**
 * Reading query parameters the way kube-apiserver does. Shared by the handlers that serve a request and the
 * authorizer's request attributes, so both read a request the same way.
 */

/** A query parameter as a boolean the way Go's strconv.ParseBool reads it. */
export function queryBool(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v === "true" || v === "1" || v === "True" || v === "TRUE" || v === "t";
}
