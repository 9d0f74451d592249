import * as pulumi from "@pulumi/pulumi";
import { Json, ObjectReader, Problems, show } from "./problems";
import { AppDeclaration, imageProblem } from "../vocabulary";
import { AppSettings, CloudflareConfig, ExtraRecord, HydraConfig, RecordType, Secret } from "./types";

export const NAMESPACE = "hydra";

/** Config as Pulumi hands it to a program: strings by full key, plus which keys are secret. */
export interface RawConfig {
    values: Record<string, string>;
    secretKeys: ReadonlySet<string>;
}

export class ConfigError extends Error {
    constructor(readonly problems: string[]) {
        super(`The stack's configuration has ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n` + problems.map((p) => `  - ${p}`).join("\n"));
        this.name = "ConfigError";
    }
}

// DigitalOcean's region slugs (the API's /v2/regions), so a typo fails before any call.
export const DIGITALOCEAN_REGIONS = [
    "nyc1",
    "nyc2",
    "nyc3",
    "sfo1",
    "sfo2",
    "sfo3",
    "ams2",
    "ams3",
    "sgp1",
    "lon1",
    "fra1",
    "tor1",
    "blr1",
    "syd1",
    "atl1",
    "ric1",
];

const SLUG = /^[a-z0-9]+(-[a-z0-9]+)+$/;
const HOSTNAME_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const DOMAIN = /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const UNIX_USER = /^[a-z_][a-z0-9_-]{0,31}$/;
const SSH_KEY = /^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com) [A-Za-z0-9+/]+={0,3}( .*)?$/;
const TIMEZONE = /^(UTC|Etc\/[A-Za-z0-9+-]+|[A-Z][A-Za-z_]+(\/[A-Za-z0-9_+-]+){1,2})$/;
const VERSION = /^\d+\.\d+\.\d+$/;
const HEX32 = /^[0-9a-f]{32}$/;
const RECORD_NAME = /^(\*\.)?[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?)*$/;

/** The secrets the estate reads, each its own top-level key so Pulumi can tell it was set with --secret. */
export const SECRET_KEYS = {
    tailscaleAuthKey: "Tailscale auth key the node joins with (or set tailscaleApiKey to mint one)",
    tailscaleApiKey: "Tailscale API key used to mint the node's one-off, pre-authorised auth key",
    nomadToken: "Nomad ACL token the Nomad resources use (only with nomad.acl)",
    consulGossipKey: "Consul gossip encryption key (`consul keygen`); generated when unset",
    cloudflareDnsToken: "Cloudflare API token (Zone:DNS:Edit) Caddy uses for DNS-01 certificates",
    giteaSecretKey: "Gitea SECRET_KEY; generated when unset",
    giteaInternalToken: "Gitea INTERNAL_TOKEN; generated when unset",
    giteaLfsJwtSecret: "Gitea LFS_JWT_SECRET (43 base64url characters); generated when unset",
    giteaOauth2JwtSecret: "Gitea oauth2 JWT_SECRET (43 base64url characters); generated when unset",
    shynetDbPassword: "Shynet's Postgres password; generated when unset",
    shynetDjangoSecretKey: "Shynet's DJANGO_SECRET_KEY; generated when unset",
    grafanaAdminPassword: "Grafana's admin password; generated when unset",
    resticPassword: "restic repository password; required with backup (never generated: without it backups cannot be restored)",
    resticRepository: "restic repository, e.g. b2:bucket:/hydra; required with backup",
    b2AccountId: "Backblaze B2 key id; required for a b2: repository",
    b2AccountKey: "Backblaze B2 application key; required for a b2: repository",
} as const;
export type SecretKey = keyof typeof SECRET_KEYS;

/** Provider credentials that live in the providers' own namespaces; they too must be secret. */
const PROVIDER_SECRETS = ["digitalocean:token", "cloudflare:apiToken", "tailscale:apiKey", "tailscale:oauthClientSecret"];

