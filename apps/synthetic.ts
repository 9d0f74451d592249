// Plain public apps, only to measure how render and preview grow with the size of the
// estate (`npm run bench`); never part of APPS.
import { AppDefinition, defineApp } from "./app";

export function syntheticApps(n: number): AppDefinition[] {
    return Array.from({ length: n }, (_, i) =>
        defineApp({
            name: `synth-${i}`,
            description: "synthetic app for measurements",
            settings: { hostname: `synth-${i}` },
            jobs: (ctx) => [
                {
                    name: `synth-${i}`,
                    tasks: [{ name: "web", image: "traefik/whoami:v1.10.4" }],
                    ports: [{ label: "http", to: 80 }],
                    routes: [{ hostname: ctx.hostname(), visibility: "public", port: "http" }],
                    backupPaths: [`/data/synth-${i}`],
                },
            ],
        }),
    );
}

/** HYDRA_SYNTHETIC_APPS: how many synthetic apps the program adds (the benchmark sets it; default none). */
export function syntheticAppsFromEnv(value: string | undefined): AppDefinition[] {
    const n = Number(value ?? 0);
    if (!Number.isInteger(n) || n < 0) {
        throw new Error(`HYDRA_SYNTHETIC_APPS must be a whole number, not ${JSON.stringify(value)}`);
    }
    return syntheticApps(n);
}
