// Small readers that check one config value each and record every problem
// instead of stopping at the first, so a user fixes the whole stack at once.

export type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

/** Collects problems, each already prefixed with its full config key. */
export class Problems {
    readonly list: string[] = [];

    add(key: string, message: string): void {
        this.list.push(`${key}: ${message}`);
    }

    get empty(): boolean {
        return this.list.length === 0;
    }
}

/** Shows a value the way a user typed it, for messages. */
export function show(v: unknown): string {
    return JSON.stringify(v);
}

function closest(word: string, candidates: string[]): string | undefined {
    // Levenshtein distance, small inputs only: enough to catch typos like "regoin".
    const dist = (a: string, b: string): number => {
        const row = Array.from({ length: b.length + 1 }, (_, i) => i);
        for (let i = 1; i <= a.length; i++) {
            let prev = row[0];
            row[0] = i;
            for (let j = 1; j <= b.length; j++) {
                const cur = row[j];
                row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
                prev = cur;
            }
        }
        return row[b.length];
    };
    let best: string | undefined;
    let bestDist = 3;
    for (const c of candidates) {
        const d = dist(word.toLowerCase(), c.toLowerCase());
        if (d < bestDist) {
            best = c;
            bestDist = d;
        }
    }
    return best;
}

/**
 * Reads the fields of one config object (e.g. `hydra:node`), checking types and
 * reporting unknown fields, so a typo never silently falls back to a default.
 */
export class ObjectReader {
    private readonly seen = new Set<string>();

    constructor(
        private readonly problems: Problems,
        /** Full key of the object, e.g. `hydra:node`. */
        readonly key: string,
        private readonly obj: Record<string, Json>,
        /** Hints for fields people put here by mistake, e.g. secrets that have their own key. */
        private readonly misplaced: Record<string, string> = {},
    ) {}

    path(field: string): string {
        return `${this.key}.${field}`;
    }

    private raw(field: string): Json | undefined {
        this.seen.add(field);
        return this.obj[field];
    }

    problem(field: string, message: string): void {
        this.problems.add(this.path(field), message);
    }

    has(field: string): boolean {
        return this.obj[field] !== undefined && this.obj[field] !== null;
    }

    string(field: string, fallback: string): string;
    string(field: string, fallback?: undefined): string | undefined;
    string(field: string, fallback?: string): string | undefined {
        const v = this.raw(field);
        if (v === undefined || v === null) {
            return fallback;
        }
        if (typeof v !== "string") {
            this.problem(field, `expected a string, got ${show(v)}`);
            return fallback;
        }
        return v;
    }

    boolean(field: string, fallback: boolean): boolean {
        const v = this.raw(field);
        if (v === undefined || v === null) {
            return fallback;
        }
        // `pulumi config set --path a.b true` stores the string "true".
        if (v === "true" || v === true) {
            return true;
        }
        if (v === "false" || v === false) {
            return false;
        }
        this.problem(field, `expected true or false, got ${show(v)}`);
        return fallback;
    }

    integer(field: string, fallback: number, min: number, max: number): number {
        const v = this.raw(field);
        if (v === undefined || v === null) {
            return fallback;
        }
        const n = typeof v === "string" && /^-?\d+$/.test(v) ? Number(v) : v;
        if (typeof n !== "number" || !Number.isInteger(n)) {
            this.problem(field, `expected a whole number, got ${show(v)}`);
            return fallback;
        }
        if (n < min || n > max) {
            this.problem(field, `${n} is out of range: expected ${min} to ${max}`);
            return fallback;
        }
        return n;
    }

    stringList(field: string, fallback: string[]): string[] {
        const v = this.raw(field);
        if (v === undefined || v === null) {
            return fallback;
        }
        if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) {
            this.problem(field, `expected a list of strings, got ${show(v)}`);
            return fallback;
        }
        return v as string[];
    }

    objectList(field: string): Record<string, Json>[] {
        const v = this.raw(field);
        if (v === undefined || v === null) {
            return [];
        }
        if (!Array.isArray(v) || v.some((x) => typeof x !== "object" || x === null || Array.isArray(x))) {
            this.problem(field, `expected a list of objects, got ${show(v)}`);
            return [];
        }
        return v as Record<string, Json>[];
    }

    object(field: string): Record<string, Json> {
        const v = this.raw(field);
        if (v === undefined || v === null) {
            return {};
        }
        if (typeof v !== "object" || Array.isArray(v)) {
            this.problem(field, `expected an object, got ${show(v)}`);
            return {};
        }
        return v as Record<string, Json>;
    }

    /** Call after reading every field: reports fields nobody asked for. */
    finish(): void {
        for (const field of Object.keys(this.obj)) {
            if (this.seen.has(field)) {
                continue;
            }
            const hint = this.misplaced[field];
            if (hint) {
                this.problem(field, hint);
                continue;
            }
            const near = closest(field, [...this.seen]);
            this.problem(field, `is not a known setting${near ? `; did you mean "${near}"?` : ""}`);
        }
    }
}
