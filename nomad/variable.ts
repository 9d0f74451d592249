import * as pulumi from "@pulumi/pulumi";
import { CONNECTION_SECRETS, NomadConnectionArgs, connectionInputs } from "./connection";
import { nomadVariableProvider } from "./variable-provider";
import { providerCode } from "./provider-code";
import { setInputs } from "./resource-inputs";

/** Address, token, TLS and headers: see NomadConnectionArgs (each falls back to the Nomad CLI's environment). */
export interface NomadVariableArgs extends Omit<NomadConnectionArgs, "region"> {
    /** e.g. "nomad/jobs/gitea" (readable by that job's tasks without a policy). */
    path: pulumi.Input<string>;
    /** The key/value pairs; stored as a secret. */
    items: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** Else NOMAD_NAMESPACE, else "default". A change replaces the variable. */
    namespace?: pulumi.Input<string>;
    /** How long to retry while Nomad is unreachable or has no leader. Default 600. */
    retryTimeoutSeconds?: pulumi.Input<number>;
    /**
     * Take over a variable that already exists at this path (Pulumi cannot import a dynamic
     * resource): the same items are recorded without a write; other items are refused (the preview
     * names the differing keys, never values) unless `overwriteAdopted` is set too.
     */
    adopt?: pulumi.Input<boolean>;
    /** With `adopt`: confirms that an existing variable with other items is overwritten. */
    overwriteAdopted?: pulumi.Input<boolean>;
}

/**
 * A Nomad Variable written with check-and-set over the HTTP API.
 * Type token: `pulumi-nodejs:dynamic/nomad:NomadVariable`.
 */
export class NomadVariable extends pulumi.CustomResource {
    declare public readonly path: pulumi.Output<string>;
    declare public readonly items: pulumi.Output<Record<string, string>>;
    declare public readonly namespace: pulumi.Output<string>;
    declare public readonly createIndex: pulumi.Output<number>;
    declare public readonly modifyIndex: pulumi.Output<number>;
    /** What `adopt` found and did (item keys only). */
    declare public readonly adopted: pulumi.Output<string | undefined>;
    declare public readonly token: pulumi.Output<string | undefined>;

    constructor(name: string, args: NomadVariableArgs, opts?: pulumi.CustomResourceOptions) {
        const { token, ...connection } = connectionInputs({ ...args, region: undefined });
        super(
            // What pulumi.dynamic.Resource registers, with the provider's code serialized once per build.
            "pulumi-nodejs:dynamic/nomad:NomadVariable",
            name,
            {
                ...setInputs({
                    __provider: providerCode("variable", "NomadVariable", nomadVariableProvider),
                    ...connection,
                    retryTimeoutSeconds: args.retryTimeoutSeconds,
                    adopt: args.adopt,
                    overwriteAdopted: args.overwriteAdopted,
                }),
                // Inputs that are also declared outputs: always keys.
                path: args.path,
                items: pulumi.secret(args.items),
                namespace: args.namespace ?? ((!args.ignoreEnv && process.env.NOMAD_NAMESPACE) || undefined),
                token,
                adopted: undefined,
                createIndex: undefined,
                modifyIndex: undefined,
            },
            pulumi.mergeOptions(opts, { additionalSecretOutputs: ["items", ...CONNECTION_SECRETS] }),
        );
    }
}
