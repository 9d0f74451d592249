// hydra:cloudflare: the DNS zone and its extra records.
import { z } from "zod";
import { expected, flag, text } from "../fields";
import { fullKey } from "../keys";
import { word } from "../names";
import { readSection, strictObject } from "../readSection";
import { ConfigSource } from "../source";
import { show } from "../problems";
import { ExtraRecord, RECORD_TYPES, readRecords, recordSchema } from "./records";

const CF_ID = "[0-9a-f]{32}";

/** `zone`, or a record as `<name relative to the zone>/<TYPE>` ("git/A", "@/CNAME"). */
function importKey(k: string): string | undefined {
    const m = /^(.+)\/([A-Z]+)$/.exec(k);
    return k === "zone" || (m && (RECORD_TYPES as readonly string[]).includes(m[2]))
        ? undefined
        : `${show(k)} is neither "zone" nor a record as <name>/<type> such as "git/A" or "@/CNAME"`;
}

/** Cloudflare's import ids: a zone's id, or `<zone id>/<record id>`. */
function importId(v: string): string | undefined {
    return new RegExp(`^${CF_ID}(/${CF_ID})?$`).test(v)
        ? undefined
        : `${show(v)} is not a Cloudflare zone id or <zone id>/<record id> (32 hex characters each)`;
}

const fields = {
    enabled: flag().prefault(true).describe("Manage DNS at all (off for a local dev stack)."),
    manageZone: flag().prefault(true).describe("Create the zone, protected (true), or look it up by name (false)."),
    accountId: text(word("a Cloudflare account id (32 hex characters)", /^[0-9a-f]{32}$/))
        .optional()
        .describe("Cloudflare account id; required to create the zone."),
    proxied: flag().prefault(true).describe("Default for public routes that do not say."),
    imports: z
        .record(z.string(), text(), expected("a map of import ids"))
        .prefault({})
        .describe('Adopt what already exists (MIGRATING.md): "zone" → the zone\'s id; "<name>/<type>" (e.g. "git/A", "@/CNAME") → "<zone id>/<record id>".'),
};

export const cloudflareSchema = strictObject({
    ...fields,
    records: z.array(recordSchema).prefault([]).describe("Extra records in the zone (apex CNAME, talks, notes …)."),
});

/** The same object with its records left unread, so each record is read on its own. */
const withRawRecords = strictObject({ ...fields, records: z.array(z.unknown(), expected("a list of records")).prefault([]) });

export type CloudflareConfig = Omit<z.output<typeof cloudflareSchema>, "records"> & { records: ExtraRecord[] };

export function readCloudflare(src: ConfigSource): CloudflareConfig {
    const p = src.problems;
    const key = fullKey("cloudflare");
    const cf = readSection(p, key, withRawRecords, src.object("cloudflare"));
    const records = readRecords(p, `${key}.records`, cf.records);
    // Checked here rather than in the schema, so that every entry's problem is listed with its key.
    for (const [k, v] of Object.entries(cf.imports)) {
        const wrong = importKey(k) ?? importId(v);
        if (wrong) {
            p.add(`${key}.imports.${k}`, "invalid", wrong);
        } else if (k === "zone" && !cf.manageZone) {
            p.add(`${key}.imports.zone`, "conflict", "imports the zone only when the stack manages it (cloudflare.manageZone true)");
        } else if (k === "zone" ? v.includes("/") : !v.includes("/")) {
            p.add(`${key}.imports.${k}`, "invalid", k === "zone" ? "is the zone's id alone (32 hex characters)" : "is <zone id>/<record id> for a record");
        }
    }
    if (cf.enabled && cf.manageZone && cf.accountId === undefined && !p.has(`${key}.accountId`)) {
        p.add(`${key}.accountId`, "required", "is required to create the zone (or set cloudflare.manageZone false to look up an existing zone)");
    }
    return { ...cf, records };
}
