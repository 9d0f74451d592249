// "Did you mean": the known word nearest to a mistyped one.

/** Levenshtein distance; inputs are short (keys, slugs, zone names). */
function distance(a: string, b: string): number {
    const row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
        let diagonal = row[0];
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const above = row[j];
            row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
            diagonal = above;
        }
    }
    return row[b.length];
}

/** The candidate at most two edits from `word` (ignoring case), nearest first; enough for typos like "regoin". */
export function closest(word: string, candidates: readonly string[]): string | undefined {
    let best: string | undefined;
    let bestDistance = 3;
    for (const candidate of candidates) {
        const d = distance(word.toLowerCase(), candidate.toLowerCase());
        if (d < bestDistance) {
            best = candidate;
            bestDistance = d;
        }
    }
    return best;
}

/** `; did you mean "region"?`, or nothing when no candidate is near. */
export function didYouMean(word: string, candidates: readonly string[]): string {
    const near = closest(word, candidates);
    return near === undefined ? "" : `; did you mean "${near}"?`;
}
