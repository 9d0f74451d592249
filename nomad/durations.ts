/**
 * Nomad's JSON API takes durations as int64 nanoseconds; these helpers build
 * them so a job never carries a bare "10" that means 10 ns.
 */

/** A duration in nanoseconds, as Nomad's JSON API expects. */
export type Duration = number;

const NS_PER = {
    ns: 1,
    us: 1e3,
    µs: 1e3,
    ms: 1e6,
    s: 1e9,
    m: 60e9,
    h: 3600e9,
} as const;

/** `n` nanoseconds. */
export function nanoseconds(n: number): Duration {
    return Math.round(n);
}

/** `n` milliseconds in nanoseconds. */
export function milliseconds(n: number): Duration {
    return Math.round(n * NS_PER.ms);
}

/** `n` seconds in nanoseconds. */
export function seconds(n: number): Duration {
    return Math.round(n * NS_PER.s);
}

/** `n` minutes in nanoseconds. */
export function minutes(n: number): Duration {
    return Math.round(n * NS_PER.m);
}

/** `n` hours in nanoseconds. */
export function hours(n: number): Duration {
    return Math.round(n * NS_PER.h);
}

/**
 * Parse a Go-style duration string ("30s", "1h30m", "1.5h", "250ms", "10us")
 * into nanoseconds. Throws on anything else, so typos fail at program time.
 */
export function duration(text: string): Duration {
    const s = text.trim();
    if (s === "0") {
        return 0;
    }
    const re = /(\d+(?:\.\d+)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy;
    let total = 0;
    let pos = 0;
    let matched = false;
    let m: RegExpExecArray | null;
    while ((m = re.exec(s)) !== null) {
        total += parseFloat(m[1]) * NS_PER[m[2] as keyof typeof NS_PER];
        pos = re.lastIndex;
        matched = true;
    }
    if (!matched || pos !== s.length) {
        throw new Error(`invalid duration ${JSON.stringify(text)} (expected e.g. "30s", "1h30m", "250ms")`);
    }
    return Math.round(total);
}
