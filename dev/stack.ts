// The `dev` stack: the committed Pulumi.dev.yaml plus what only this machine knows
// (paths, the Nomad address, generated secrets), kept in a git-ignored config file.
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { APPS } from "../apps";
import { SecretDeclaration } from "../vocabulary";
import { Engine } from "./engine";

export const DEV_STACK = "dev";

/**
 * Fresh values for every secret the dev stack's apps declare, generated or required,
 * and the proxy's token: nothing is left for a provider plugin to generate.
 * `fixed` gives the values that must be what they are (the local restic repository).
 */
export function devSecrets(declarations: readonly SecretDeclaration[], fixed: Record<string, string>): Record<string, string> {
    const out: Record<string, string> = {};
    const lookup = (key: string) => fixed[key] ?? out[key];
    for (const d of declarations) {
        if (d.key in fixed) {
            out[d.key] = fixed[d.key];
        } else if (d.generate) {
            // Alphanumeric like @pulumi/random without special characters; base64url keeps Gitea's 43-character keys decodable.
            out[d.key] = crypto.randomBytes(d.generate.length).toString("base64url").slice(0, d.generate.length);
        } else if (d.required && (d.required.when?.(lookup) ?? true)) {
            out[d.key] = crypto.randomBytes(24).toString("hex");
        }
    }
    return out;
}

export interface DevStackOptions {
    /** Absolute data directory the apps use on this machine. */
    dataDir: string;
    nomadAddress: string;
    resticRepository: string;
    /** Extra non-secret config by full key (tests change an app this way). */
    extraConfig?: Record<string, unknown>;
    /**
     * A dev cluster's secrets by key (the gossip key, a stand-in tailnet key), set once like the
     * apps'. Without them they are dropped, so that a single-node stack is what it always was.
     */
    clusterSecrets?: Record<string, string>;
    /**
     * nomad.tls on, with these PEM secrets by key (TLS_SECRETS). `renew`: the certificates are new,
     * so a value kept from an earlier run is replaced. Without them nomad.tls is off and they are dropped.
     */
    tlsSecrets?: { values: Record<string, string>; renew: boolean };
}

/** The secrets only a dev cluster has. */
export const CLUSTER_SECRETS = ["nomadGossipKey", "tailscaleAuthKey"] as const;

/** The secrets only a dev stack with nomad.tls has. */
export const TLS_SECRETS = ["nomadCaCert", "nomadClientCert", "nomadClientKey", "nomadServerCert", "nomadServerKey"] as const;

function stackExists(engine: Engine): boolean {
    const out = engine.must(["stack", "ls", "--json"], { withConfigFile: false });
    return (JSON.parse(out) as { name: string }[]).some((s) => s.name === DEV_STACK || s.name.endsWith(`/${DEV_STACK}`));
}

/**
 * Creates or selects the dev stack and writes its config file: the committed settings,
 * this machine's paths, and (once) generated secrets set with `pulumi config set --secret`.
 */
export function prepareDevStack(engine: Engine, o: DevStackOptions): void {
    const committedFile = path.join(engine.o.projectDir, `Pulumi.${DEV_STACK}.yaml`);
    const committedText = fs.readFileSync(committedFile, "utf8");
    const committed = YAML.parse(committedText) ?? {};
    const previous = fs.existsSync(engine.o.configFile) ? (YAML.parse(fs.readFileSync(engine.o.configFile, "utf8")) ?? {}) : {};

    let salt: string | undefined = previous.encryptionsalt;
    if (!stackExists(engine)) {
        // `stack init` writes the passphrase salt into Pulumi.dev.yaml: move it to our file, keep the committed one clean.
        engine.must(["stack", "init", DEV_STACK, "--secrets-provider", "passphrase"], { withConfigFile: false });
        salt = YAML.parse(fs.readFileSync(committedFile, "utf8"))?.encryptionsalt;
        fs.writeFileSync(committedFile, committedText);
        previous.config = {};
    } else {
        engine.must(["stack", "select", DEV_STACK], { withConfigFile: false });
        if (!salt) {
            throw new Error(`the dev stack exists but its config file ${engine.o.configFile} is gone: run npm run dev -- --down, or remove the backend folder`);
        }
    }

    const dropped: readonly string[] = [...(o.clusterSecrets ? [] : CLUSTER_SECRETS), ...(o.tlsSecrets ? [] : TLS_SECRETS)].map((k) => `hydra:${k}`);
    const secure = Object.fromEntries(
        Object.entries<unknown>(previous.config ?? {}).filter(([k, v]) => v && typeof v === "object" && "secure" in (v as object) && !dropped.includes(k)),
    );
    const config: Record<string, unknown> = { ...committed.config, ...secure, ...(o.extraConfig ?? {}) };
    config["hydra:node"] = { ...(committed.config?.["hydra:node"] ?? {}), dataDir: o.dataDir };
    config["hydra:nomad"] = { ...(committed.config?.["hydra:nomad"] ?? {}), address: o.nomadAddress, ...(o.tlsSecrets ? { tls: true } : {}) };
    // The backup's metrics stay in this machine's dev folder, not in the system's node-exporter folder.
    config["hydra:backup"] = { ...(committed.config?.["hydra:backup"] ?? {}), metricsDir: path.join(path.dirname(o.dataDir), "metrics") };
    fs.mkdirSync(path.dirname(engine.o.configFile), { recursive: true });
    fs.writeFileSync(engine.o.configFile, YAML.stringify({ config, encryptionsalt: salt }), { mode: 0o600 });

    // The apps' secrets. The proxies use Caddy's local CA here (proxy.tls internal), so no Cloudflare token.
    const declarations = APPS.flatMap((a) => a.secrets ?? []);
    const fixed = { resticRepository: o.resticRepository };
    const renewed = o.tlsSecrets?.renew ? Object.keys(o.tlsSecrets.values) : [];
    for (const [key, value] of Object.entries({ ...devSecrets(declarations, fixed), ...(o.clusterSecrets ?? {}), ...(o.tlsSecrets?.values ?? {}) })) {
        if (`hydra:${key}` in secure && !renewed.includes(key)) {
            continue;
        }
        // The value goes through stdin, so it never shows in a process listing.
        engine.must(["config", "set", "--secret", `hydra:${key}`], { input: value });
    }
}

/** The dev stack's secret values (to check that none leaks). */
export function devSecretValues(engine: Engine): Record<string, string> {
    const all = JSON.parse(engine.must(["config", "--show-secrets", "--json"])) as Record<string, { value: string; secret: boolean }>;
    return Object.fromEntries(
        Object.entries(all)
            .filter(([, v]) => v.secret)
            .map(([k, v]) => [k, v.value]),
    );
}
