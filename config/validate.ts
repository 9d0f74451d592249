// Checks the whole stack configuration, section by section, and lists every problem at once.
import { AppDeclaration } from "../vocabulary/app";
import { didYouMean } from "./closest";
import { ConfigError } from "./configError";
import { fullKey, NAMESPACE, OBJECT_KEYS, PROVIDER_SECRETS, SCALAR_KEYS } from "./keys";
import { Problems } from "./problems";
import { readAlerts } from "./sections/alerts";
import { checkAppNodes } from "./sections/appNodes";
import { readApps } from "./sections/apps";
import { readBackup } from "./sections/backup";
import { readCloudflare } from "./sections/cloudflare";
import { readConsul } from "./sections/consul";
import { readDomain, readTarget } from "./sections/estate";
import { readFirewall } from "./sections/firewall";
import { readNode } from "./sections/node";
import { readNodes } from "./sections/nodes";
import { readNomad } from "./sections/nomad";
import { readProxy } from "./sections/proxy";
import { allSecretDeclarations, ESTATE_SECRETS, readSecrets, requireAppSecrets } from "./sections/secrets";
import { readTailscale } from "./sections/tailscale";
import { ConfigSource, plainTextMessage, RawConfig } from "./source";
import { HydraConfig } from "./types";

/** Unknown keys in Hydra's namespace, and provider credentials typed in the clear. */
function checkTopLevelKeys(src: ConfigSource, secretKeys: readonly string[]): void {
    const known: string[] = [...SCALAR_KEYS, ...OBJECT_KEYS, ...secretKeys];
    for (const key of Object.keys(src.raw.values).sort()) {
        const short = key.slice(NAMESPACE.length + 1);
        const object = OBJECT_KEYS.find((o) => short.startsWith(`${o}.`));
        if (key.startsWith(`${NAMESPACE}:`) && object) {
            src.problems.add(key, "unknown-key", `is a field of ${object}: set it with pulumi config set --path ${short} <value>`);
        } else if (key.startsWith(`${NAMESPACE}:`) && !known.includes(short)) {
            src.problems.add(key, "unknown-key", `is not a known setting (see the configuration table in README.md)${didYouMean(short, known)}`);
        }
        if (Object.hasOwn(PROVIDER_SECRETS, key) && !src.raw.secretKeys.has(key) && src.raw.values[key] !== "") {
            src.problems.add(key, "plain-text-secret", plainTextMessage(key));
        }
    }
}

function readAll(src: ConfigSource, apps: readonly AppDeclaration[]): HydraConfig {
    const declarations = allSecretDeclarations(apps);
    checkTopLevelKeys(
        src,
        declarations.map((d) => d.key),
    );
    const secrets = readSecrets(src, declarations);
    const target = readTarget(src);
    const domain = readDomain(src);
    const node = readNode(src, target);
    const tailscale = readTailscale(src, target, node, secrets);
    const firewall = readFirewall(src);
    const nomad = readNomad(src, target, tailscale, secrets);
    const consul = readConsul(src, secrets);
    const cloudflare = readCloudflare(src);
    const appSettings = readApps(src, apps);
    const cluster = readNodes(src, target, node, tailscale, secrets);
    checkAppNodes(src, apps, appSettings, cluster);
    if (cluster.nodes.length && consul.enabled) {
        // Consul here is one server on the one node; a cluster of them is not built yet.
        src.problems.add(
            fullKey("consul.enabled"),
            "conflict",
            "is not supported with nodes: the optional Consul is a single server on one node; Nomad's own service discovery works across nodes",
        );
    }
    const proxy = readProxy(src, appSettings, secrets);
    const backup = readBackup(src);
    const alerts = readAlerts(src);
    requireAppSecrets(src, apps, appSettings, secrets);
    // An estate secret an app also declares (nomadToken for the backup's snapshot, Nomad's TLS for
    // Prometheus) is one that app's jobs may read: it stays among the apps' secrets.
    const appDeclared = new Set(apps.flatMap((a) => (a.secrets ?? []).map((d) => d.key)));
    const estateSecrets = new Set(ESTATE_SECRETS.map((d) => d.key).filter((key) => !appDeclared.has(key)));
    const appSecrets = Object.fromEntries([...secrets].filter(([key]) => !estateSecrets.has(key)));
    return { domain, target, node, tailscale, firewall, nomad, consul, cloudflare, apps: appSettings, proxy, backup, alerts, cluster, secrets: appSecrets };
}

/**
 * Checks the whole stack configuration and returns it typed, or throws a ConfigError listing
 * every problem with its full key. `apps` declare the settings and secrets each app reads.
 * Pure: no resource, no I/O.
 */
export function validateConfig(raw: RawConfig, apps: readonly AppDeclaration[]): HydraConfig {
    const src = new ConfigSource(raw, new Problems());
    let cfg: HydraConfig | undefined;
    try {
        cfg = readAll(src, apps);
    } catch (e) {
        // Whatever went wrong, the user sees a config message and never a stack trace.
        const why = e instanceof Error ? e.message : String(e);
        src.problems.add(fullKey("config"), "invalid", `could not be checked (${why}); this is a bug in Hydra, please report it`);
    }
    if (!src.problems.empty || cfg === undefined) {
        throw new ConfigError(src.problems.list);
    }
    return cfg;
}
