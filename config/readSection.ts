// Parses one config object with its zod schema and turns every issue into a problem under its full key.
import { z } from "zod";
import { didYouMean } from "./closest";
import { ProblemCode, Problems, show } from "./problems";

/** What to say about a field put in an object by mistake: a secret with its own key, a setting the app lacks. */
export interface FieldHint {
    code: ProblemCode;
    message: string;
}

export interface UnknownFields {
    /** Fields people put here by mistake, and what to say about each. */
    hints?: Record<string, FieldHint>;
    /** Words the problem for any other unknown field; by default "is not a known setting", with "did you mean". */
    unknown?: (field: string, known: string[]) => string;
}

const UNKNOWN_FIELDS = new WeakMap<object, UnknownFields>();

function isKnownSetting(field: string, known: string[]): string {
    return `is not a known setting${didYouMean(field, known)}`;
}

/** A config object whose unknown fields are problems, worded by `unknown`. */
export function strictObject<S extends z.ZodRawShape>(shape: S, unknown: UnknownFields = {}): z.ZodObject<S, z.core.$strict> {
    const notObject = (issue: { code?: string; input?: unknown }) =>
        issue.code === "invalid_type" ? `expected an object, got ${show(issue.input)}` : undefined;
    const schema = z.strictObject(shape, { error: notObject });
    UNKNOWN_FIELDS.set(schema, unknown);
    return schema;
}

/** How an object words its unknown fields; a copy of it (.describe()) points back to the original as its parent. */
function unknownFieldsOf(object: z.ZodObject): UnknownFields {
    for (let s: z.core.$ZodType | undefined = object; s; s = s._zod.parent) {
        const found = UNKNOWN_FIELDS.get(s);
        if (found) {
            return found;
        }
    }
    return {};
}

/** `hydra:cloudflare` and ["records", 2, "type"] → `hydra:cloudflare.records[2].type`. */
export function keyAt(base: string, path: readonly PropertyKey[]): string {
    return path.reduce<string>((key, segment) => (typeof segment === "number" ? `${key}[${segment}]` : `${key}.${String(segment)}`), base);
}

type Issue = z.core.$ZodIssue;

/** Zod's own wording for the few issues a field does not word itself. */
function fallbackMessage(issue: z.core.$ZodRawIssue): string | undefined {
    return issue.code === "invalid_type" ? `expected ${issue.expected === "array" ? "a list" : `a ${issue.expected}`}, got ${show(issue.input)}` : undefined;
}

/** The one branch of a union the value's type chose, when the problem lies inside it (an app's object with a wrong field). */
function chosenBranch(issue: Issue): Issue[] | undefined {
    if (issue.code !== "invalid_union") {
        return undefined;
    }
    const typed = issue.errors.filter((branch) => !branch.some((i) => i.path.length === 0));
    return typed.length === 1 ? typed[0] : undefined;
}

function report(problems: Problems, key: string, issue: Issue, objects: Map<string, z.ZodObject>): void {
    const branch = chosenBranch(issue);
    if (branch) {
        branch.forEach((inner) => report(problems, key, { ...inner, path: [...issue.path, ...inner.path] }, objects));
        return;
    }
    if (issue.code !== "unrecognized_keys") {
        const missing = issue.code === "invalid_type" && issue.input === undefined;
        problems.add(keyAt(key, issue.path), missing ? "required" : "invalid", issue.message);
        return;
    }
    const at = keyAt(key, issue.path);
    const object = objects.get(at);
    const known = object ? Object.keys(object.shape) : [];
    const { hints = {}, unknown = isKnownSetting } = object ? unknownFieldsOf(object) : {};
    for (const field of issue.keys) {
        const hint = Object.hasOwn(hints, field) ? hints[field] : undefined;
        problems.add(`${at}.${field}`, hint?.code ?? "unknown-key", hint?.message ?? unknown(field, known));
    }
}

/** Each field's own value where it is valid, its default where it is not (undefined when it has none). */
function bestEffort<T extends z.ZodObject>(schema: T, value: unknown): z.output<T> {
    const input = value !== null && typeof value === "object" ? (value as Record<string, unknown>) : {};
    const out: Record<string, unknown> = {};
    for (const [field, fieldSchema] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
        const own = fieldSchema.safeParse(input[field]);
        out[field] = own.success ? own.data : fieldSchema.safeParse(undefined).data;
    }
    return out as z.output<T>;
}

/**
 * Parses the object under `key` and reports every issue under its full key. Returns what it
 * could read, so that later rules see as much as they can (the check fails anyway).
 */
export function readSection<T extends z.ZodObject>(problems: Problems, key: string, schema: T, input: unknown): z.output<T> {
    // The error map sees the object an unknown field was found in; the issue does not keep it.
    const objects = new Map<string, z.ZodObject>();
    const result = schema.safeParse(input, {
        reportInput: true,
        error: (issue) => {
            if (issue.code === "unrecognized_keys") {
                objects.set(keyAt(key, issue.path ?? []), issue.inst as z.ZodObject);
            }
            return fallbackMessage(issue);
        },
    });
    if (result.success) {
        return result.data;
    }
    result.error.issues.forEach((issue) => report(problems, key, issue, objects));
    return bestEffort(schema, input);
}

/** Parses one value that is not an object (`hydra:domain`); every issue is reported under `key`. */
export function readValue<T extends z.ZodType>(problems: Problems, key: string, schema: T, input: unknown): z.output<T> | undefined {
    const result = schema.safeParse(input, { reportInput: true, error: fallbackMessage });
    if (result.success) {
        return result.data;
    }
    result.error.issues.forEach((issue) => report(problems, key, issue, new Map()));
    return undefined;
}
