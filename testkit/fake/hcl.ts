/**
 * A tiny HCL subset (enough for tests): blocks with labels, attributes with
 * strings ("${var.x}" interpolation), numbers, booleans, lists, maps and
 * `var.x` references; `#` and `//` comments.
 */
import type { Obj } from "./util";

interface HclBlock {
    type: string;
    labels: string[];
    attrs: Obj;
    blocks: HclBlock[];
}

export function parseJobHcl(text: string, varFileText: string): Obj {
    const varValues: Obj = varFileText.trim() ? parseBody(tokenize(varFileText), {}).attrs : {};
    const root = parseBody(tokenize(text), null);
    const declared: Obj = {};
    for (const b of root.blocks.filter((b) => b.type === "variable")) {
        declared[b.labels[0]] = b.attrs.default;
    }
    for (const k of Object.keys(varValues)) {
        if (!(k in declared)) {
            throw new Error(`Undefined variable: A variable named "${k}" was assigned a value, but the root module does not declare a variable of that name.`);
        }
    }
    const vars: Obj = {};
    for (const k of Object.keys(declared)) {
        vars[k] = k in varValues ? varValues[k] : declared[k];
    }
    const resolved = parseBody(tokenize(text), vars);
    const jobs = resolved.blocks.filter((b) => b.type === "job");
    if (jobs.length !== 1) {
        throw new Error(`expected exactly one job block, found ${jobs.length}`);
    }
    return toJob(jobs[0]);
}

function toJob(b: HclBlock): Obj {
    const job: Obj = { ID: b.labels[0], Name: b.labels[0], TaskGroups: [] };
    const map: Obj = {
        type: "Type",
        datacenters: "Datacenters",
        namespace: "Namespace",
        region: "Region",
        priority: "Priority",
        all_at_once: "AllAtOnce",
        node_pool: "NodePool",
    };
    copyAttrs(b, map, job);
    for (const c of b.blocks) {
        if (c.type === "group") {
            job.TaskGroups.push(toGroup(c));
        } else if (c.type === "meta") {
            job.Meta = c.attrs;
        } else {
            throw new Error(`Unsupported block type: Blocks of type "${c.type}" are not expected here (fake parser).`);
        }
    }
    return job;
}

function toGroup(b: HclBlock): Obj {
    const g: Obj = { Name: b.labels[0], Tasks: [] };
    copyAttrs(b, { count: "Count" }, g);
    for (const c of b.blocks) {
        if (c.type === "task") {
            g.Tasks.push(toTask(c));
        } else if (c.type === "meta") {
            g.Meta = c.attrs;
        } else {
            throw new Error(`Unsupported block type: Blocks of type "${c.type}" are not expected here (fake parser).`);
        }
    }
    return g;
}

function toTask(b: HclBlock): Obj {
    const t: Obj = { Name: b.labels[0] };
    copyAttrs(b, { driver: "Driver", user: "User", kill_timeout: "KillTimeout" }, t);
    if (typeof t.KillTimeout === "string") {
        t.KillTimeout = parseDuration(t.KillTimeout);
    }
    for (const c of b.blocks) {
        if (c.type === "config") {
            t.Config = blockToObject(c);
        } else if (c.type === "env") {
            t.Env = c.attrs;
        } else if (c.type === "meta") {
            t.Meta = c.attrs;
        } else if (c.type === "resources") {
            const r: Obj = {};
            copyAttrs(c, { cpu: "CPU", memory: "MemoryMB", memory_max: "MemoryMaxMB", cores: "Cores" }, r);
            t.Resources = r;
        } else {
            throw new Error(`Unsupported block type: Blocks of type "${c.type}" are not expected here (fake parser).`);
        }
    }
    return t;
}

function blockToObject(b: HclBlock): Obj {
    const o: Obj = { ...b.attrs };
    for (const c of b.blocks) {
        o[c.type] = (o[c.type] ?? []).concat([blockToObject(c)]);
    }
    return o;
}

function copyAttrs(b: HclBlock, map: Obj, into: Obj): void {
    for (const [k, v] of Object.entries(b.attrs)) {
        if (!(k in map)) {
            throw new Error(`Unsupported argument: An argument named "${k}" is not expected here (fake parser).`);
        }
        into[map[k]] = v;
    }
}

function parseDuration(s: string): number {
    const m = s.match(/^(\d+)(ms|s|m|h)$/);
    if (!m) {
        throw new Error(`invalid duration "${s}"`);
    }
    return Number(m[1]) * ({ ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 } as Obj)[m[2]];
}

type Tok = { k: "id" | "str" | "num" | "p"; v: string };

