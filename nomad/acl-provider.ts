/**
 * Dynamic providers for what Nomad's ACLs are made of: namespaces, ACL
 * policies and ACL tokens, over the same API and connection as jobs.
 * Serialized into the state like the job provider: local modules only, no
 * captured config. A token's SecretID is an output (stored as a secret) and
 * never in a message.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { NomadAclClient } from "./acl-client";
import { Reach, UNKNOWN, clean, clientOptions, connectionChanged, guard, resourceError } from "./provider-common";

export interface NomadNamespaceInputs extends Reach {
    name: string;
    description?: string;
}

export interface NomadAclPolicyInputs extends Reach {
    name: string;
    description?: string;
    /** The policy's HCL rules, e.g. `namespace "apps" { policy = "write" }`. */
    rules: string;
}

export interface NomadAclTokenInputs extends Reach {
    name: string;
    policies: string[];
    /** "client" (default): only what its policies allow. */
    type?: "client" | "management";
}

export interface NomadAclTokenOutputs extends NomadAclTokenInputs {
    accessorId: string;
    secretId: string;
}

function aclClient(inputs: Reach): NomadAclClient {
    return new NomadAclClient(clientOptions(inputs));
}

function reachChanged(olds: Reach, news: Reach): boolean {
    return (
        olds.address !== news.address ||
        (olds.token ?? "") !== (news.token ?? "") ||
        (olds.region ?? "") !== (news.region ?? "") ||
        connectionChanged(olds, news)
    );
}

function checkReach(news: Reach, failures: dynamic.CheckFailure[]): void {
    if (typeof news.address !== "string" || news.address === "") {
        failures.push({ property: "address", reason: "the Nomad address is required, e.g. https://127.0.0.1:4646" });
    } else if (news.address !== UNKNOWN && !/^https?:\/\/[^/]+/.test(news.address)) {
        failures.push({ property: "address", reason: "expected an http(s) URL such as https://127.0.0.1:4646" });
    }
}

function checkName(kind: string, name: unknown, pattern: RegExp, failures: dynamic.CheckFailure[]): void {
    if (name === UNKNOWN) {
        return;
    }
    if (typeof name !== "string" || !pattern.test(name)) {
        failures.push({ property: "name", reason: `${kind} name ${JSON.stringify(name)} must match ${pattern.source}` });
    }
}

/** A namespace; "default" always exists and is never declared. */
export const nomadNamespaceProvider: dynamic.ResourceProvider = {
    async check(_olds: NomadNamespaceInputs, news: NomadNamespaceInputs): Promise<dynamic.CheckResult<NomadNamespaceInputs>> {
        const failures: dynamic.CheckFailure[] = [];
        checkReach(news, failures);
        checkName("namespace", news.name, /^[a-zA-Z0-9-]{1,128}$/, failures);
        if (news.name === "default") {
            failures.push({ property: "name", reason: 'the "default" namespace always exists in Nomad and cannot be managed' });
        }
        return { inputs: news, failures };
    },
    async diff(_id: string, olds: NomadNamespaceInputs, news: NomadNamespaceInputs): Promise<dynamic.DiffResult> {
        const replaces = olds.name !== news.name ? ["name"] : [];
        const changes = replaces.length > 0 || (olds.description ?? "") !== (news.description ?? "") || reachChanged(olds, news);
        return { changes, replaces, deleteBeforeReplace: false };
    },
    async create(inputs: NomadNamespaceInputs): Promise<dynamic.CreateResult<NomadNamespaceInputs>> {
        return guard(
            (e) => resourceError("NomadNamespace", inputs.name, "create", e),
            async () => {
                await aclClient(inputs).putNamespace({ Name: inputs.name, Description: inputs.description });
                return { id: inputs.name, outs: clean({ ...inputs }) };
            },
        );
    },
    async read(id: string, props: NomadNamespaceInputs): Promise<dynamic.ReadResult<NomadNamespaceInputs>> {
        return guard(
            (e) => resourceError("NomadNamespace", id, "refresh", e),
            async () => {
                const ns = await aclClient(props).readNamespace(props.name ?? id);
                return ns ? { id, props: clean({ ...props, description: ns.Description || undefined }) } : {};
            },
        );
    },
    async update(_id: string, _olds: NomadNamespaceInputs, news: NomadNamespaceInputs): Promise<dynamic.UpdateResult<NomadNamespaceInputs>> {
        return guard(
            (e) => resourceError("NomadNamespace", news.name, "update", e),
            async () => {
                await aclClient(news).putNamespace({ Name: news.name, Description: news.description });
                return { outs: clean({ ...news }) };
            },
        );
    },
    async delete(id: string, props: NomadNamespaceInputs): Promise<void> {
        await guard(
            (e) => resourceError("NomadNamespace", id, "delete", e),
            () => aclClient(props).deleteNamespace(props.name ?? id),
        );
    },
};

