/**
 * HCL2 variables of any type for a `jobspec`: written as a var file for
 * Nomad's parse endpoint (which in 1.6 takes only var-file text), and as the
 * `-var` style `VariableFlags` of the registration's Submission. Serialized
 * with the job provider: pure functions only.
 */

/** What an HCL2 variable's value may be: JSON's types, as HCL has them. */
export type Hcl2Value = string | number | boolean | null | Hcl2Value[] | { [key: string]: Hcl2Value };

export type Hcl2Variables = Record<string, Hcl2Value>;

/** A string as an HCL quoted template: JSON escapes, and `${`/`%{` kept literal. */
function quoted(s: string): string {
    // Replacement functions: in a replacement string "$$" would stand for a single "$".
    return JSON.stringify(s)
        .replace(/\$\{/g, () => "$${")
        .replace(/%\{/g, () => "%%{");
}

/** One value as an HCL literal expression: `"a"`, `3`, `true`, `null`, `["a", 1]`, `{ "k" = "v" }`. */
export function hclLiteral(v: Hcl2Value): string {
    if (v === null) {
        return "null";
    }
    if (typeof v === "string") {
        return quoted(v);
    }
    if (typeof v === "number" || typeof v === "boolean") {
        return String(v);
    }
    if (Array.isArray(v)) {
        return `[${v.map(hclLiteral).join(", ")}]`;
    }
    const keys = Object.keys(v).sort();
    return keys.length ? `{ ${keys.map((k) => `${quoted(k)} = ${hclLiteral(v[k])}`).join(", ")} }` : "{}";
}

/** HCL2 var-file text: one `name = literal` line per variable, sorted by name. */
export function varFile(vars: Hcl2Variables | undefined): string {
    if (!vars) {
        return "";
    }
    return Object.keys(vars)
        .sort()
        .map((k) => `${k} = ${hclLiteral(vars[k])}`)
        .join("\n");
}

/**
 * The values as the Nomad CLI's `-var name=value` flags record them in a
 * submission: a string as it is, anything else as its HCL literal (which
 * Nomad parses by the variable's declared type when the job is run again).
 */
export function variableFlags(vars: Hcl2Variables | undefined): Record<string, string> {
    const out: Record<string, string> = {};
    for (const k of Object.keys(vars ?? {}).sort()) {
        const v = (vars as Hcl2Variables)[k];
        out[k] = typeof v === "string" ? v : hclLiteral(v);
    }
    return out;
}

/** Problems with the variables, by name: bad names, and values HCL has no literal for. */
export function hcl2VariableProblems(vars: Record<string, unknown> | undefined, unknown: string): string[] {
    const problems: string[] = [];
    const valueProblem = (v: unknown, where: string): string | undefined => {
        if (v === unknown || v === null || typeof v === "string" || typeof v === "boolean") {
            return undefined;
        }
        if (typeof v === "number") {
            return Number.isFinite(v) ? undefined : `${where} is ${v}, which HCL cannot write`;
        }
        if (Array.isArray(v)) {
            return v.map((x, i) => valueProblem(x, `${where}[${i}]`)).find((p) => p !== undefined);
        }
        if (typeof v === "object") {
            const o = v as Record<string, unknown>;
            return Object.keys(o)
                .map((k) => valueProblem(o[k], `${where}.${k}`))
                .find((p) => p !== undefined);
        }
        return `${where} is ${v === undefined ? "undefined" : `a ${typeof v}`}; use a string, number, bool, list, map or null`;
    };
    for (const k of Object.keys(vars ?? {})) {
        if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(k)) {
            problems.push(`${JSON.stringify(k)} is not a valid HCL variable name`);
            continue;
        }
        const p = valueProblem((vars as Record<string, unknown>)[k], k);
        if (p) {
            problems.push(p);
        }
    }
    return problems;
}
