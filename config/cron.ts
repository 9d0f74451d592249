// Periodic specs as Nomad 1.6 reads them (its parser is github.com/hashicorp/cronexpr), parsed by croner:
//   5 fields: minute hour day-of-month month day-of-week
//   6 fields: the same, then a year
//   7 fields: a second, the same, then a year
//   or one of @yearly @annually @monthly @weekly @daily @hourly.
// croner's own 6-field form starts with a second, so every spec is handed to it as 7 fields.
import { Cron, CronPattern } from "croner";
import { show } from "./problems";
import { remembered } from "./remembered";

const DESCRIPTORS = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@hourly"];

/** The seven fields, in croner's order, with what Nomad takes in each. */
const FIELDS = [
    { name: "second", takes: "0-59" },
    { name: "minute", takes: "0-59" },
    { name: "hour", takes: "0-23" },
    { name: "day-of-month", takes: "1-31, L, LW or a day and W" },
    { name: "month", takes: "1-12 or JAN-DEC" },
    { name: "day-of-week", takes: "0-7 or SUN-SAT, a day and L, or day#week" },
    { name: "year", takes: "1970-2099" },
];

/** cronexpr's years; croner's go from 1 to 9999. */
const FIRST_YEAR = 1970;
const LAST_YEAR = 2099;

// sloppyRanges: cronexpr takes "5/10" (from 5, every 10), which croner refuses by default.
const OPTIONS = { mode: "7-part", sloppyRanges: true } as const;

function parse(fields: string[]): CronPattern | undefined {
    try {
        return new CronPattern(fields.join(" "), undefined, OPTIONS);
    } catch {
        return undefined;
    }
}

/** A Nomad spec of 5, 6 or 7 fields as croner's 7: second 0 and any year where Nomad has none. */
function asSevenFields(fields: string[]): string[] {
    if (fields.length === 5) {
        return ["0", ...fields, "*"];
    }
    return fields.length === 6 ? ["0", ...fields] : fields;
}

/** The first field that is wrong on its own, every other field left open. */
function wrongField(seven: string[]): number {
    return seven.findIndex((field, i) => !parse(seven.map((other, j) => (j === i ? field : j === 0 ? "0" : "*"))));
}

/** Why `spec` is not a cron spec Nomad accepts, naming the field that is wrong; undefined when it is one. */
function cronProblemUncached(spec: string): string | undefined {
    const shown = show(spec);
    const trimmed = spec.trim();
    if (trimmed.startsWith("@")) {
        return DESCRIPTORS.includes(trimmed) ? undefined : `${shown} is not a descriptor Nomad knows (${DESCRIPTORS.join(", ")})`;
    }
    const fields = trimmed.split(/\s+/).filter((f) => f !== "");
    if (fields.length < 5 || fields.length > 7) {
        const forms = "5 (minute hour day-of-month month day-of-week), 6 (the same and a year) or 7 (a second, the same and a year)";
        return `${shown} has ${fields.length} field${fields.length === 1 ? "" : "s"}: a cron spec has ${forms}`;
    }
    const seven = asSevenFields(fields);
    const pattern = parse(seven);
    // croner's own extensions, which Nomad refuses: "+" (day-of-month and day-of-week) and "#L".
    const extension = /\+|#l/i.test(seven[5]);
    if (!pattern || extension) {
        const i = extension ? 5 : wrongField(seven);
        return i < 0
            ? `${shown} is not a cron spec Nomad accepts`
            : `${shown} is not a cron spec: its ${FIELDS[i].name} field ${show(seven[i])} is wrong (${FIELDS[i].takes})`;
    }
    if (!pattern.starYear && pattern.year.some((on, year) => on && (year < FIRST_YEAR || year > LAST_YEAR))) {
        return `${shown} is not a cron spec: its year field ${show(seven[6])} is wrong (${FIELDS[6].takes})`;
    }
    const job = new Cron(seven.join(" "), { ...OPTIONS, paused: true });
    const next = job.nextRun();
    job.stop();
    return next === null ? `${shown} never comes round: no date from now on matches it` : undefined;
}

export const cronProblem = remembered(cronProblemUncached);
