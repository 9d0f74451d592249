import { strict as assert } from "assert";
import { nomadJobProvider } from "../../nomad/job-provider";
import type { Job } from "../../nomad/types";
import { MiniEngine, Obj } from "./engine";
import { PLANTED_TOKEN, Target, purgeJobs, sleepJob, startTarget, uniqueId } from "./helpers";

describe(`NomadJob deployments against ${process.env.NOMAD_ADDR ? "a real Nomad" : "the fake Nomad"}`, function () {
    this.timeout(120_000);
    let target: Target;
    const created: string[] = [];

    before(async () => {
        target = await startTarget();
    });
    after(async () => {
        await purgeJobs(target, created);
        await target.stop();
    });

    function args(job: Job, extra: Obj = {}): Obj {
        return { job, address: target.address, token: PLANTED_TOKEN, retryTimeoutSeconds: 10, ...extra };
    }

    function newJob(prefix: string, opts: Parameters<typeof sleepJob>[1] = {}): Job {
        const id = uniqueId(prefix);
        created.push(id);
        return sleepJob(id, opts);
    }

    it("waits for the deployment when detach is false", async () => {
        const job = newJob("deploy", { update: true });
        const engine = new MiniEngine(nomadJobProvider);
        await engine.up(args(job, { detach: false, deploymentTimeoutSeconds: 90 }));
        assert.equal(engine.state!.outputs.deploymentStatus, "successful");
        assert.equal(typeof engine.state!.outputs.deploymentId, "string");
        await engine.destroy();
    });
});
