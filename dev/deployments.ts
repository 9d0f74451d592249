// `pulumi up` registers the jobs and returns (detach is the default); the dev command and the
// tests then wait here until each service job's latest deployment is over, healthy or not.
import { AgentReach, nomadGet } from "./nomadApi";

export interface DeploymentState {
    job: string;
    /** Nomad's status (successful, failed, running, …), or "none" when the job has no deployment. */
    status: string;
    description: string;
}

const TERMINAL = ["successful", "failed", "cancelled", "none"];

export async function deploymentStates(address: string, reach: AgentReach = {}): Promise<DeploymentState[]> {
    const get = <T>(path: string) => nomadGet<T>(address, path, reach);
    const jobs = await get<{ ID: string; Type: string; Stop: boolean }[]>("/v1/jobs");
    const out: DeploymentState[] = [];
    for (const j of jobs.filter((x) => x.Type === "service" && !x.Stop).sort((a, b) => a.ID.localeCompare(b.ID))) {
        const d = await get<{ Status: string; StatusDescription: string } | null>(`/v1/job/${encodeURIComponent(j.ID)}/deployment`);
        out.push({ job: j.ID, status: d?.Status ?? "none", description: d?.StatusDescription ?? "" });
    }
    return out;
}

/** Waits until no service job's deployment is in progress, or `timeoutMs` passes; returns the last states. */
export async function waitForDeployments(
    address: string,
    timeoutMs: number,
    onWait?: (pending: DeploymentState[]) => void,
    reach: AgentReach = {},
): Promise<DeploymentState[]> {
    const deadline = Date.now() + timeoutMs;
    let lastReport = 0;
    for (;;) {
        const states = await deploymentStates(address, reach);
        const pending = states.filter((s) => !TERMINAL.includes(s.status));
        if (pending.length === 0 || Date.now() > deadline) {
            return states;
        }
        if (onWait && Date.now() - lastReport > 15_000) {
            lastReport = Date.now();
            onWait(pending);
        }
        await new Promise((r) => setTimeout(r, 1000));
    }
}
