// Checks that are pure functions of one string, remembered: ICU and croner are slow to ask, and a
// stack repeats the same few values (tests and `npm run schema` check thousands of configs).
import { Check } from "./fields";

const LIMIT = 1000;

/** `check`, answering a value it has seen from memory (at most LIMIT values are kept). */
export function remembered(check: Check<string>): Check<string> {
    const seen = new Map<string, string | undefined>();
    return (value) => {
        if (seen.has(value)) {
            return seen.get(value);
        }
        const why = check(value);
        if (seen.size >= LIMIT) {
            seen.clear();
        }
        seen.set(value, why);
        return why;
    };
}
