/**
 * Adopting what already runs, and the nomad_job conventions (preserveCounts,
 * deregisterOnDestroy, the Submission, typed HCL2 variables, outputs, getJob
 * and getVariable), against a real Nomad 1.6 dev agent started here (or
 * NOMAD_ADDR): the cases test/nomad/operators.test.ts runs against the fake.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { startAgent, stopAgent } from "../../dev/agent";
import { adoptCases } from "../nomad/adopt-cases";
import { Target, deleteVars, purgeJobs } from "../nomad/helpers";
import { operatorCases } from "../nomad/operator-cases";
import { freePorts } from "../support/nomadAgent";
import { projectTool } from "../support/tools";

describe("NomadJob / NomadVariable for operators, on a real Nomad dev agent", function () {
    this.timeout(240_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hydra-nomad-operators-"));
    let target: Target;
    const cleanup = { jobs: [] as string[], paths: [] as string[] };

    before(async () => {
        const given = process.env.NOMAD_ADDR?.replace(/\/+$/, "");
        const address = given ?? (await startAgent({ dir: path.join(dir, "agent"), nomad: projectTool("nomad"), httpPort: await freePorts() })).address;
        target = { address, fake: undefined, real: true, stop: async () => undefined };
    });
    after(async () => {
        if (target) {
            await purgeJobs(target, cleanup.jobs);
            await deleteVars(target, cleanup.paths);
        }
        await stopAgent(path.join(dir, "agent")); // false when none was started here
        fs.rmSync(dir, { recursive: true, force: true });
    });

    describe("adopt", () => adoptCases(() => target, cleanup));
    describe("nomad_job conventions", () => operatorCases(() => target, cleanup));
});
