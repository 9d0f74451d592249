/**
 * How many Nomad HTTP calls do our dynamic providers make per job?
 *
 * Drives 50 NomadJob resources (and 50 NomadVariables) through the provider
 * calls the Pulumi engine makes (check → diff → create/update, read, delete)
 * against the fake Nomad, counting requests on the server.
 *
 *   npx ts-node bench/nomad-calls.ts
 */
import { nomadJobProvider } from "../nomad/job-provider";
import { nomadVariableProvider } from "../nomad/variable-provider";
import type { Job } from "../nomad/types";
import { FakeNomad } from "../testkit/fake-nomad";
import { MiniEngine } from "../testkit/engine";

const JOBS = 50;
const TOKEN = "bench-token";

function job(id: string, greeting: string): Job {
    return {
        ID: id,
        Datacenters: ["dc1"],
        TaskGroups: [
            {
                Name: "main",
                Tasks: [
                    {
                        Name: "app",
                        Driver: "docker",
                        Config: { image: "example/app:1.0", ports: ["http"] },
                        Env: { GREETING: greeting },
                        Resources: { CPU: 100, MemoryMB: 128 },
                    },
                ],
                Networks: [{ DynamicPorts: [{ Label: "http", To: 8080 }] }],
                Services: [{ Name: id, PortLabel: "http", Provider: "nomad" }],
            },
        ],
    };
}

async function main(): Promise<void> {
    const fake = new FakeNomad({ requireToken: TOKEN });
    await fake.start();
    const rows: [string, number, number][] = [];
    const measure = async (label: string, n: number, fn: () => Promise<unknown>) => {
        fake.resetCounts();
        await fn();
        const calls = fake.count();
        const byEndpoint = new Map<string, number>();
        for (const r of fake.requests) {
            const key = `${r.method} ${r.path.replace(/^\/v1\/job\/[^/]+/, "/v1/job/:id").replace(/^\/v1\/var\/.+/, "/v1/var/:path")}`;
            byEndpoint.set(key, (byEndpoint.get(key) ?? 0) + 1);
        }
        rows.push([label, calls, calls / n]);
        const detail = [...byEndpoint].map(([k, v]) => `${k} ×${v / n}`).join(", ");
        console.log(`${label.padEnd(46)} ${String(calls).padStart(5)} calls  ${(calls / n).toFixed(2).padStart(5)} per resource  ${detail}`);
    };

    try {
        const engines = Array.from({ length: JOBS }, () => new MiniEngine(nomadJobProvider));
        const ids = engines.map((_, i) => `bench-${String(i).padStart(2, "0")}`);
        const args = (i: number, greeting: string) => ({ job: job(ids[i], greeting), address: fake.address, token: TOKEN });
        const all = (fn: (e: MiniEngine, i: number) => Promise<unknown>) => Promise.all(engines.map(fn));

        console.log(`NomadJob × ${JOBS} (fake Nomad, requests counted on the server)\n`);
        await measure("preview of a first deploy (check)", JOBS, () => all((e, i) => e.preview(args(i, "hello"))));
        await measure("up: create (check + create)", JOBS, () => all((e, i) => e.up(args(i, "hello"))));
        await measure("unchanged preview (check + diff)", JOBS, () => all((e, i) => e.preview(args(i, "hello"))));
        await measure("unchanged up (check + diff)", JOBS, () => all((e, i) => e.up(args(i, "hello"))));
        await measure("refresh (read)", JOBS, () => all((e) => e.refresh()));
        await measure("preview of a change (check + diff)", JOBS, () => all((e, i) => e.preview(args(i, "changed"))));
        await measure("up: update (check + diff + update)", JOBS, () => all((e, i) => e.up(args(i, "changed"))));
        await measure("up: settings-only change (check + diff + update)", JOBS, () => all((e, i) => e.up({ ...args(i, "changed"), retryTimeoutSeconds: 300 })));
        await measure("destroy (delete)", JOBS, () => all((e) => e.destroy()));

        const vars = Array.from({ length: JOBS }, () => new MiniEngine(nomadVariableProvider));
        const vargs = (i: number, value: string) => ({ path: `nomad/jobs/${ids[i]}`, items: { password: value }, address: fake.address, token: TOKEN });
        const allVars = (fn: (e: MiniEngine, i: number) => Promise<unknown>) => Promise.all(vars.map(fn));
        console.log(`\nNomadVariable × ${JOBS}\n`);
        await measure("up: create", JOBS, () => allVars((e, i) => e.up(vargs(i, "one"))));
        await measure("unchanged preview", JOBS, () => allVars((e, i) => e.preview(vargs(i, "one"))));
        await measure("refresh (read)", JOBS, () => allVars((e) => e.refresh()));
        await measure("up: update", JOBS, () => allVars((e, i) => e.up(vargs(i, "two"))));
        await measure("destroy (delete)", JOBS, () => allVars((e) => e.destroy()));
    } finally {
        await fake.stop();
    }
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
