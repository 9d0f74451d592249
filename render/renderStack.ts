// Renders everything a stack would deploy, without credentials or network:
// the program runs under Pulumi's mock runtime and its registrations become files.
import { RESOURCE_TYPES } from "../vocabulary";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { APPS, syntheticApps } from "../apps";
import { ConfigError, HydraConfig, RawConfig, rawFromStackConfig, validateConfig } from "../config";
import { renderCaddyfile } from "../components/caddyfile";
import { CONSUL_CONFIG_DIR, NOMAD_CONFIG_DIR } from "../components/nodeUnits";
import { adminRoutes } from "../apps/plan";
import { buildEstate, Estate, stackOutputs } from "../estate";
import { AppDeclaration } from "../vocabulary";
import { Job } from "../nomad";
import { runMocked, RunResult } from "./mockRuntime";

const JOB = RESOURCE_TYPES.nomadJob;
const VARIABLE = RESOURCE_TYPES.nomadVariable;
const DROPLET = RESOURCE_TYPES.droplet;
const FIREWALL = RESOURCE_TYPES.firewall;
const RECORD = RESOURCE_TYPES.dnsRecord;

/** Where secrets and values only known at deploy time show in the rendering. */
export const placeholder = {
    secret: (key: string) => `<secret:${key}>`,
    generated: (name: string) => `<generated:${name}>`,
};

export interface RenderOptions {
    /** Folder holding Pulumi.yaml and the stack files. */
    projectDir: string;
    stack: string;
    /** Extra public apps, for measuring how rendering scales. */
    syntheticApps?: number;
    /** Changes the stack file's config before validation (test values a rehearsal sets). */
    adjustConfig?: (raw: RawConfig) => void;
}

export interface Rendering {
    /** Relative path → content. */
    files: Map<string, string>;
    summary: string;
    /** Required secrets the stack file lacks, rendered as placeholders. */
    unsetSecrets: string[];
}

/** The stack file's config as the program would see it, with every secret replaced by a visible placeholder. */
export function stackRawConfig(file: string): RawConfig {
    if (!fs.existsSync(file)) {
        throw new ConfigError([{ key: path.basename(file), code: "required", message: "no such stack file (pulumi stack init, then pulumi config set …)" }]);
    }
    const doc = YAML.parse(fs.readFileSync(file, "utf8")) ?? {};
    return { ...rawFromStackConfig(doc.config ?? {}, (key) => placeholder.secret(key)), secretsUnread: true };
}

/**
 * Validates like `pulumi preview`; a required secret that is only missing from the
 * stack file (it may live elsewhere) gets a placeholder and is reported, everything else fails.
 */
export function validateForRender(raw: RawConfig, apps: readonly AppDeclaration[]): { cfg: HydraConfig; unsetSecrets: string[] } {
    const unsetSecrets: string[] = [];
    for (;;) {
        try {
            return { cfg: validateConfig(raw, apps), unsetSecrets };
        } catch (e) {
            if (!(e instanceof ConfigError)) {
                throw e;
            }
            const missing = e.problems
                .filter((p) => p.code === "secret-required")
                .map((p) => p.key.replace(/^hydra:/, ""))
                .filter((k) => !unsetSecrets.includes(k));
            if (missing.length === 0) {
                throw e;
            }
            for (const k of missing) {
                unsetSecrets.push(k);
                raw.values[`hydra:${k}`] = placeholder.secret(`hydra:${k}`);
                raw.secretKeys = new Set([...raw.secretKeys, `hydra:${k}`]);
            }
        }
    }
}

function mockState(type: string, name: string, inputs: Record<string, any>): Record<string, any> {
    switch (type) {
        case DROPLET:
            return { ...inputs, ipv4Address: "<droplet-ipv4>", ipv6Address: "<droplet-ipv6>", dropletUrn: `<urn:droplet:${inputs.name}>` };
        case RESOURCE_TYPES.reservedIp:
            return { ...inputs, ipAddress: "<reserved-ip>", reservedIpUrn: "<urn:reserved-ip>" };
        case RESOURCE_TYPES.volume:
            return { ...inputs, volumeUrn: `<urn:volume:${inputs.name}>` };
        case RESOURCE_TYPES.sshKey:
            return { ...inputs, fingerprint: `<fingerprint:${name}>` };
        case RESOURCE_TYPES.tailnetKey:
            return { ...inputs, key: "<minted-tailnet-auth-key>" };
        case RESOURCE_TYPES.randomPassword:
            return { ...inputs, result: placeholder.generated(name) };
        case RESOURCE_TYPES.randomId:
            return { ...inputs, b64Std: placeholder.generated(name), hex: placeholder.generated(name) };
        case RESOURCE_TYPES.zone:
            return { ...inputs };
        default:
            return inputs;
    }
}

function mockCall(token: string, inputs: Record<string, any>): Record<string, any> | undefined {
    if (token === "cloudflare:index/getIpRanges:getIpRanges") {
        return { ipv4Cidrs: ["<cloudflare-ipv4-ranges>"], ipv6Cidrs: ["<cloudflare-ipv6-ranges>"] };
    }
    if (token === "cloudflare:index/getZone:getZone") {
        return { id: `<zone-id:${inputs.filter?.name}>` };
    }
    return undefined;
}

const json = (v: unknown) => JSON.stringify(v, null, 2) + "\n";

/** Sample upstreams for the concrete Caddyfiles: one tailnet address, a port per service. */
function sampleUpstreams(estate: Estate): Record<string, string[]> {
    const services = [...new Set(estate.routes.map((r) => r.service))].sort();
    return Object.fromEntries(services.map((s, i) => [s, [`100.64.0.1:${20000 + i}`]]));
}

