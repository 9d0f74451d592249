export * from "./types";
export { ConfigError, RawConfig, validateConfig, SECRET_KEYS, DIGITALOCEAN_REGIONS } from "./validate";
export { loadConfig, rawFromStackConfig, readRawConfig } from "./load";
import { AppDeclaration, SecretDeclaration } from "../vocabulary";
import { SECRET_KEYS } from "./validate";

/** The estate's own secrets (interim: derived from SECRET_KEYS until the config rewrite declares them). */
export const ESTATE_SECRETS: readonly SecretDeclaration[] = (
    ["tailscaleAuthKey", "tailscaleApiKey", "nomadToken", "consulGossipKey", "cloudflareDnsToken"] as const
).map((key) => ({ key, description: SECRET_KEYS[key] }));

export function allSecretDeclarations(apps: readonly AppDeclaration[]): SecretDeclaration[] {
    const all = [...ESTATE_SECRETS, ...apps.flatMap((a) => a.secrets ?? [])];
    return all.filter((d, i) => all.findIndex((o) => o.key === d.key) === i);
}
