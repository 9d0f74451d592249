/**
 * The error every client call throws. Serialized with the providers, so the
 * constructor sets each field itself (the closure serializer drops class field
 * declarations) and no message ever carries the token.
 */
import type { VariableMetadata } from "./api-types";

/**
 * An error from Nomad (an HTTP status with Nomad's plain-text message) or from
 * reaching it (no status). Carries the method and path, never the token.
 */
export class NomadError extends Error {
    /** HTTP status, or undefined when Nomad could not be reached. */
    readonly status: number | undefined;
    readonly method: string;
    /** Request path including the query string (which never holds secrets). */
    readonly path: string;
    /** Nomad's own message (plain-text body), or the network failure. */
    readonly nomadMessage: string;
    /** Whether the failure was a transient one (retried until the deadline). */
    readonly transient: boolean;
    /** Whether the failure is a lost `EnforceIndex` race. */
    readonly indexConflict: boolean;
    /** For a variable check-and-set conflict (409): the current variable, without items. */
    readonly conflict: VariableMetadata | undefined;

    constructor(
        method: string,
        path: string,
        status: number | undefined,
        nomadMessage: string,
        transient: boolean,
        conflict?: VariableMetadata,
        note?: string,
    ) {
        const where = `Nomad ${method} ${path}`;
        const message =
            status === undefined
                ? `${where} failed: ${nomadMessage}${note ? ` ${note}` : ""}`
                : `${where} returned ${status}: ${nomadMessage}${note ? ` ${note}` : ""}`;
        super(message);
        // Set explicitly: the closure serializer turns this class into a plain
        // function, where `super(message)` would not set them.
        this.message = message;
        this.name = "NomadError";
        this.status = status;
        this.method = method;
        this.path = path;
        this.nomadMessage = nomadMessage;
        this.transient = transient;
        this.indexConflict = status === 500 && /^Enforcing job modify index/.test(nomadMessage);
        this.conflict = conflict;
    }
}

/** Whether `e` is a NomadError (also across the serialization boundary). */
export function isNomadError(e: unknown): e is NomadError {
    return typeof e === "object" && e !== null && (e as { name?: unknown }).name === "NomadError" && "nomadMessage" in e;
}