function tokenize(src: string): Tok[] {
    const toks: Tok[] = [];
    let i = 0;
    while (i < src.length) {
        const c = src[i];
        if (/\s/.test(c)) {
            i++;
        } else if (c === "#" || (c === "/" && src[i + 1] === "/")) {
            while (i < src.length && src[i] !== "\n") {
                i++;
            }
        } else if (c === '"') {
            let j = i + 1;
            let s = "";
            while (j < src.length && src[j] !== '"') {
                if (src[j] === "\\") {
                    const n = src[j + 1];
                    s += n === "n" ? "\n" : n === "t" ? "\t" : n;
                    j += 2;
                } else if (src[j] === "\n") {
                    throw new Error("unterminated string");
                } else {
                    s += src[j++];
                }
            }
            if (j >= src.length) {
                throw new Error("unterminated string");
            }
            toks.push({ k: "str", v: s });
            i = j + 1;
        } else if (/[0-9]/.test(c)) {
            let j = i;
            while (j < src.length && /[0-9.]/.test(src[j])) {
                j++;
            }
            toks.push({ k: "num", v: src.slice(i, j) });
            i = j;
        } else if (/[A-Za-z_]/.test(c)) {
            let j = i;
            while (j < src.length && /[A-Za-z0-9_\-.]/.test(src[j])) {
                j++;
            }
            // A type constructor such as `list(string)` or `map(number)`: one token.
            for (let depth = 0; j < src.length && (src[j] === "(" || depth > 0); j++) {
                depth += src[j] === "(" ? 1 : src[j] === ")" ? -1 : 0;
                if (depth === 0) {
                    j++;
                    break;
                }
            }
            toks.push({ k: "id", v: src.slice(i, j) });
            i = j;
        } else if ("{}[]=,".indexOf(c) >= 0) {
            toks.push({ k: "p", v: c });
            i++;
        } else {
            throw new Error(`Invalid character: ${JSON.stringify(c)} at offset ${i}`);
        }
    }
    return toks;
}

/** Parse a body; `vars` null = don't resolve references (first pass, for variable blocks only). */
function parseBody(toks: Tok[], vars: Obj | null): HclBlock {
    let pos = 0;
    const peek = () => toks[pos];
    const next = () => {
        const t = toks[pos++];
        if (!t) {
            throw new Error("unexpected end of input");
        }
        return t;
    };
    const expect = (v: string) => {
        const t = next();
        if (t.k !== "p" || t.v !== v) {
            throw new Error(`expected "${v}", got "${t.v}"`);
        }
    };
    const interpolate = (s: string): string =>
        s
            .replace(/\$\$\{/g, "\uE000")
            .replace(/\$\{\s*var\.([A-Za-z_][A-Za-z0-9_-]*)\s*\}/g, (_m, name) => {
                if (vars === null) {
                    return "";
                }
                if (!(name in vars) || vars[name] === undefined) {
                    throw new Error(`Unknown variable: There is no variable named "${name}".`);
                }
                return String(vars[name]);
            })
            .replace(/\uE000/g, "${");
    const value = (): unknown => {
        const t = next();
        if (t.k === "str") {
            return interpolate(t.v);
        }
        if (t.k === "num") {
            return Number(t.v);
        }
        if (t.k === "id") {
            if (t.v === "true" || t.v === "false") {
                return t.v === "true";
            }
            if (t.v === "null") {
                return null;
            }
            const m = t.v.match(/^var\.([A-Za-z_][A-Za-z0-9_-]*)$/);
            if (m) {
                if (vars === null) {
                    return null;
                }
                if (!(m[1] in vars) || vars[m[1]] === undefined) {
                    throw new Error(`Unknown variable: There is no variable named "${m[1]}".`);
                }
                return vars[m[1]];
            }
            // `type = string` in variable blocks
            return t.v;
        }
        if (t.v === "[") {
            const list: unknown[] = [];
            while (!(peek() && peek().k === "p" && peek().v === "]")) {
                list.push(value());
                if (peek() && peek().k === "p" && peek().v === ",") {
                    next();
                }
            }
            expect("]");
            return list;
        }
        if (t.v === "{") {
            const o: Obj = {};
            while (!(peek() && peek().k === "p" && peek().v === "}")) {
                const k = next();
                expect("=");
                o[k.v] = value();
                if (peek() && peek().k === "p" && peek().v === ",") {
                    next();
                }
            }
            expect("}");
            return o;
        }
        throw new Error(`unexpected "${t.v}"`);
    };
    const body = (end: boolean): HclBlock => {
        const b: HclBlock = { type: "", labels: [], attrs: {}, blocks: [] };
        for (;;) {
            const t = peek();
            if (!t) {
                if (end) {
                    throw new Error("missing closing brace");
                }
                return b;
            }
            if (t.k === "p" && t.v === "}") {
                if (!end) {
                    throw new Error(`unexpected "}"`);
                }
                next();
                return b;
            }
            const name = next();
            if (name.k !== "id") {
                throw new Error(`expected an argument or block name, got "${name.v}"`);
            }
            const after = peek();
            if (after && after.k === "p" && after.v === "=") {
                next();
                b.attrs[name.v] = value();
                continue;
            }
            const labels: string[] = [];
            while (peek() && peek().k === "str") {
                labels.push(next().v);
            }
            expect("{");
            const child = body(true);
            child.type = name.v;
            child.labels = labels;
            b.blocks.push(child);
        }
    };
    return body(false);
}