function table(rows: string[][]): string {
    const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
    return rows
        .map((r) =>
            r
                .map((cell, c) => cell.padEnd(widths[c]))
                .join("  ")
                .trimEnd(),
        )
        .join("\n");
}

/** Builds the files of `out/` and the summary from one mocked run of the program. */
export function artifacts(run: RunResult, estate: Estate, cfg: HydraConfig): { files: Map<string, string>; summary: string } {
    const files = new Map<string, string>();
    const jobs = run
        .ofType(JOB)
        .map((r) => r.inputs.job as Job)
        .sort((a, b) => a.ID.localeCompare(b.ID));
    for (const j of jobs) {
        files.set(`jobs/${j.ID}.json`, json({ Job: j }));
    }

    for (const v of run.ofType(VARIABLE)) {
        const keys = Object.keys(v.inputs.items ?? {}).sort();
        files.set(`variables/${v.inputs.path}.json`, json({ Path: v.inputs.path, Items: Object.fromEntries(keys.map((k) => [k, "<redacted>"])) }));
    }

    const caddy = jobs.find((j) => j.ID === "caddy");
    if (caddy) {
        for (const task of caddy.TaskGroups[0].Tasks) {
            const tmpl = task.Templates?.find((t) => t.DestPath.endsWith("Caddyfile"))?.EmbeddedTmpl;
            if (tmpl) {
                files.set(`caddy/${task.Name}.Caddyfile.tmpl`, tmpl);
            }
        }
        for (const visibility of ["public", "internal"] as const) {
            files.set(
                `caddy/${visibility}.Caddyfile`,
                renderCaddyfile({
                    visibility,
                    routes: estate.routes,
                    adminRoutes: adminRoutes(cfg),
                    provider: cfg.consul.enabled ? "consul" : "nomad",
                    acmeEmail: cfg.proxy.acmeEmail,
                    mode: "concrete",
                    upstreams: sampleUpstreams(estate),
                    nodeAddress: "100.64.0.1",
                }),
            );
        }
    }

    const droplet = run.ofType(DROPLET)[0];
    if (droplet) {
        const userData: string = droplet.inputs.userData;
        files.set("node/user-data.yaml", userData);
        const doc = YAML.parse(userData);
        for (const f of doc.write_files ?? []) {
            if (f.path === `${NOMAD_CONFIG_DIR}/nomad.hcl`) {
                files.set("node/nomad.hcl", f.content);
            }
            if (f.path === `${CONSUL_CONFIG_DIR}/consul.hcl`) {
                files.set("node/consul.hcl", f.content);
            }
        }
    }

    const records = run
        .ofType(RECORD)
        .map((r) => ({ name: r.inputs.name, type: r.inputs.type, content: r.inputs.content, proxied: r.inputs.proxied }))
        .sort((a, b) => a.name.localeCompare(b.name) || a.type.localeCompare(b.type));
    files.set("dns.json", json(records));
    const fw = run.ofType(FIREWALL)[0];
    files.set(
        "firewall.json",
        json(fw ? { inbound: fw.inputs.inboundRules, outbound: fw.inputs.outboundRules } : { note: `target ${cfg.target}: no firewall is managed` }),
    );

    const tasks = (j: Job) => j.TaskGroups.flatMap((g) => g.Tasks.map((t) => t.Name));
    const jobRows = [
        ["JOB", "TYPE", "TASKS"],
        ...jobs.map((j) => [j.ID, j.Periodic ? `${j.Type ?? "batch"} (${j.Periodic.Spec})` : (j.Type ?? "service"), tasks(j).join(", ")]),
    ];
    const pub = estate.routes.filter((r) => r.visibility === "public");
    const internal = estate.routes.filter((r) => r.visibility === "internal");
    const summary = [
        table(jobRows),
        "",
        table([
            ["ROUTES", "COUNT", "NAMES"],
            ["public", String(pub.length), pub.map((r) => r.fqdn + (r.proxied ? " (proxied)" : "")).join(", ")],
            ["internal", String(internal.length), internal.map((r) => r.fqdn).join(", ")],
        ]),
        "",
        `DNS records: ${records.length}${cfg.cloudflare.enabled ? "" : " (DNS is off for this stack)"}`,
        `Firewall rules: ${fw ? `${fw.inputs.inboundRules.length} inbound, ${fw.inputs.outboundRules.length} outbound` : `none (target ${cfg.target})`}`,
    ].join("\n");
    return { files, summary };
}

export async function renderStack(o: RenderOptions): Promise<Rendering> {
    const extra = syntheticApps(o.syntheticApps ?? 0);
    const apps = [...APPS, ...extra];
    const raw = stackRawConfig(path.join(o.projectDir, `Pulumi.${o.stack}.yaml`));
    o.adjustConfig?.(raw);
    const { cfg, unsetSecrets } = validateForRender(raw, apps);
    let estate: Estate | undefined;
    const run = await runMocked(
        () => {
            estate = buildEstate(cfg, apps);
            // As index.ts exports them: only the outputs this stack has.
            return stackOutputs(estate.outputs);
        },
        { config: raw.values, secretKeys: [...raw.secretKeys], stack: o.stack, state: mockState, call: mockCall },
    );
    const { files, summary } = artifacts(run, estate!, cfg);
    return { files, summary, unsetSecrets };
}

/** Replaces `dir` with exactly the rendered files. */
export function writeRendering(dir: string, files: Map<string, string>): void {
    fs.rmSync(dir, { recursive: true, force: true });
    for (const [rel, content] of files) {
        const file = path.join(dir, rel);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, content);
    }
}
