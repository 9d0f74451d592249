// hydra:cloudflare: the DNS zone and its extra records.
import { z } from "zod";
import { expected, flag, text } from "../fields";
import { fullKey } from "../keys";
import { word } from "../names";
import { readSection, strictObject } from "../readSection";
import { ConfigSource } from "../source";
import { ExtraRecord, readRecords, recordSchema } from "./records";

const fields = {
    enabled: flag().prefault(true).describe("Manage DNS at all (off for a local dev stack)."),
    manageZone: flag().prefault(true).describe("Create the zone, protected (true), or look it up by name (false)."),
    accountId: text(word("a Cloudflare account id (32 hex characters)", /^[0-9a-f]{32}$/))
        .optional()
        .describe("Cloudflare account id; required to create the zone."),
    proxied: flag().prefault(true).describe("Default for public routes that do not say."),
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
    if (cf.enabled && cf.manageZone && cf.accountId === undefined && !p.has(`${key}.accountId`)) {
        p.add(`${key}.accountId`, "required", "is required to create the zone (or set cloudflare.manageZone false to look up an existing zone)");
    }
    return { ...cf, records };
}
