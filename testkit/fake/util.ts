/** Small helpers the fake's parts share; nothing here knows Nomad. */

export type Obj = Record<string, any>;

export const NS = 1e9;

export function clone<T>(v: T): T {
    return v === undefined ? v : JSON.parse(JSON.stringify(v));
}

/** Stable JSON (sorted keys) for spec comparison. */
export function stable(v: unknown): string {
    if (Array.isArray(v)) {
        return "[" + v.map(stable).join(",") + "]";
    }
    if (v && typeof v === "object") {
        const o = v as Obj;
        return (
            "{" +
            Object.keys(o)
                .filter((k) => o[k] !== undefined)
                .sort()
                .map((k) => JSON.stringify(k) + ":" + stable(o[k]))
                .join(",") +
            "}"
        );
    }
    return JSON.stringify(v ?? null);
}

const SERVER_FIELDS = ["Status", "StatusDescription", "Version", "Stable", "SubmitTime", "CreateIndex", "ModifyIndex", "JobModifyIndex"];

function specOf(job: Obj): Obj {
    const s = clone(job);
    for (const f of SERVER_FIELDS) {
        delete s[f];
    }
    return s;
}

export function specEqual(a: Obj, b: Obj): boolean {
    return stable(specOf(a)) === stable(specOf(b));
}

/** An error the fake answers with: plain text (Nomad's way), or a JSON body (a 409 carries the variable). */
export class HttpError extends Error {
    constructor(
        readonly status: number,
        message: string,
        readonly body?: unknown,
    ) {
        super(message);
    }
}

/** The parts of a task whose change forces a destructive (create/destroy) update. */
export function taskCore(t: Obj): Obj {
    return {
        Name: t.Name,
        Driver: t.Driver,
        User: t.User,
        Config: t.Config,
        Env: t.Env,
        Resources: t.Resources,
        Templates: t.Templates,
        Artifacts: t.Artifacts,
        VolumeMounts: t.VolumeMounts,
    };
}