export const OBJECT_KEYS = ["node", "tailscale", "firewall", "nomad", "consul", "cloudflare", "apps", "proxy", "backup"] as const;
export const SCALAR_KEYS = ["domain", "target"] as const;

/** Where a secret typed into an object belongs instead. */
const MISPLACED_SECRETS: Record<string, string> = {
    authKey: "secrets are top-level keys: pulumi config set --secret tailscaleAuthKey <key>",
    apiKey: "secrets are top-level keys: pulumi config set --secret tailscaleApiKey <key>",
    token: "secrets are top-level keys: pulumi config set --secret nomadToken <token>",
    gossipKey: "secrets are top-level keys: pulumi config set --secret consulGossipKey <key>",
};

function fullKey(short: string): string {
    return `${NAMESPACE}:${short}`;
}

function parseObject(problems: Problems, raw: RawConfig, short: string): Record<string, Json> {
    const text = raw.values[fullKey(short)];
    if (text === undefined) {
        return {};
    }
    let v: unknown;
    try {
        v = JSON.parse(text);
    } catch {
        problems.add(fullKey(short), `expected an object (set its fields with pulumi config set --path ${short}.<field> <value>), got ${show(text)}`);
        return {};
    }
    if (typeof v !== "object" || v === null || Array.isArray(v)) {
        problems.add(fullKey(short), `expected an object (set its fields with pulumi config set --path ${short}.<field> <value>), got ${show(v)}`);
        return {};
    }
    return v as Record<string, Json>;
}

function readSecret(problems: Problems, raw: RawConfig, short: SecretKey): Secret | undefined {
    const key = fullKey(short);
    const value = raw.values[key];
    if (value === undefined || value === "") {
        return undefined;
    }
    if (!raw.secretKeys.has(key)) {
        // Never echo the value: it is a secret that was typed in the clear.
        problems.add(key, `is stored in plain text; store it encrypted with: pulumi config set --secret ${short} <value>`);
        return undefined;
    }
    return pulumi.secret(value);
}