/** An ACL policy; Nomad checks its rules when it is written. */
export const nomadAclPolicyProvider: dynamic.ResourceProvider = {
    async check(_olds: NomadAclPolicyInputs, news: NomadAclPolicyInputs): Promise<dynamic.CheckResult<NomadAclPolicyInputs>> {
        const failures: dynamic.CheckFailure[] = [];
        checkReach(news, failures);
        checkName("ACL policy", news.name, /^[a-zA-Z0-9-]{1,128}$/, failures);
        if (news.rules !== UNKNOWN && (typeof news.rules !== "string" || news.rules.trim() === "")) {
            failures.push({ property: "rules", reason: "the policy's rules are required" });
        }
        return { inputs: news, failures };
    },
    async diff(_id: string, olds: NomadAclPolicyInputs, news: NomadAclPolicyInputs): Promise<dynamic.DiffResult> {
        const replaces = olds.name !== news.name ? ["name"] : [];
        const changes = replaces.length > 0 || olds.rules !== news.rules || (olds.description ?? "") !== (news.description ?? "") || reachChanged(olds, news);
        return { changes, replaces, deleteBeforeReplace: false };
    },
    async create(inputs: NomadAclPolicyInputs): Promise<dynamic.CreateResult<NomadAclPolicyInputs>> {
        return guard(
            (e) => resourceError("NomadAclPolicy", inputs.name, "create", e),
            async () => {
                await aclClient(inputs).putPolicy({ Name: inputs.name, Description: inputs.description, Rules: inputs.rules });
                return { id: inputs.name, outs: clean({ ...inputs }) };
            },
        );
    },
    /** The server's rules: a policy edited in Nomad shows as a diff after refresh. */
    async read(id: string, props: NomadAclPolicyInputs): Promise<dynamic.ReadResult<NomadAclPolicyInputs>> {
        return guard(
            (e) => resourceError("NomadAclPolicy", id, "refresh", e),
            async () => {
                const p = await aclClient(props).readPolicy(props.name ?? id);
                return p ? { id, props: clean({ ...props, rules: p.Rules, description: p.Description || undefined }) } : {};
            },
        );
    },
    async update(_id: string, _olds: NomadAclPolicyInputs, news: NomadAclPolicyInputs): Promise<dynamic.UpdateResult<NomadAclPolicyInputs>> {
        return guard(
            (e) => resourceError("NomadAclPolicy", news.name, "update", e),
            async () => {
                await aclClient(news).putPolicy({ Name: news.name, Description: news.description, Rules: news.rules });
                return { outs: clean({ ...news }) };
            },
        );
    },
    async delete(id: string, props: NomadAclPolicyInputs): Promise<void> {
        await guard(
            (e) => resourceError("NomadAclPolicy", id, "delete", e),
            () => aclClient(props).deletePolicy(props.name ?? id),
        );
    },
};

/** An ACL token Nomad mints; its SecretID is an output, kept as a secret. Policy or name changes keep the SecretID. */
export const nomadAclTokenProvider: dynamic.ResourceProvider = {
    async check(_olds: NomadAclTokenInputs, news: NomadAclTokenInputs): Promise<dynamic.CheckResult<NomadAclTokenInputs>> {
        const failures: dynamic.CheckFailure[] = [];
        checkReach(news, failures);
        if (news.name !== UNKNOWN && (typeof news.name !== "string" || news.name === "")) {
            failures.push({ property: "name", reason: "the token's name is required" });
        }
        const type = news.type ?? "client";
        if (type === "client" && Array.isArray(news.policies) && news.policies.length === 0) {
            failures.push({ property: "policies", reason: "a client token needs at least one policy" });
        }
        return { inputs: news, failures };
    },
    async diff(_id: string, olds: NomadAclTokenOutputs, news: NomadAclTokenInputs): Promise<dynamic.DiffResult> {
        const replaces = (olds.type ?? "client") !== (news.type ?? "client") ? ["type"] : [];
        const samePolicies = JSON.stringify([...(olds.policies ?? [])].sort()) === JSON.stringify([...(news.policies ?? [])].sort());
        const changes = replaces.length > 0 || olds.name !== news.name || !samePolicies || reachChanged(olds, news);
        return { changes, replaces, deleteBeforeReplace: false };
    },
    async create(inputs: NomadAclTokenInputs): Promise<dynamic.CreateResult<NomadAclTokenOutputs>> {
        return guard(
            (e) => resourceError("NomadAclToken", inputs.name, "create", e),
            async () => {
                const t = await aclClient(inputs).putToken({ Name: inputs.name, Type: inputs.type ?? "client", Policies: inputs.policies ?? [] });
                return { id: t.AccessorID, outs: clean({ ...inputs, accessorId: t.AccessorID, secretId: t.SecretID }) };
            },
        );
    },
    /** Absent → gone (a token deleted in Nomad is minted again by the next `up`); otherwise its name and policies as Nomad has them. */
    async read(id: string, props: NomadAclTokenOutputs): Promise<dynamic.ReadResult<NomadAclTokenOutputs>> {
        return guard(
            (e) => resourceError("NomadAclToken", props.name ?? id, "refresh", e),
            async () => {
                const t = await aclClient(props).readToken(id);
                return t ? { id, props: clean({ ...props, name: t.Name, policies: t.Policies ?? [] }) } : {};
            },
        );
    },
    async update(id: string, olds: NomadAclTokenOutputs, news: NomadAclTokenInputs): Promise<dynamic.UpdateResult<NomadAclTokenOutputs>> {
        return guard(
            (e) => resourceError("NomadAclToken", news.name, "update", e),
            async () => {
                const samePolicies = JSON.stringify([...(olds.policies ?? [])].sort()) === JSON.stringify([...(news.policies ?? [])].sort());
                if (olds.name === news.name && samePolicies && olds.address === news.address) {
                    return { outs: clean({ ...news, accessorId: olds.accessorId, secretId: olds.secretId }) };
                }
                const t = await aclClient(news).putToken({ AccessorID: id, Name: news.name, Type: news.type ?? "client", Policies: news.policies ?? [] });
                return { outs: clean({ ...news, accessorId: t.AccessorID, secretId: t.SecretID }) };
            },
        );
    },
    async delete(id: string, props: NomadAclTokenOutputs): Promise<void> {
        await guard(
            (e) => resourceError("NomadAclToken", props.name ?? id, "delete", e),
            () => aclClient(props).deleteToken(id),
        );
    },
};
