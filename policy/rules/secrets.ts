// Mandatory: no Nomad job carries a secret. Jobs read secrets from Nomad
// Variables through templates (`nomadVar`); anything in the job itself is
// readable by whoever can read the job in Nomad's UI or API.
//
// Messages name where a secret was found (variable, key, path in the job),
// never the value.
import { describe, field, isRecord, ResourceView, str, strings, TYPES, Violation } from "./common";
import { configOf, isJob, jobLabel, jobSource, tasksOf, templatesOf } from "./jobs";

/** Words that make a name a secret's name when they end it: DB_PASSWORD, apiToken, SECRET_KEY. */
const SECRET_WORDS = new Set([
    "password",
    "passwd",
    "pass",
    "pwd",
    "passphrase",
    "secret",
    "token",
    "key",
    "apikey",
    "authkey",
    "privatekey",
    "credential",
    "credentials",
    "dsn",
]);

/** Splits SECRET_KEY, secretKey, secret-key, secret.key into lower-case words. */
export function words(name: string): string[] {
    return name
        .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
        .split(/[^A-Za-z0-9]+/)
        .filter(Boolean)
        .map((w) => w.toLowerCase());
}

/**
 * A name that holds a secret: its last word is a secret word (PASSWORD,
 * TOKEN, KEY…). Names that end in FILE, PATH, TTL, LENGTH… are about a
 * secret, not the secret, and do not count; neither does PUBLIC_KEY.
 */
export function isSecretName(name: string): boolean {
    const w = words(name);
    const last = w[w.length - 1];
    if (!last || !SECRET_WORDS.has(last)) {
        return false;
    }
    if (last === "key" && w[w.length - 2] === "public") {
        return false;
    }
    return true;
}

/**
 * A value written out literally, as opposed to a reference resolved at run
 * time: a Nomad template action ({{ … }}), Nomad or shell interpolation
 * (${…}, $VAR, $(…), backticks), a Caddy placeholder ({env.X}). Empty values and
 * booleans do not count.
 */
