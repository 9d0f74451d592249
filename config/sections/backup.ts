// hydra:backup: when restic runs and what it keeps.
import { z } from "zod";
import { cronProblem } from "../cron";
import { text, wholeNumber } from "../fields";
import { fullKey } from "../keys";
import { word } from "../names";
import { readSection, strictObject } from "../readSection";
import { ConfigSource } from "../source";

export const backupSchema = strictObject({
    schedule: text(cronProblem).prefault("0 3 * * *").describe("Cron spec (as Nomad reads it, in node.timezone) of the nightly restic backup."),
    checkSchedule: text(cronProblem).prefault("0 5 * * 0").describe("Cron spec of the weekly restic prune and check."),
    drillSchedule: text(cronProblem).prefault("0 6 * * 0").describe("Cron spec of the weekly restore drill (after the check)."),
    maxAgeHours: wholeNumber(1, 8760).prefault(26).describe("A newest snapshot older than this fails the restore drill and raises the BackupStale alert."),
    metricsDir: text(word("an absolute directory path", /^\/[A-Za-z0-9._/-]*[A-Za-z0-9._-]$/))
        .prefault("/var/lib/prometheus/node-exporter")
        .describe("node-exporter's textfile folder, where the backup and the drill write their metrics."),
    keepDaily: wholeNumber(0, 3650).prefault(7).describe("Daily snapshots restic keeps."),
    keepWeekly: wholeNumber(0, 520).prefault(4).describe("Weekly snapshots restic keeps."),
    keepMonthly: wholeNumber(0, 1200).prefault(12).describe("Monthly snapshots restic keeps."),
    keepYearly: wholeNumber(0, 100).prefault(3).describe("Yearly snapshots restic keeps."),
});

export type BackupConfig = z.output<typeof backupSchema>;

export function readBackup(src: ConfigSource): BackupConfig {
    return readSection(src.problems, fullKey("backup"), backupSchema, src.object("backup"));
}
