// hydra:cloudflare.records: records that have nothing to do with the apps but live in the same zone.
import { z } from "zod";
import { isIPv4, isIPv6 } from "../addresses";
import { flag, oneOf, text, wholeNumber } from "../fields";
import { isDomain } from "../names";
import { Problems, show } from "../problems";
import { readSection, strictObject } from "../readSection";

export const RECORD_TYPES = ["A", "AAAA", "CNAME", "TXT", "MX"] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

const RECORD_NAME = /^(\*\.)?[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?)*$/;

export const recordSchema = strictObject({
    name: text((n) => (n === "@" || RECORD_NAME.test(n) ? undefined : `${show(n)} is not a record name relative to the zone such as "talks" or "@"`)).describe(
        'Name relative to the zone ("talks"; "@" for the apex).',
    ),
    type: oneOf(RECORD_TYPES, (t) => `${show(t)} is not one of ${RECORD_TYPES.join(", ")}`),
    content: text((c) => (c === "" ? "is required" : undefined)),
    proxied: flag().prefault(false).describe("Through Cloudflare's proxy (A, AAAA and CNAME only)."),
    ttl: wholeNumber(1, 86400).prefault(1).describe("Seconds; 1 means automatic (the only value for proxied records)."),
    priority: wholeNumber(0, 65535).optional().describe("MX only, and required there."),
});

export type ExtraRecord = z.output<typeof recordSchema>;

/** Why `content` does not fit a record of `type`, or undefined. */
function contentProblem(type: RecordType, content: string): string | undefined {
    const host = content.replace(/\.$/, "");
    switch (type) {
        case "A":
            return isIPv4(content) ? undefined : `${show(content)} is not an IPv4 address`;
        case "AAAA":
            return isIPv6(content) && !content.includes("%") ? undefined : `${show(content)} is not an IPv6 address`;
        case "CNAME":
        case "MX":
            return isDomain(host) ? undefined : `${show(content)} is not a host name`;
        default:
            return undefined;
    }
}

/** Rules between one record's fields; the record is already well-typed. */
function checkRecord(p: Problems, at: string, r: ExtraRecord): void {
    const wrongContent = contentProblem(r.type, r.content);
    if (wrongContent) {
        p.add(`${at}.content`, "invalid", wrongContent);
    }
    if (r.proxied && (r.type === "TXT" || r.type === "MX")) {
        p.add(`${at}.proxied`, "conflict", `${r.type} records cannot be proxied by Cloudflare`);
    }
    if (r.type === "MX" && r.priority === undefined) {
        p.add(`${at}.priority`, "required", "is required for MX records");
    }
    if (r.type !== "MX" && r.priority !== undefined) {
        p.add(`${at}.priority`, "conflict", "is for MX records only");
    }
    if (r.proxied && r.ttl !== 1) {
        p.add(`${at}.ttl`, "conflict", "proxied records have an automatic TTL: leave ttl unset or 1");
    }
}

/** Reads each record on its own, so one wrong record does not hide the others' problems; returns the right ones. */
export function readRecords(p: Problems, key: string, input: readonly unknown[]): ExtraRecord[] {
    const read: { record: ExtraRecord; index: number }[] = [];
    input.forEach((raw, index) => {
        const at = `${key}[${index}]`;
        const before = p.list.length;
        const record = readSection(p, at, recordSchema, raw);
        if (p.list.length === before) {
            checkRecord(p, at, record);
        }
        if (p.list.length === before) {
            read.push({ record, index });
        }
    });
    // A CNAME cannot share its name with any other record (Cloudflare refuses it).
    for (const { record, index } of read) {
        const clash = read.find((o) => o.index !== index && o.record.name === record.name);
        if (clash && record.type === "CNAME") {
            const message = `${show(record.name)} is a CNAME and also has a record of type ${clash.record.type}; a CNAME cannot share its name`;
            p.add(`${key}[${index}].name`, "conflict", message);
        }
    }
    return read.map((r) => r.record);
}
