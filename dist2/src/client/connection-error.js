/** A failure to reach the server at all (no daemon, no permission), as opposed to an API error. */
export class ConnectionError extends Error {
    code;
    constructor(message, code) {
        super(message);
        this.code = code;
        this.name = "ConnectionError";
    }
}
//# sourceMappingURL=connection-error.js.map