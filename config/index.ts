export * from "./types";
export { ConfigError, RawConfig, validateConfig, SECRET_KEYS, DIGITALOCEAN_REGIONS } from "./validate";
export { loadConfig, rawFromStackConfig, readRawConfig } from "./load";
