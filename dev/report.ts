// What `npm run dev` prints at the end: what runs, where, and whether Docker tasks can run.
import { DeploymentState } from "./deployments";
import { AgentReach, nomadGet } from "./nomadApi";

export interface ReportContext {
    /** The line saying which Docker daemon is used (describeDocker). */
    docker?: string;
    tailnetAddress?: string;
    publicAddress?: string;
    bridge?: string;
    deployments?: DeploymentState[];
    /** An agent with mTLS: how to reach it, and the environment the nomad CLI needs for it. */
    reach?: AgentReach;
    cliEnv?: Record<string, string>;
}

/** What is deployed, as Nomad sees it, and whether Docker tasks can run here. */
export async function report(address: string, ctx: ReportContext = {}): Promise<void> {
    const json = <T>(p: string) => nomadGet<T>(address, p, ctx.reach, 15);
    type Stub = { ID: string; Type: string; Status: string; Periodic: boolean; JobSummary?: { Summary: Record<string, Record<string, number>> } };
    const jobs = await json<Stub[]>("/v1/jobs?meta=true");
    const vars = await json<{ Path: string }[]>("/v1/vars?prefix=nomad/jobs");
    const nodes = await json<{ ID: string }[]>("/v1/nodes");
    const node = await json<{ Drivers: Record<string, { Detected: boolean; Healthy: boolean; HealthDescription: string }> }>(`/v1/node/${nodes[0].ID}`);
    const port = new URL(address).port;
    // Under mTLS a browser needs the client certificate, and the internal proxy has no Nomad route (apps/plan.ts).
    const uiNote = ctx.cliEnv
        ? "   (mTLS: only with the client certificate; the internal proxy has no Nomad route with nomad.tls)"
        : ctx.tailnetAddress
          ? `   (and http://${ctx.tailnetAddress}:${port}/ui, as the internal proxy reaches it)`
          : "";
    console.log(`\nNomad UI: ${address}/ui/jobs${uiNote}`);
    console.log("\nJOB            TYPE                 STATUS     DEPLOYMENT   ALLOCATIONS");
    for (const j of jobs.sort((a, b) => a.ID.localeCompare(b.ID))) {
        const counts: Record<string, number> = {};
        for (const g of Object.values(j.JobSummary?.Summary ?? {})) {
            for (const [k, n] of Object.entries(g)) {
                if (n) {
                    counts[k] = (counts[k] ?? 0) + n;
                }
            }
        }
        const allocs =
            Object.entries(counts)
                .map(([k, n]) => `${n} ${k.toLowerCase()}`)
                .join(", ") || "-";
        const deployment = ctx.deployments?.find((d) => d.job === j.ID)?.status ?? "-";
        console.log(`${j.ID.padEnd(15)}${(j.Periodic ? "batch (periodic)" : j.Type).padEnd(21)}${j.Status.padEnd(11)}${deployment.padEnd(13)}${allocs}`);
    }
    for (const d of ctx.deployments?.filter((x) => !["successful", "none"].includes(x.status)) ?? []) {
        console.log(`  ${d.job}: deployment ${d.status}: ${d.description}   (nomad job status ${d.job})`);
    }
    console.log(`\nVariables: ${vars.map((v) => v.Path).join(", ")}`);
    const docker = node.Drivers.docker;
    if (docker?.Detected && docker.Healthy) {
        console.log(`\n${ctx.docker ?? "Docker: detected by Nomad"}`);
        console.log("Images: the proxy runs the Caddy of scripts/tools.sh; every other app runs the busybox stand-in under its production image name.");
    } else {
        console.log(
            `\nNomad's docker driver is not usable here (${docker?.HealthDescription || "not detected"}): the docker tasks are registered and evaluated but stay queued.` +
                "\nEverything else is real: the jobs, the variables, raw_exec tasks and the periodic backup jobs.",
        );
    }
    if (ctx.tailnetAddress) {
        console.log(
            `Addresses: tailnet stand-in ${ctx.tailnetAddress} (bridge ${ctx.bridge}): internal proxy :80/:443, the apps' ports, Gitea SSH :4222;` +
                `\n           public stand-in ${ctx.publicAddress}: public proxy :80/:443.`,
        );
        console.log(`An app, straight:     curl http://${ctx.tailnetAddress}:<port>/   (ports: nomad service list, then nomad service info <name>)`);
    }
    if (ctx.cliEnv) {
        console.log("\nThe nomad CLI, over mTLS with the dev CLI certificate:");
        console.log(
            Object.entries(ctx.cliEnv)
                .map(([k, v]) => `  export ${k}=${v}`)
                .join("\n"),
        );
        console.log("Force a backup run: nomad job periodic force restic");
    } else {
        console.log("\nForce a backup run: nomad job periodic force restic   (NOMAD_ADDR=" + address + ")");
    }
    console.log("Tear down:          npm run dev -- --down");
}
