/**
 * Namespaces, ACL policies and ACL tokens as resources: what an estate with
 * Nomad's ACLs on declares beside its jobs. Writing them needs a management
 * token (the one `nomad acl bootstrap` made).
 */
import * as pulumi from "@pulumi/pulumi";
import { nomadAclPolicyProvider, nomadAclTokenProvider, nomadNamespaceProvider } from "./acl-provider";
import { CONNECTION_SECRETS, NomadConnectionArgs, connectionInputs } from "./connection";
import { providerCode } from "./provider-code";

export interface NomadNamespaceArgs extends NomadConnectionArgs {
    /** Not "default", which always exists. A change replaces the namespace. */
    name: pulumi.Input<string>;
    description?: pulumi.Input<string>;
}

/** Type token `pulumi-nodejs:dynamic/nomad:NomadNamespace`. Nomad refuses to delete it while jobs or variables remain in it. */
export class NomadNamespace extends pulumi.CustomResource {
    declare public readonly name: pulumi.Output<string>;

    constructor(name: string, args: NomadNamespaceArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            "pulumi-nodejs:dynamic/nomad:NomadNamespace",
            name,
            {
                __provider: providerCode("namespace", "NomadNamespace", nomadNamespaceProvider),
                name: args.name,
                description: args.description,
                ...connectionInputs(args),
            },
            pulumi.mergeOptions(opts, { additionalSecretOutputs: CONNECTION_SECRETS }),
        );
    }
}

export interface NomadAclPolicyArgs extends NomadConnectionArgs {
    /** A change replaces the policy. */
    name: pulumi.Input<string>;
    description?: pulumi.Input<string>;
    /** HCL rules, checked by Nomad when written. */
    rules: pulumi.Input<string>;
}

/** Type token `pulumi-nodejs:dynamic/nomad:NomadAclPolicy`. A refresh sees rules edited in Nomad. */
export class NomadAclPolicy extends pulumi.CustomResource {
    declare public readonly name: pulumi.Output<string>;
    declare public readonly rules: pulumi.Output<string>;

    constructor(name: string, args: NomadAclPolicyArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            "pulumi-nodejs:dynamic/nomad:NomadAclPolicy",
            name,
            {
                __provider: providerCode("aclPolicy", "NomadAclPolicy", nomadAclPolicyProvider),
                name: args.name,
                description: args.description,
                rules: args.rules,
                ...connectionInputs(args),
            },
            pulumi.mergeOptions(opts, { additionalSecretOutputs: CONNECTION_SECRETS }),
        );
    }
}

export interface NomadAclTokenArgs extends NomadConnectionArgs {
    name: pulumi.Input<string>;
    /** The ACL policies the token gets (client tokens). */
    policies: pulumi.Input<pulumi.Input<string>[]>;
    /** "client" (default) or "management". A change replaces the token. */
    type?: pulumi.Input<"client" | "management">;
}

/** Type token `pulumi-nodejs:dynamic/nomad:NomadAclToken`. Nomad mints `secretId`, stored as a secret. */
export class NomadAclToken extends pulumi.CustomResource {
    declare public readonly accessorId: pulumi.Output<string>;
    /** The token itself (`X-Nomad-Token`, NOMAD_TOKEN): a secret. */
    declare public readonly secretId: pulumi.Output<string>;
    declare public readonly policies: pulumi.Output<string[]>;

    constructor(name: string, args: NomadAclTokenArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            "pulumi-nodejs:dynamic/nomad:NomadAclToken",
            name,
            {
                __provider: providerCode("aclToken", "NomadAclToken", nomadAclTokenProvider),
                name: args.name,
                policies: args.policies,
                type: args.type,
                ...connectionInputs(args),
                accessorId: undefined,
                secretId: undefined,
            },
            pulumi.mergeOptions(opts, { additionalSecretOutputs: ["secretId", ...CONNECTION_SECRETS] }),
        );
    }
}
