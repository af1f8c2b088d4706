/** A failure to reach the server at all (no daemon, no permission), as opposed to an API error. */
export class ConnectionError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = "ConnectionError";
  }
}
