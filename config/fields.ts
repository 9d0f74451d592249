// The kinds of field a config object has, as zod schemas that word their problems for people.
// Numbers and booleans also come as strings: `pulumi config set --path a.b 7` stores "7".
import { z } from "zod";
import { show } from "./problems";

/** Why a value is wrong, or undefined when it is right. */
export type Check<T> = (v: T) => string | undefined;

/** An error option for values of the wrong type: `expected a string, got 5`, or `is required` when there is none. */
export function expected(what: string): { error: (issue: { input?: unknown }) => string } {
    return { error: (issue) => (issue.input === undefined ? "is required" : `expected ${what}, got ${show(issue.input)}`) };
}

/** A string; `check` says what is wrong with it. */
export function text(check?: Check<string>): z.ZodString {
    const s = z.string(expected("a string"));
    if (!check) {
        return s;
    }
    return s.superRefine((v, ctx) => {
        const why = check(v);
        if (why !== undefined) {
            ctx.addIssue({ code: "custom", message: why, input: v });
        }
    });
}

/** true or false, also as the strings `--path` stores. */
export function flag() {
    return z.union([z.boolean(), z.enum(["true", "false"])], expected("true or false")).transform((v) => v === true || v === "true");
}

/** A whole number from `min` to `max`, also as a string of digits. */
export function wholeNumber(min: number, max: number) {
    const notWhole = expected("a whole number");
    const inRange = { error: (issue: { input?: unknown }) => `${show(issue.input)} is out of range: expected ${min} to ${max}` };
    const fromDigits = z
        .string(notWhole)
        .regex(/^-?\d+$/, notWhole)
        .transform(Number)
        .pipe(z.number().min(min, inRange).max(max, inRange));
    return z.union([z.int(notWhole).min(min, inRange).max(max, inRange), fromDigits], notWhole);
}

/** A list of strings, each checked by `check`. */
export function textList(check?: Check<string>) {
    return z.array(text(check), expected("a list of strings"));
}

/** One of a few words; `wrong` words the problem for any other value. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T, wrong: (v: unknown) => string) {
    return z.enum(values, { error: (issue) => (issue.input === undefined ? "is required" : wrong(issue.input)) });
}
