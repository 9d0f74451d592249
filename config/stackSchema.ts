// The JSON Schema of a stack file (Pulumi.<stack>.yaml), for editors: its `config:` map, key by key,
// generated from the same schemas the program validates with.
import { z } from "zod";
import { AppDeclaration } from "../vocabulary/app";
import { fullKey, NAMESPACE, PROVIDER_SECRETS } from "./keys";
import { appsSchema } from "./sections/apps";
import { alertsSchema } from "./sections/alerts";
import { backupSchema } from "./sections/backup";
import { cloudflareSchema } from "./sections/cloudflare";
import { consulSchema } from "./sections/consul";
import { domainSchema, targetSchema } from "./sections/estate";
import { firewallSchema } from "./sections/firewall";
import { nodeSchema } from "./sections/node";
import { nomadSchema } from "./sections/nomad";
import { proxySchema } from "./sections/proxy";
import { allSecretDeclarations } from "./sections/secrets";
import { tailscaleSchema } from "./sections/tailscale";

/** How a stack file holds a secret: `pulumi config set --secret` writes `{secure: <ciphertext>}`; plain text is refused. */
function secure(key: string, description: string) {
    return z.strictObject({ secure: z.string() }).describe(`Secret: pulumi config set --secret ${key} <value>. ${description}.`).optional();
}

type JsonObject = Record<string, unknown>;

/** The JSON Schema of a stack file whose program runs these apps. */
export function stackSchema(apps: readonly AppDeclaration[]): JsonObject {
    const keys: Record<string, z.ZodType> = {
        [fullKey("domain")]: domainSchema,
        [fullKey("target")]: targetSchema.optional(),
        [fullKey("node")]: nodeSchema.optional(),
        [fullKey("tailscale")]: tailscaleSchema.optional(),
        [fullKey("firewall")]: firewallSchema.optional(),
        [fullKey("nomad")]: nomadSchema.optional(),
        [fullKey("consul")]: consulSchema.optional(),
        [fullKey("cloudflare")]: cloudflareSchema.optional(),
        [fullKey("apps")]: appsSchema(apps).optional(),
        [fullKey("proxy")]: proxySchema.optional(),
        [fullKey("backup")]: backupSchema.optional(),
        [fullKey("alerts")]: alertsSchema.optional(),
    };
    for (const d of allSecretDeclarations(apps)) {
        keys[fullKey(d.key)] = secure(d.key, d.description);
    }
    for (const [key, description] of Object.entries(PROVIDER_SECRETS)) {
        keys[key] = secure(key, description);
    }
    // Stack files hold more than config (secretsprovider, encryptionsalt …), and config holds other namespaces.
    const file = z.looseObject({ config: z.looseObject(keys).optional() });
    const json = z.toJSONSchema(file, { io: "input", target: "draft-7" }) as unknown as JsonObject & { properties: { config: JsonObject } };
    // Any key in Hydra's namespace must be one of ours; other namespaces belong to providers and Pulumi.
    json.properties.config.propertyNames = { anyOf: [{ enum: Object.keys(keys) }, { not: { pattern: `^${NAMESPACE}:` } }] };
    return {
        $schema: json.$schema,
        $comment: "Generated from config/ by npm run schema; do not edit.",
        title: "Hydra stack file (Pulumi.<stack>.yaml)",
        ...json,
    };
}

/** The schema file's text. */
export function stackSchemaText(apps: readonly AppDeclaration[]): string {
    return JSON.stringify(stackSchema(apps), null, 2) + "\n";
}
