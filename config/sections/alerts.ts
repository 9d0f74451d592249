// hydra:alerts: how the alert rules Prometheus loads are tuned.
import { z } from "zod";
import { text } from "../fields";
import { fullKey } from "../keys";
import { word } from "../names";
import { readSection, strictObject } from "../readSection";
import { ConfigSource } from "../source";

/** A Prometheus duration of one unit, as a rule's `for:` takes it. */
const duration = word("a duration such as 5m, 90s or 1h", /^[1-9][0-9]*[smh]$/);

export const alertsSchema = strictObject({
    downFor: text(duration)
        .prefault("5m")
        .describe("How long a scrape target is down, or a service job has no running allocation, before its alert fires (ScrapeTargetDown, JobNotRunning)."),
});

export type AlertsConfig = z.output<typeof alertsSchema>;

export function readAlerts(src: ConfigSource): AlertsConfig {
    return readSection(src.problems, fullKey("alerts"), alertsSchema, src.object("alerts"));
}
