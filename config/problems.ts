// What a config check reports: the full key, a code that code can act on, and a message for people.
// Every problem is collected, none stops the check, so a user fixes the whole stack at once.

/** What kind of problem it is, so programs (the render, generators) never parse messages. */
export type ProblemCode =
    /** A key or field the program does not read, or a setting the app does not have. */
    | "unknown-key"
    /** A secret put inside an object; secrets are top-level keys. */
    | "misplaced-secret"
    /** A secret stored without `--secret`. */
    | "plain-text-secret"
    /** A secret config must set, and does not. */
    | "secret-required"
    /** A setting config must set, and does not. */
    | "required"
    /** Two settings that do not go together. */
    | "conflict"
    /** A value of the wrong type, form or range. */
    | "invalid";

export interface Problem {
    /** The full config key, e.g. `hydra:node.region` or `hydra:cloudflare.records[2].type`. */
    key: string;
    code: ProblemCode;
    /** Says what is wrong and, where it can, how to put it right. Never holds a secret's value. */
    message: string;
}

/** A problem as the user reads it: `hydra:node.region: "blr-1" is not …`. */
export function problemLine(p: Problem): string {
    return `${p.key}: ${p.message}`;
}

const SHOWN_LENGTH = 80;

/** Shows a value the way a user typed it, for messages; long values are cut short. */
export function show(v: unknown): string {
    const text = v === undefined ? "nothing" : (JSON.stringify(v) ?? String(v));
    return text.length > SHOWN_LENGTH ? `${text.slice(0, SHOWN_LENGTH)}…` : text;
}

/** Collects the problems of one check. */
export class Problems {
    readonly list: Problem[] = [];

    add(key: string, code: ProblemCode, message: string): void {
        this.list.push({ key, code, message });
    }

    /** Whether a problem is already reported for `key` or anything under it, so one mistake is reported once. */
    has(key: string): boolean {
        return this.list.some((p) => p.key === key || p.key.startsWith(`${key}.`) || p.key.startsWith(`${key}[`));
    }

    get empty(): boolean {
        return this.list.length === 0;
    }
}
