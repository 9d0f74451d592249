/**
 * The dynamic provider behind NomadVariable. Serialized into the state like
 * the job provider: Node built-ins and local modules only, no captured secrets.
 * Item values and the token never appear in a message or a log line.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import type { Variable } from "./api-types";
import type { NomadClient } from "./client";
import { isNomadError } from "./errors";
import { Reach, UNKNOWN, clientFor, connectionChanged, guard, log, resourceError } from "./provider-common";
import { checkAdoption, itemKeyDifference, refusal, sameItems } from "./variable-adopt";

export interface NomadVariableInputs extends Reach {
    path: string;
    items: Record<string, string>;
    namespace?: string;
    address: string;
    token?: string;
    retryTimeoutSeconds?: number;
    /** Create takes over a variable that already exists: the same items are recorded without a write. */
    adopt?: boolean;
    /** With `adopt`: an existing variable with other items is overwritten (otherwise refused). */
    overwriteAdopted?: boolean;
    /** With `adopt`: set by check (what create will do) and by create (what it did); item keys only. */
    adopted?: string;
}

export interface NomadVariableOutputs extends NomadVariableInputs {
    namespace: string;
    createIndex: number;
    modifyIndex: number;
}

function outputsOf(inputs: NomadVariableInputs, v: Variable): NomadVariableOutputs {
    const out: NomadVariableOutputs = {
        path: inputs.path,
        items: v.Items ?? inputs.items,
        namespace: v.Namespace || inputs.namespace || "default",
        address: inputs.address,
        createIndex: v.CreateIndex,
        modifyIndex: v.ModifyIndex,
    };
    if (inputs.token !== undefined) {
        out.token = inputs.token;
    }
    for (const k of ["retryTimeoutSeconds", "adopt", "overwriteAdopted", "adopted"] as const) {
        if (inputs[k] !== undefined) {
            (out as unknown as Record<string, unknown>)[k] = inputs[k];
        }
    }
    if (inputs.tls !== undefined) {
        out.tls = inputs.tls;
    }
    if (inputs.headers !== undefined) {
        out.headers = inputs.headers;
    }
    return out;
}

/** Plain Errors out of the provider; messages name the path, never the items. */
function variableGuard<T>(path: string, action: string, fn: () => Promise<T>): Promise<T> {
    return guard((e) => resourceError("NomadVariable", path, action, e), fn);
}

/**
 * Write with check-and-set. A 409 whose current items already equal ours (a
 * retried request that had in fact succeeded) is success; any other 409 is a
 * conflict error that names the path and says what to do.
 */
async function casPut(client: NomadClient, inputs: NomadVariableInputs, namespace: string, cas: number | undefined, creating: boolean): Promise<Variable> {
    try {
        return await client.putVariable(inputs.path, inputs.items, { namespace, cas });
    } catch (e) {
        if (!isNomadError(e) || e.status !== 409) {
            throw e;
        }
        const current = await client.getVariable(inputs.path, { namespace });
        if (current && sameItems(current.Items, inputs.items)) {
            return current;
        }
        const now = current ? `its modify index is now ${current.ModifyIndex}` : "it no longer exists";
        if (creating) {
            throw new Error(
                `NomadVariable "${inputs.path}" (namespace "${namespace}") already exists in Nomad with other items (${now}), ` +
                    `so it was not overwritten. It was created outside this stack: remove it in Nomad (or choose another path), then run \`pulumi up\` again.`,
                { cause: e },
            );
        }
        throw new Error(
            `NomadVariable "${inputs.path}" (namespace "${namespace}") was changed in Nomad since Pulumi last read it ` +
                `(check-and-set index ${cas}; ${now}), so it was not overwritten. Run \`pulumi refresh\`, then \`pulumi up\` again.`,
            { cause: e },
        );
    }
}

