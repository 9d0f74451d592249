// Mandatory: the data volume and the DNS zone are protected from deletion.
import { describe, ResourceView, str, TYPES } from "./common";

/** Types whose deletion loses data: every app's files, every record of the zone (ours or not). */
export const MUST_BE_PROTECTED: Record<string, string> = {
    [TYPES.volume]: "it holds every app's data under /data",
    [TYPES.zone]: "deleting a zone deletes every record in it",
};

export function protectViolations(r: ResourceView): string[] {
    const why = MUST_BE_PROTECTED[r.type];
    if (!why || r.protect) {
        return [];
    }
    const name = str(r.props.name);
    return [`${describe(r)}${name ? ` (${name})` : ""} is not protected, and ${why}: set the resource option protect: true`];
}