function isIpv4(s: string): boolean {
    const parts = s.split(".");
    return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

function isTailnetIpv4(s: string): boolean {
    // Tailscale hands out addresses from the CGNAT range 100.64.0.0/10.
    if (!isIpv4(s)) {
        return false;
    }
    const [a, b] = s.split(".").map(Number);
    return a === 100 && b >= 64 && b <= 127;
}

function isCidr(s: string): boolean {
    const [addr, bits, ...rest] = s.split("/");
    if (rest.length || bits === undefined || !/^\d{1,3}$/.test(bits)) {
        return false;
    }
    if (isIpv4(addr)) {
        return Number(bits) <= 32;
    }
    return /^[0-9a-fA-F:]+$/.test(addr) && addr.includes(":") && Number(bits) <= 128;
}

function readRecords(p: Problems, r: ObjectReader): ExtraRecord[] {
    const types: RecordType[] = ["A", "AAAA", "CNAME", "TXT", "MX"];
    const out: ExtraRecord[] = [];
    const index: number[] = [];
    r.objectList("records").forEach((rec, i) => {
        const before = p.list.length;
        const sub = new ObjectReader(p, r.path(`records[${i}]`), rec);
        const name = sub.string("name");
        const type = sub.string("type");
        const content = sub.string("content");
        const proxied = sub.boolean("proxied", false);
        const ttl = sub.integer("ttl", 1, 1, 86400);
        const priority = sub.has("priority") ? sub.integer("priority", 10, 0, 65535) : undefined;
        sub.finish();
        if (!name) {
            sub.problem("name", `is required: a name relative to the zone such as "talks", or "@" for the apex`);
        } else if (name !== "@" && !RECORD_NAME.test(name)) {
            sub.problem("name", `${show(name)} is not a record name relative to the zone such as "talks" or "@"`);
        }
        if (!type || !types.includes(type as RecordType)) {
            sub.problem("type", `${show(type)} is not one of ${types.join(", ")}`);
        }
        if (!content) {
            sub.problem("content", "is required");
        } else if (type === "A" && !isIpv4(content)) {
            sub.problem("content", `${show(content)} is not an IPv4 address`);
        } else if (type === "CNAME" && !DOMAIN.test(content.replace(/\.$/, ""))) {
            sub.problem("content", `${show(content)} is not a host name`);
        }
        if (proxied && (type === "TXT" || type === "MX")) {
            sub.problem("proxied", `${type} records cannot be proxied by Cloudflare`);
        }
        if (type === "MX" && priority === undefined) {
            sub.problem("priority", "is required for MX records");
        }
        if (proxied && ttl !== 1) {
            sub.problem("ttl", "proxied records have an automatic TTL: leave ttl unset or 1");
        }
        if (p.list.length === before && name && type && content) {
            out.push({ name, type: type as RecordType, content, proxied, ttl, priority });
            index.push(i);
        }
    });
    // A CNAME cannot share its name with any other record (Cloudflare rejects it).
    out.forEach((rec, i) => {
        const clash = out.find((o, j) => j !== i && o.name === rec.name && (o.type === "CNAME" || rec.type === "CNAME"));
        if (clash && rec.type === "CNAME") {
            r.problem(`records[${index[i]}].name`, `${show(rec.name)} is a CNAME and also has a record of type ${clash.type}; a CNAME cannot share its name`);
        }
    });
    return out;
}

const CRON = /^(@(yearly|annually|monthly|weekly|daily|hourly)|[0-9*,/-]+( [0-9A-Za-z*,/-]+){4})$/;
/** A Caddy build with the Cloudflare DNS module, pinned. */
export const DEFAULT_CADDY_IMAGE = "ghcr.io/caddybuilds/caddy-cloudflare:2.10.2";

function readApps(p: Problems, raw: RawConfig, knownApps: readonly string[]): Record<string, AppSettings> {
    const obj = parseObject(p, raw, "apps");
    const apps: Record<string, AppSettings> = {};
    for (const name of knownApps) {
        const v = obj[name];
        const key = `${fullKey("apps")}.${name}`;
        // `apps.gitea: false` is shorthand for `apps.gitea.enabled: false`.
        if (v === undefined || v === null || v === true || v === "true") {
            apps[name] = { enabled: true };
        } else if (v === false || v === "false") {
            apps[name] = { enabled: false };
        } else if (typeof v === "object" && !Array.isArray(v)) {
            const a = new ObjectReader(p, key, v as Record<string, Json>);
            const enabled = a.boolean("enabled", true);
            const hostname = a.string("hostname");
            if (hostname !== undefined && !HOSTNAME_LABEL.test(hostname)) {
                a.problem("hostname", `${show(hostname)} is not a host name label such as "git"`);
            }
            const image = a.string("image");
            const bad = image !== undefined ? imageProblem(image) : undefined;
            if (bad) {
                a.problem("image", bad);
            }
            a.finish();
            apps[name] = { enabled, hostname, image };
        } else {
            p.add(key, `expected true, false or an object with enabled/hostname/image, got ${show(v)}`);
            apps[name] = { enabled: false };
        }
    }
    for (const name of Object.keys(obj)) {
        if (!knownApps.includes(name)) {
            p.add(`${fullKey("apps")}.${name}`, `is not an app Hydra knows (${knownApps.join(", ")})`);
        }
    }
    return apps;
}

/**
 * Checks the whole stack configuration and returns it typed, or throws a
 * ConfigError listing every problem with its full key. Pure: no resource, no I/O.
 * `knownApps` are the names of the apps in apps/index.ts.
 */
export function validateConfig(raw: RawConfig, appDeclarations: readonly AppDeclaration[]): HydraConfig {
    const knownApps = appDeclarations.map((a) => a.name);
    const p = new Problems();

    // Unknown top-level keys in our namespace, and provider tokens typed in the clear.
    const appSecretKeys = appDeclarations.flatMap((a) => (a.secrets ?? []).map((d) => d.key));
    const known = new Set<string>([...SCALAR_KEYS, ...OBJECT_KEYS, ...Object.keys(SECRET_KEYS), ...appSecretKeys].map(fullKey));
    for (const key of Object.keys(raw.values).sort()) {
        if (key.startsWith(`${NAMESPACE}:`) && !known.has(key)) {
            p.add(key, "is not a known setting (see the configuration table in README.md)");
        }
        if (PROVIDER_SECRETS.includes(key) && !raw.secretKeys.has(key)) {
            p.add(key, `is stored in plain text; store it encrypted with: pulumi config set --secret ${key} <value>`);
        }
    }

    const domainRaw = raw.values[fullKey("domain")];
    let domain = "example.invalid";
    if (domainRaw === undefined || domainRaw === "") {
        p.add(fullKey("domain"), "is required: the DNS zone, e.g. pulumi config set domain example.com");
    } else if (!DOMAIN.test(domainRaw)) {
        p.add(fullKey("domain"), `${show(domainRaw)} is not a lower-case DNS zone name such as "example.com"`);
    } else {
        domain = domainRaw;
    }

    const targetRaw = raw.values[fullKey("target")] ?? "digitalocean";
    let target: HydraConfig["target"] = "digitalocean";
    if (targetRaw === "digitalocean" || targetRaw === "existing") {
        target = targetRaw;
    } else {
        p.add(fullKey("target"), `${show(targetRaw)} is not "digitalocean" (create the droplet) or "existing" (bring your own node)`);
    }
    const onDo = target === "digitalocean";

    // --- node
    const n = new ObjectReader(p, fullKey("node"), parseObject(p, raw, "node"));
    const name = n.string("name", "floyd");
    if (!HOSTNAME_LABEL.test(name)) {
        n.problem("name", `${show(name)} is not a host name label (lower-case letters, digits, "-")`);
    }
    const region = n.string("region", "blr1");
    if (!DIGITALOCEAN_REGIONS.includes(region)) {
        const squashed = region.toLowerCase().replace(/[^a-z0-9]/g, "");
        const suggestion = DIGITALOCEAN_REGIONS.includes(squashed) ? squashed : "blr1";
        n.problem("region", `${show(region)} is not a DigitalOcean region slug such as ${show(suggestion)}`);
    }
    const size = n.string("size", "s-2vcpu-4gb");
    if (!SLUG.test(size)) {
        n.problem("size", `${show(size)} is not a DigitalOcean size slug such as "s-2vcpu-4gb"`);
    }
    const image = n.string("image", "ubuntu-26-04-x64");
    const lts = /^ubuntu-(\d\d)-04-x64$/.exec(image);
    if (!lts || Number(lts[1]) % 2 !== 0) {
        n.problem("image", `${show(image)} is not an Ubuntu LTS image slug such as "ubuntu-24-04-x64" (the bootstrap is written for Ubuntu LTS)`);
    }
    const sshPublicKeys = n.stringList("sshPublicKeys", []);
    sshPublicKeys.forEach((k, i) => {
        if (!SSH_KEY.test(k.trim())) {
            n.problem(`sshPublicKeys[${i}]`, `is not an OpenSSH public key line ("ssh-ed25519 AAAA… comment"); paste the .pub file's content, not its path`);
        }
    });
    if (onDo && sshPublicKeys.length === 0) {
        n.problem("sshPublicKeys", 'needs at least one public key: pulumi config set --path "node.sshPublicKeys[0]" "$(cat ~/.ssh/id_ed25519.pub)"');
    }
    const adminUser = n.string("adminUser", "hydra");
    if (!UNIX_USER.test(adminUser) || adminUser === "root") {
        n.problem("adminUser", `${show(adminUser)} is not a valid non-root Unix user name`);
    }
    const timezone = n.string("timezone", "UTC");
    if (!TIMEZONE.test(timezone)) {
        n.problem("timezone", `${show(timezone)} is not an IANA time zone such as "Asia/Kolkata" or "UTC"`);
    }
    const locale = n.string("locale", "en_US.UTF-8");
    if (!/^[a-z]{2,3}_[A-Z]{2}\.UTF-8$/.test(locale)) {
        n.problem("locale", `${show(locale)} is not a UTF-8 locale such as "en_US.UTF-8"`);
    }
    const volumeSizeGb = n.integer("volumeSizeGb", 50, 1, 16384);
    const tags = n.stringList("tags", ["nomad", "control-plane"]);
    tags.forEach((t, i) => {
        if (!/^[a-zA-Z0-9:_-]{1,255}$/.test(t)) {
            n.problem(`tags[${i}]`, `${show(t)} is not a DigitalOcean tag (letters, digits, ":", "-", "_")`);
        }
    });
    const monitoring = n.boolean("monitoring", true);
    const ipv6 = n.boolean("ipv6", true);
    const publicInterface = n.string("publicInterface", "eth0");
    if (!/^[a-zA-Z0-9._-]{1,15}$/.test(publicInterface)) {
        n.problem("publicInterface", `${show(publicInterface)} is not a network interface name`);
    }
    const dataDir = n.string("dataDir", "/data");
    if (!/^\/[A-Za-z0-9._/-]*[A-Za-z0-9._-]$/.test(dataDir)) {
        n.problem("dataDir", `${show(dataDir)} is not an absolute directory path such as "/data"`);
    }
    const publicAddress = n.string("publicAddress");
    if (publicAddress !== undefined && !isIpv4(publicAddress)) {
        n.problem("publicAddress", `${show(publicAddress)} is not an IPv4 address`);
    }
    if (onDo && publicAddress !== undefined) {
        n.problem("publicAddress", 'is only for target "existing"; a droplet gets its address from DigitalOcean');
    }
    if (!onDo && publicAddress === undefined) {
        n.problem("publicAddress", 'is required with target "existing": the node\'s public IPv4');
    }
    n.finish();

    // --- tailscale
    const t = new ObjectReader(p, fullKey("tailscale"), parseObject(p, raw, "tailscale"), MISPLACED_SECRETS);
    const hostname = t.string("hostname", name);
    if (!HOSTNAME_LABEL.test(hostname)) {
        t.problem("hostname", `${show(hostname)} is not a host name label`);
    }
    const address = t.string("address");
    if (address !== undefined && !isTailnetIpv4(address)) {
        t.problem("address", `${show(address)} is not a tailnet address in 100.64.0.0/10 such as "100.101.102.103"`);
    }
    if (!onDo && address === undefined) {
        t.problem("address", 'is required with target "existing": the node\'s tailnet IPv4 (tailscale ip -4)');
    }
    const tailnet = t.string("tailnet");
    const tsTags = t.stringList("tags", []);
    tsTags.forEach((tag, i) => {
        if (!/^tag:[a-z0-9-]+$/.test(tag)) {
            t.problem(`tags[${i}]`, `${show(tag)} is not a Tailscale ACL tag such as "tag:server"`);
        }
    });
    t.finish();
    const authKey = readSecret(p, raw, "tailscaleAuthKey");
    const apiKey = readSecret(p, raw, "tailscaleApiKey");
    if (onDo && !authKey && !apiKey && !p.list.some((x) => x.startsWith(fullKey("tailscaleA")))) {
        p.add(
            fullKey("tailscaleAuthKey"),
            "is required to join the tailnet: pulumi config set --secret tailscaleAuthKey tskey-auth-… (or set tailscaleApiKey and tailscale.tailnet to mint one)",
        );
    }
    if (apiKey && !tailnet) {
        t.problem("tailnet", 'is required to mint an auth key with tailscaleApiKey: your tailnet name, e.g. "example.com" or "-" for the default');
    }

    // --- firewall
    const f = new ObjectReader(p, fullKey("firewall"), parseObject(p, raw, "firewall"));
    const sshFrom = f.stringList("sshFrom", []);
    sshFrom.forEach((c, i) => {
        if (!isCidr(c)) {
            f.problem(`sshFrom[${i}]`, `${show(c)} is not a CIDR such as "203.0.113.7/32"`);
        }
    });
    f.finish();

    // --- nomad
    const nm = new ObjectReader(p, fullKey("nomad"), parseObject(p, raw, "nomad"), MISPLACED_SECRETS);
    const datacenter = nm.string("datacenter", "hydra");
    if (!/^[a-zA-Z0-9_-]+$/.test(datacenter)) {
        nm.problem("datacenter", `${show(datacenter)} is not a Nomad datacenter name (letters, digits, "-", "_")`);
    }
    const nomadRegion = nm.string("region", "global");
    if (!/^[a-zA-Z0-9_-]+$/.test(nomadRegion)) {
        nm.problem("region", `${show(nomadRegion)} is not a Nomad region name`);
    }
    const namespace = nm.string("namespace", "default");
    if (!/^[a-zA-Z0-9-]{1,128}$/.test(namespace)) {
        nm.problem("namespace", `${show(namespace)} is not a Nomad namespace name`);
    }
    const defaultAddress = `http://${address ?? hostname}:4646`;
    const nomadAddress = nm.string("address", defaultAddress);
    if (!/^https?:\/\/[^\s/]+(:\d+)?\/?$/.test(nomadAddress)) {
        nm.problem("address", `${show(nomadAddress)} is not an http(s) URL such as "http://100.101.102.103:4646"`);
    }
    const nomadVersion = nm.string("version", "1.6.3");
    if (!VERSION.test(nomadVersion)) {
        nm.problem("version", `${show(nomadVersion)} is not a version such as "1.6.3"`);
    }
    const acl = nm.boolean("acl", false);
    nm.finish();
    const nomadToken = readSecret(p, raw, "nomadToken");
    if (acl && !nomadToken && !p.list.some((x) => x.startsWith(fullKey("nomadToken")))) {
        p.add(fullKey("nomadToken"), "is required with nomad.acl: after `nomad acl bootstrap`, pulumi config set --secret nomadToken <secret id>");
    }

    // --- consul
    const c = new ObjectReader(p, fullKey("consul"), parseObject(p, raw, "consul"), MISPLACED_SECRETS);
    const consulEnabled = c.boolean("enabled", false);
    const consulVersion = c.string("version", "1.16.3");
    if (!VERSION.test(consulVersion)) {
        c.problem("version", `${show(consulVersion)} is not a version such as "1.16.3"`);
    }
    c.finish();
    const gossipKey = readSecret(p, raw, "consulGossipKey");

    // --- cloudflare
    const cf = new ObjectReader(p, fullKey("cloudflare"), parseObject(p, raw, "cloudflare"));
    const cfEnabled = cf.boolean("enabled", true);
    const manageZone = cf.boolean("manageZone", true);
    const accountId = cf.string("accountId");
    if (accountId !== undefined && !HEX32.test(accountId)) {
        cf.problem("accountId", `${show(accountId)} is not a Cloudflare account id (32 hex characters)`);
    }
    if (cfEnabled && manageZone && accountId === undefined) {
        cf.problem("accountId", "is required to create the zone (or set cloudflare.manageZone false to look up an existing zone)");
    }
    const proxied = cf.boolean("proxied", true);
    const records = readRecords(p, cf);
    cf.finish();
    const cloudflare: CloudflareConfig = { enabled: cfEnabled, manageZone, accountId, proxied, records };

    // --- apps, proxy, backup
    const apps = readApps(p, raw, knownApps);
    const anyApp = Object.values(apps).some((a) => a.enabled);
    const px = new ObjectReader(p, fullKey("proxy"), parseObject(p, raw, "proxy"));
    const proxyEnabled = px.boolean("enabled", true);
    const proxyImage = px.string("image", DEFAULT_CADDY_IMAGE);
    const badImage = imageProblem(proxyImage);
    if (badImage) {
        px.problem("image", badImage);
    }
    const acmeEmail = px.string("acmeEmail");
    if (acmeEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[a-z]{2,}$/.test(acmeEmail)) {
        px.problem("acmeEmail", `${show(acmeEmail)} is not an e-mail address`);
    }
    px.finish();

    const b = new ObjectReader(p, fullKey("backup"), parseObject(p, raw, "backup"));
    const schedule = b.string("schedule", "0 3 * * *");
    if (!CRON.test(schedule)) {
        b.problem("schedule", `${show(schedule)} is not a cron spec such as "0 3 * * *"`);
    }
    const checkSchedule = b.string("checkSchedule", "0 5 * * 0");
    if (!CRON.test(checkSchedule)) {
        b.problem("checkSchedule", `${show(checkSchedule)} is not a cron spec such as "0 5 * * 0"`);
    }
    const backup = {
        schedule,
        checkSchedule,
        keepDaily: b.integer("keepDaily", 7, 0, 3650),
        keepWeekly: b.integer("keepWeekly", 4, 0, 520),
        keepMonthly: b.integer("keepMonthly", 12, 0, 1200),
        keepYearly: b.integer("keepYearly", 3, 0, 100),
    };
    b.finish();

    const secrets: Partial<Record<string, Secret>> = {};
    for (const key of new Set(["cloudflareDnsToken", ...appSecretKeys])) {
        const v = readSecret(p, raw, key as SecretKey);
        if (v) {
            secrets[key] = v;
        }
    }
    const missing = (key: string, why: string) => {
        if (!secrets[key] && !p.list.some((x) => x.startsWith(`${fullKey(key)}:`))) {
            p.add(fullKey(key), `is required ${why}: pulumi config set --secret ${key} <value>`);
        }
    };
    if (proxyEnabled && anyApp) {
        missing("cloudflareDnsToken", "for the proxies' DNS-01 certificates");
    }
    if (apps.backup?.enabled) {
        missing("resticPassword", "with backup (keep a copy outside Pulumi: without it no backup can be restored)");
        missing("resticRepository", "with backup (e.g. b2:my-bucket:/hydra)");
        const repo = raw.values[fullKey("resticRepository")];
        if (repo?.startsWith("b2:")) {
            missing("b2AccountId", "for a b2: repository");
            missing("b2AccountKey", "for a b2: repository");
        }
    }

    if (!p.empty) {
        throw new ConfigError(p.list);
    }
    return {
        domain,
        target,
        node: {
            name,
            region,
            size,
            image,
            sshPublicKeys: sshPublicKeys.map((k) => k.trim()),
            adminUser,
            timezone,
            locale,
            volumeSizeGb,
            tags,
            monitoring,
            ipv6,
            dataDir,
            publicInterface,
            publicAddress,
        },
        tailscale: { hostname, address, tailnet, tags: tsTags, authKey, apiKey },
        firewall: { sshFrom },
        nomad: { datacenter, region: nomadRegion, namespace, address: nomadAddress.replace(/\/$/, ""), version: nomadVersion, acl, token: nomadToken },
        consul: { enabled: consulEnabled, version: consulVersion, gossipKey },
        cloudflare,
        apps,
        proxy: { enabled: proxyEnabled, image: proxyImage, acmeEmail, cloudflareToken: secrets.cloudflareDnsToken },
        backup,
        secrets,
    };
}
