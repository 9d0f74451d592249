import * as pulumi from "@pulumi/pulumi";
import { NomadAclPolicy, NomadAclToken, NomadConnectionArgs, NomadNamespace } from "../nomad";
import { TYPE_TOKENS } from "../vocabulary";
import { ACL_NAMES, deployerPolicy, operatorReadOnlyPolicy } from "./nomadAclPolicies";

export interface NomadAccessArgs {
    /** The estate's namespace; made unless it is "default", which always exists. */
    namespace: string;
    /** With a management token: ACL policies and tokens are written with it. */
    connection: NomadConnectionArgs;
}

/**
 * Nomad's ACLs as part of the estate: its namespace, the deployer's policy, and a read-only
 * operator token (Nomad mints its secret; a stack output, kept secret). The bootstrap that made
 * the management token is not here: it is a one-off (the node's first boot, or `nomad acl bootstrap`).
 */
export class NomadAccess extends pulumi.ComponentResource {
    /** Jobs and variables depend on it: the namespace exists before them and goes after them. */
    readonly namespace?: NomadNamespace;
    readonly deployerPolicy: NomadAclPolicy;
    readonly operatorPolicy: NomadAclPolicy;
    readonly operatorToken: NomadAclToken;

    constructor(name: string, args: NomadAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TYPE_TOKENS.access, name, {}, opts);
        const parent = { parent: this };
        const connection = args.connection;
        if (args.namespace !== "default") {
            this.namespace = new NomadNamespace(
                `${name}-namespace`,
                { name: args.namespace, description: "The Hydra estate's jobs and variables", ...connection },
                parent,
            );
        }
        // A policy may name a namespace that does not exist yet; it is made first anyway, for the reader.
        const after = { ...parent, dependsOn: this.namespace ? [this.namespace] : [] };
        this.deployerPolicy = new NomadAclPolicy(
            `${name}-deployer`,
            { name: ACL_NAMES.deployer, description: "Deploys the Hydra estate's jobs and variables", rules: deployerPolicy(args.namespace), ...connection },
            after,
        );
        this.operatorPolicy = new NomadAclPolicy(
            `${name}-operator-read-only`,
            {
                name: ACL_NAMES.operatorReadOnly,
                description: "Reads the Hydra estate's jobs, nodes and agent; no variables, no logs",
                rules: operatorReadOnlyPolicy(args.namespace),
                ...connection,
            },
            after,
        );
        this.operatorToken = new NomadAclToken(
            `${name}-operator-token`,
            { name: ACL_NAMES.operatorToken, policies: [this.operatorPolicy.name], ...connection },
            { ...parent, dependsOn: [this.operatorPolicy] },
        );
        this.registerOutputs({ operatorToken: this.operatorToken.secretId });
    }
}