export function isLiteral(value: string): boolean {
    let v = value.trim().replace(/[,;]$/, "").trim();
    if (/^(["']).*\1$/.test(v)) {
        v = v.slice(1, -1);
    }
    if (v === "" || /^(true|false|null|none|~)$/i.test(v)) {
        return false;
    }
    return !/\{\{|\$\{|\$\(|\$[A-Za-z_]|`|\{env\./.test(v);
}

/** Secrets with a recognizable shape, wherever they appear. */
export const KNOWN_SECRET_FORMATS: readonly { name: string; pattern: RegExp }[] = [
    { name: "a Tailscale key", pattern: /tskey-(?:auth|api|client|scim|webhook)-[A-Za-z0-9-]{8,}/ },
    { name: "a DigitalOcean token", pattern: /\bdo[opr]_v1_[a-f0-9]{64}\b/ },
    { name: "a GitHub token", pattern: /\b(?:gh[opsur]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})\b/ },
    { name: "an AWS access key id", pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/ },
    { name: "a Slack token", pattern: /\bxox[abprs]-[A-Za-z0-9-]{10,}/ },
    { name: "a Stripe secret key", pattern: /\b[rs]k_live_[A-Za-z0-9]{20,}/ },
    { name: "a private key", pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/ },
];

/** A URL with a literal password in it (scheme://user:password@host). */
const URL_PASSWORD = /[a-z][a-z0-9+.-]*:\/\/[^\s:@/'"]+:([^\s@/'"]+)@/i;

/** `KEY = value`, `KEY: value`, `export KEY=value` on one line of a template. */
const ASSIGNMENT = /^\s*(?:export\s+)?["']?([A-Za-z_][A-Za-z0-9_.-]*)["']?\s*[:=]\s*(.*?)\s*$/;

/** Where in a job a literal secret sits, for messages; never the value. */
function knownFormatsIn(value: string): string[] {
    const found = KNOWN_SECRET_FORMATS.filter((f) => f.pattern.test(value)).map((f) => f.name);
    const url = URL_PASSWORD.exec(value);
    if (url && isLiteral(url[1])) {
        found.push("a URL with a password in it");
    }
    return found;
}

/**
 * Literal secrets in one NomadJob: env vars and template lines with secret
 * names holding literal values, secret-named flags in args, docker registry
 * passwords, secret-named HCL variables, and known secret formats anywhere.
 */
export function jobLiteralSecretViolations(r: ResourceView): string[] {
    const out: string[] = [];
    const src = jobSource(r.props);
    const job = src.job;
    const at = jobLabel(r, job);
    const fix = "read it from the job's Nomad Variable with a template (nomadVar) instead";

    if (job) {
        for (const t of tasksOf(job)) {
            const env = field(t.task, "Env");
            if (isRecord(env)) {
                for (const [name, value] of Object.entries(env)) {
                    if (typeof value === "string" && isSecretName(name) && isLiteral(value)) {
                        out.push(`${at} ${t.label} sets env ${name} to a literal value; ${fix}`);
                    }
                }
            }
            for (const tpl of templatesOf(t.task)) {
                tpl.text.split("\n").forEach((line, i) => {
                    const m = ASSIGNMENT.exec(line);
                    if (m && isSecretName(m[1]) && isLiteral(m[2])) {
                        out.push(`${at} ${t.label} template ${tpl.dest} line ${i + 1} sets ${m[1]} to a literal value; ${fix}`);
                    }
                });
            }
            const config = configOf(t.task);
            const args = Array.isArray(config.args) ? config.args : [];
            args.forEach((arg, i) => {
                if (typeof arg !== "string") {
                    return;
                }
                const eq = /^--?([A-Za-z0-9_.-]+)=(.*)$/.exec(arg);
                if (eq && isSecretName(eq[1]) && isLiteral(eq[2])) {
                    out.push(`${at} ${t.label} passes --${eq[1]} with a literal value in args[${i}]; ${fix}`);
                    return;
                }
                const flag = /^--?([A-Za-z0-9_.-]+)$/.exec(arg);
                const next = args[i + 1];
                if (flag && isSecretName(flag[1]) && typeof next === "string" && !next.startsWith("-") && isLiteral(next)) {
                    out.push(`${at} ${t.label} passes --${flag[1]} with a literal value in args[${i + 1}]; ${fix}`);
                }
            });
            const auth = config.auth;
            if (isRecord(auth) && typeof auth.password === "string" && isLiteral(auth.password)) {
                out.push(
                    `${at} ${t.label} has a literal docker registry password in Config.auth.password; use the driver's auth helper or credentials on the node instead`,
                );
            }
        }
    }
    for (const [name, value] of Object.entries(src.hcl2Variables ?? {})) {
        if (typeof value === "string" && isSecretName(name) && isLiteral(value)) {
            out.push(`${at} passes HCL variable ${name} with a literal value (Nomad keeps it in the job); ${fix}`);
        }
    }
    const scanned: { path: string; value: string }[] = [
        ...(job ? [...strings(job)].map((s) => ({ path: `${src.from}.${s.path}`, value: s.value })) : []),
        ...(src.jobspec !== undefined ? [{ path: "jobspec", value: src.jobspec }] : []),
        ...[...strings(src.hcl2Variables ?? {})].map((s) => ({ path: `hcl2Variables.${s.path}`, value: s.value })),
    ];
    for (const s of scanned) {
        for (const what of knownFormatsIn(s.value)) {
            out.push(`${at} contains ${what} at ${s.path}; ${fix}`);
        }
    }
    return out;
}

export interface SecretSource {
    /** Where the secret lives, for messages: `Nomad Variable "nomad/jobs/gitea" item "secret_key"`. */
    label: string;
    value: string;
}

/** Shorter values are too likely to appear by chance ("1000", "shynet"). */
export const MIN_SECRET_LENGTH = 8;

/**
 * The secret values a policy can see in the stack: Nomad Variable items,
 * RandomPassword results, minted Tailscale keys, and provider settings with
 * secret names (apiToken, token…). The analyzer receives them decrypted.
 */
export function secretSources(resources: ResourceView[]): SecretSource[] {
    const out: SecretSource[] = [];
    const add = (label: string, value: unknown) => {
        if (typeof value === "string" && value.length >= MIN_SECRET_LENGTH) {
            out.push({ label, value });
        }
    };
    for (const r of resources) {
        if (r.type === TYPES.nomadVariable) {
            const path = str(r.props.path) ?? r.name;
            const items = r.props.items;
            if (isRecord(items)) {
                for (const [k, v] of Object.entries(items)) {
                    add(`Nomad Variable "${path}" item "${k}"`, v);
                }
            }
        } else if (r.type === TYPES.randomPassword) {
            add(`${describe(r)} result`, r.props.result);
        } else if (r.type === TYPES.tailnetKey) {
            add(`${describe(r)} key`, r.props.key);
        } else if (r.type.startsWith("pulumi:providers:")) {
            for (const [k, v] of Object.entries(r.props)) {
                if (isSecretName(k)) {
                    add(`provider ${r.name} setting ${k}`, v);
                }
            }
        }
    }
    return out;
}

/** Stack-wide: no job contains the value of any secret the stack holds. */
export function jobSecretValueViolations(resources: ResourceView[]): Violation[] {
    const sources = secretSources(resources);
    const out: Violation[] = [];
    if (!sources.length) {
        return out;
    }
    for (const r of resources.filter(isJob)) {
        const src = jobSource(r.props);
        const scanned = [
            ...(src.job ? [...strings(src.job)].map((s) => ({ path: `${src.from}.${s.path}`, value: s.value })) : []),
            ...(src.jobspec !== undefined ? [{ path: "jobspec", value: src.jobspec }] : []),
            ...[...strings(src.hcl2Variables ?? {})].map((s) => ({ path: `hcl2Variables.${s.path}`, value: s.value })),
        ];
        const seen = new Set<string>();
        for (const secret of sources) {
            const hit = scanned.find((s) => s.value.includes(secret.value));
            if (!hit || seen.has(secret.label)) {
                continue;
            }
            seen.add(secret.label);
            out.push({
                urn: r.urn,
                message:
                    `${jobLabel(r, src.job)} contains the value of ${secret.label} at ${hit.path}; ` +
                    "jobs must read secrets through a template (nomadVar), not carry them",
            });
        }
    }
    return out;
}
