/** The shape of one authenticated registry request (client.ts sends it; push.ts builds them). */
import type { Credentials } from "./credentials.js";
import type { RegistryErrorContext } from "./errors.js";
import type { Endpoint } from "./hosts.js";
import type { HttpRequest } from "./transport.js";

/** One request to a registry endpoint, on behalf of one repository, with the scopes it needs. */
export interface Call {
  ep: Endpoint;
  ctx: RegistryErrorContext;
  scopes: string[];
  creds: Credentials[];
  req: Omit<HttpRequest, "authorization" | "ca">;
}
