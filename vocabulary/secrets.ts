// How the estate declares a secret, and how a job refers to one without holding its value.

/** Reads another secret's value from config while deciding whether one is required (never printed). */
export type SecretLookup = (key: string) => string | undefined;

export interface SecretDeclaration {
    /** The top-level config key, set with `pulumi config set --secret <key> <value>`. */
    key: string;
    /** One line for the README, Pulumi.yaml and error messages. */
    description: string;
    /**
     * Made with `@pulumi/random` when config does not set it and kept, encrypted,
     * in the state. Only for machine-to-machine secrets.
     */
    generate?: { length: number };
    /**
     * Config must set it while the app runs (and `when` holds): a secret a person
     * keeps, never generated. `why` completes "is required …".
     */
    required?: { why: string; when?: (value: SecretLookup) => boolean };
    /** An example value for the README's command line. */
    example?: string;
}

/** A job's reference to a declared secret; the component resolves it into a value. */
export interface SecretRef {
    readonly secret: string;
}

export function secretRef(key: string): SecretRef {
    return { secret: key };
}

export function isSecretRef(v: unknown): v is SecretRef {
    return typeof v === "object" && v !== null && typeof (v as SecretRef).secret === "string";
}