export const nomadVariableProvider: dynamic.ResourceProvider<NomadVariableInputs, NomadVariableOutputs> = {
    /** Validation only; never calls Nomad and never echoes an item value. */
    async check(olds: NomadVariableInputs, news: NomadVariableInputs): Promise<dynamic.CheckResult<NomadVariableInputs>> {
        const inputs: NomadVariableInputs = { ...news };
        delete inputs.adopted;
        const failures: dynamic.CheckFailure[] = [];
        if (typeof news.path !== "string" || news.path === "") {
            failures.push({ property: "path", reason: "path is required, e.g. nomad/jobs/<job>" });
        } else if (news.path !== UNKNOWN && !/^[a-zA-Z0-9\-_~/]{1,128}$/.test(news.path)) {
            failures.push({ property: "path", reason: `path ${JSON.stringify(news.path)} must match ^[a-zA-Z0-9-_~/]{1,128}$` });
        }
        if (typeof news.address !== "string" || news.address === "") {
            failures.push({ property: "address", reason: "the Nomad address is required, e.g. http://127.0.0.1:4646" });
        } else if (news.address !== UNKNOWN && !/^https?:\/\/[^/]+/.test(news.address)) {
            failures.push({ property: "address", reason: "expected an http(s) URL such as http://127.0.0.1:4646" });
        }
        const items = news.items as unknown;
        if (items !== UNKNOWN) {
            if (typeof items !== "object" || items === null || Array.isArray(items)) {
                failures.push({ property: "items", reason: "items must be a map of strings" });
            } else {
                const keys = Object.keys(items);
                if (keys.length === 0) {
                    failures.push({ property: "items", reason: "items must not be empty (Nomad rejects an empty variable)" });
                }
                let size = 0;
                for (const k of keys) {
                    const v = (items as Record<string, unknown>)[k];
                    if (typeof v !== "string") {
                        failures.push({ property: "items", reason: `item ${JSON.stringify(k)} must be a string` });
                    } else {
                        size += k.length + v.length;
                    }
                }
                if (size > 64 * 1024) {
                    failures.push({ property: "items", reason: `items total about ${size} bytes; Nomad allows at most 64 KiB per variable` });
                }
            }
        }
        if (typeof news.namespace !== "string" || news.namespace === "") {
            inputs.namespace = "default";
        }
        if (failures.length) {
            return { inputs, failures };
        }
        // Only a create with adopt asks Nomad (one read); an existing resource keeps what it recorded.
        const creating = !olds || typeof olds.path !== "string";
        if (creating && news.adopt) {
            const { note, refused } = await checkAdoption(inputs);
            if (refused) {
                return { inputs, failures: [{ property: "items", reason: refused }] };
            }
            inputs.adopted = note;
        } else if (olds?.adopted !== undefined) {
            inputs.adopted = olds.adopted;
        }
        return { inputs };
    },

    /** Pure comparison: path or namespace change replaces; items, address, token update. */
    async diff(_id: string, olds: NomadVariableOutputs, news: NomadVariableInputs): Promise<dynamic.DiffResult> {
        const replaces: string[] = [];
        if (olds.path !== news.path) {
            replaces.push("path");
        }
        if ((olds.namespace || "default") !== (news.namespace || "default")) {
            replaces.push("namespace");
        }
        const changes =
            replaces.length > 0 ||
            news.items === (UNKNOWN as unknown) ||
            !sameItems(olds.items, news.items) ||
            olds.address !== news.address ||
            (olds.token ?? "") !== (news.token ?? "") ||
            connectionChanged(olds, news) ||
            (olds.retryTimeoutSeconds ?? 600) !== (news.retryTimeoutSeconds ?? 600);
        return { changes, replaces, deleteBeforeReplace: false };
    },

    /** PUT with cas=0: create only if absent. With `adopt`, an existing variable is taken over (see ./variable-adopt). */
    async create(inputs: NomadVariableInputs): Promise<dynamic.CreateResult<NomadVariableOutputs>> {
        return variableGuard(inputs.path, "create", async () => {
            const namespace = inputs.namespace || "default";
            const id = `${namespace}/${inputs.path}`;
            const client = clientFor(inputs);
            const current = inputs.adopt ? await client.getVariable(inputs.path, { namespace }) : undefined;
            if (!current) {
                const v = await casPut(client, inputs, namespace, 0, true);
                const adopted = inputs.adopt ? `created: no variable "${inputs.path}" was in Nomad to adopt` : undefined;
                return { id, outs: outputsOf({ ...inputs, namespace, adopted }, v) };
            }
            const keys = Object.keys(current.Items ?? {}).sort();
            if (sameItems(current.Items, inputs.items)) {
                const adopted = `adopted at modify index ${current.ModifyIndex} with the same items (${keys.join(", ")}), without a write`;
                log(`variable "${inputs.path}": ${adopted}`);
                return { id, outs: outputsOf({ ...inputs, namespace, adopted }, current) };
            }
            if (!inputs.overwriteAdopted) {
                throw new Error(refusal({ ...inputs, namespace }, current));
            }
            // Confirmed: replace exactly the version read (check-and-set on its index).
            const adopted = `adopted at modify index ${current.ModifyIndex} and overwritten (${itemKeyDifference(current.Items ?? {}, inputs.items)})`;
            const v = await casPut(client, inputs, namespace, current.ModifyIndex, false);
            log(`variable "${inputs.path}": ${adopted}`);
            return { id, outs: outputsOf({ ...inputs, namespace, adopted }, v) };
        });
    },

    /** Absent → gone; otherwise the server's items and indexes (a change made in Nomad shows as a diff). */
    async read(id: string, props?: NomadVariableOutputs): Promise<dynamic.ReadResult<NomadVariableOutputs>> {
        if (!props || typeof props.address !== "string") {
            throw new Error(`NomadVariable "${id}": cannot read without the stored address (importing is not supported)`);
        }
        return variableGuard(props.path, "refresh", async () => {
            const namespace = props.namespace || "default";
            const v = await clientFor(props).getVariable(props.path, { namespace });
            if (!v) {
                return {};
            }
            return { id, props: outputsOf({ ...props, namespace }, v) };
        });
    },

    /** PUT with cas=<last ModifyIndex>; nothing to send when only token/timeouts changed. */
    async update(_id: string, olds: NomadVariableOutputs, news: NomadVariableInputs): Promise<dynamic.UpdateResult<NomadVariableOutputs>> {
        return variableGuard(news.path, "update", async () => {
            const namespace = news.namespace || "default";
            const moved = olds.address !== news.address;
            if (!moved && sameItems(olds.items, news.items)) {
                return {
                    outs: outputsOf(
                        { ...news, namespace },
                        {
                            Namespace: namespace,
                            Path: news.path,
                            CreateIndex: olds.createIndex,
                            ModifyIndex: olds.modifyIndex,
                            Items: news.items,
                        },
                    ),
                };
            }
            // At a new address (a new cluster, or the same one renamed) there is no index to check against.
            const cas = moved ? undefined : olds.modifyIndex;
            const v = await casPut(clientFor(news), news, namespace, cas, false);
            return { outs: outputsOf({ ...news, namespace }, v) };
        });
    },

    /** DELETE; an absent variable is success. */
    async delete(_id: string, props: NomadVariableOutputs): Promise<void> {
        await variableGuard(props.path, "delete", async () => {
            await clientFor(props).deleteVariable(props.path, { namespace: props.namespace || "default" });
        });
    },
};
