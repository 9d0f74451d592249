// Time zones, checked against the IANA database the runtime carries (ICU's copy of it).
import { closest } from "./closest";
import { show } from "./problems";
import { remembered } from "./remembered";

/** ICU's canonical zone names, plus "UTC", which it lists as an alias only. */
const ZONES: readonly string[] = [...Intl.supportedValuesOf("timeZone"), "UTC"];
const LISTED = new Set(ZONES);

/** The zone ICU takes `name` for, or undefined when it knows none (it ignores case). */
function resolve(name: string): string | undefined {
    try {
        return new Intl.DateTimeFormat("en-US", { timeZone: name }).resolvedOptions().timeZone;
    } catch {
        return undefined;
    }
}

/** Area/Location with each part capitalised, as IANA writes names; the node's tzdata reads them case-sensitively. */
function ianaForm(name: string): boolean {
    const parts = name.split("/");
    return parts.length > 1 && parts.every((part) => /^[A-Z]/.test(part));
}

/**
 * Why `name` is not an IANA time zone, or undefined when it is one. ICU lists some zones under
 * older names (Asia/Calcutta, not Asia/Kolkata) and leaves out Etc/*, so a name ICU knows is
 * taken too when written in IANA's form; abbreviations such as "IST" are refused, being ambiguous.
 */
function timeZoneProblemUncached(name: string): string | undefined {
    if (LISTED.has(name) || (ianaForm(name) && resolve(name) !== undefined)) {
        return undefined;
    }
    const capitalised = name
        .split("/")
        .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
        .join("/");
    const near = ianaForm(capitalised) && resolve(capitalised) !== undefined ? capitalised : closest(name, ZONES);
    return `${show(name)} is not an IANA time zone such as "Asia/Kolkata" or "UTC"${near ? `; did you mean "${near}"?` : ""}`;
}

export const timeZoneProblem = remembered(timeZoneProblemUncached);
