// Prometheus's HTTP API (/api/v1), as the dev estate's tests read it.

export interface PromAlert {
    labels: Record<string, string>;
    state: "pending" | "firing";
    activeAt: string;
}

export async function prom<T>(base: string, p: string): Promise<T> {
    const res = await fetch(`${base}${p}`, { signal: AbortSignal.timeout(15_000) });
    const body = (await res.json()) as { status: string; data: T; error?: string };
    if (!res.ok || body.status !== "success") {
        throw new Error(`Prometheus ${p}: ${res.status} ${body.error ?? ""}`);
    }
    return body.data;
}

export const alerts = async (base: string): Promise<PromAlert[]> => (await prom<{ alerts: PromAlert[] }>(base, "/api/v1/alerts")).alerts;

/** An instant query's samples: labels and value. */
export async function query(base: string, q: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
    return (await prom<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(base, `/api/v1/query?query=${encodeURIComponent(q)}`)).result;
}

/** Polls `probe` every 2 s until it returns something, or throws with `what` after `timeoutMs`. */
export async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    for (;;) {
        try {
            const v = await probe();
            if (v !== undefined) {
                return v;
            }
        } catch (e) {
            last = e;
        }
        if (Date.now() > deadline) {
            throw new Error(`${what}: not within ${timeoutMs / 1000}s${last ? ` (last error: ${String(last)})` : ""}`);
        }
        await new Promise((r) => setTimeout(r, 2000));
    }
}
