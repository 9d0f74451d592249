import { closest } from "./closest";
import { show } from "./problems";

/** DigitalOcean's region slugs (the API's /v2/regions), so a typo fails before any call. */
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
] as const;

export type Region = (typeof DIGITALOCEAN_REGIONS)[number];

export const DEFAULT_REGION: Region = "blr1";

/** Names the slug the user most likely meant: "BLR1" and "blr-1" are "blr1"; with no near slug, the default. */
export function regionProblem(region: unknown): string {
    const typed = typeof region === "string" ? region : "";
    const squashed = typed.toLowerCase().replace(/[^a-z0-9]/g, "");
    const known: readonly string[] = DIGITALOCEAN_REGIONS;
    const suggestion = known.includes(squashed) ? squashed : (closest(typed, known) ?? DEFAULT_REGION);
    return `${show(region)} is not a DigitalOcean region slug such as ${show(suggestion)}`;
}
