/**
 * `adopt` for NomadVariable: taking over a variable that already exists. Same
 * items → recorded without a write; other items → refused unless
 * `overwriteAdopted` confirms, and then replaced with check-and-set on the
 * index read. Only item keys are ever named, never values. Serialized with
 * the variable provider.
 */
import type { Variable } from "./api-types";
import { canonicalJson } from "./normalize";
import { clientFor, hasUnknown } from "./provider-common";

/** What a variable resource says about itself and about adopting (NomadVariableInputs extends it). */
export interface AdoptingVariable {
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
}

export function sameItems(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
    return canonicalJson(a ?? {}) === canonicalJson(b ?? {});
}

/** How two sets of items differ, by key only: "changed: a, b; only in Nomad: c; only in ours: d". */
export function itemKeyDifference(current: Record<string, string>, ours: Record<string, string>): string {
    const changed: string[] = [];
    const onlyCurrent: string[] = [];
    const onlyOurs: string[] = [];
    for (const k of Object.keys(current).sort()) {
        if (!(k in ours)) {
            onlyCurrent.push(k);
        } else if (current[k] !== ours[k]) {
            changed.push(k);
        }
    }
    for (const k of Object.keys(ours).sort()) {
        if (!(k in current)) {
            onlyOurs.push(k);
        }
    }
    const parts: string[] = [];
    if (changed.length) {
        parts.push(`changed: ${changed.join(", ")}`);
    }
    if (onlyCurrent.length) {
        parts.push(`only in Nomad: ${onlyCurrent.join(", ")}`);
    }
    if (onlyOurs.length) {
        parts.push(`only in ours: ${onlyOurs.join(", ")}`);
    }
    return parts.join("; ") || "the same keys";
}

function label(v: AdoptingVariable): string {
    return `NomadVariable "${v.path}" (namespace "${v.namespace || "default"}")`;
}

/** The refusal: what differs (keys only), and the flag that confirms an overwrite. */
export function refusal(v: AdoptingVariable, current: Variable): string {
    return (
        `${label(v)}: adopt found it in Nomad with other items (${itemKeyDifference(current.Items ?? {}, v.items)}; ` +
        `modify index ${current.ModifyIndex}), so it is not overwritten. Put Nomad's values into the config first, ` +
        `or set overwriteAdopted to replace them with ours.`
    );
}

/** What adopting will do, for the preview (never a value). */
export function adoptionPreview(v: AdoptingVariable, current: Variable | undefined): { note: string; refused?: string } {
    if (!current) {
        return { note: `adopt: no variable "${v.path}" in Nomad, so it is created` };
    }
    const keys = Object.keys(current.Items ?? {}).sort();
    if (sameItems(current.Items, v.items)) {
        return { note: `adopt: variable "${v.path}" exists with the same items (${keys.join(", ")}); recorded without a write` };
    }
    if (!v.overwriteAdopted) {
        return { note: "", refused: refusal(v, current) };
    }
    return {
        note: `adopt: variable "${v.path}" exists with other items (${itemKeyDifference(current.Items ?? {}, v.items)}); overwriteAdopted replaces them with ours`,
    };
}

/**
 * At check time, for a create with `adopt`: read the variable (one quick call) and say what will
 * happen, or refuse. Unknown address or items (a first preview) are compared at create instead.
 */
export async function checkAdoption(v: AdoptingVariable): Promise<{ note: string; refused?: string }> {
    if (hasUnknown(v.address) || hasUnknown(v.path) || hasUnknown(v.namespace) || hasUnknown(v.token)) {
        return { note: "adopt: the variable is read when it is created (its address or path is not known yet)" };
    }
    let current: Variable | undefined;
    try {
        current = await clientFor(v, true).getVariable(v.path, { namespace: v.namespace || "default" });
    } catch (e) {
        const why = typeof e === "object" && e !== null && "message" in e ? String((e as Error).message) : String(e);
        return { note: `adopt: Nomad could not be asked now (${why}); the variable is read when it is created` };
    }
    if (current && hasUnknown(v.items)) {
        return {
            note: `adopt: variable "${v.path}" exists (keys ${Object.keys(current.Items ?? {})
                .sort()
                .join(", ")}); ours is compared with it when created`,
        };
    }
    return adoptionPreview(v, current);
}
