/**
 * What `nomad_job` users expect of NomadJob (preserveCounts,
 * deregisterOnDestroy, the Submission, typed HCL2 variables, the outputs) and
 * the data-source reads: the same cases against the fake
 * (test/nomad/operators.test.ts) and a real Nomad 1.6 agent
 * (test/integration/nomad-operators.test.ts).
 */
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { getJob, getVariable } from "../../nomad/lookup";
import { nomadJobProvider } from "../../nomad/job-provider";
import { MiniEngine, Obj } from "../../testkit/engine";
import { PLANTED_ITEMS, PLANTED_TOKEN, Target, client, rejection, sleepJob, uniqueId } from "./helpers";

/** A jobspec whose count, args and env come from HCL2 variables of three types. */
export function typedJobspec(id: string): string {
    return `
variable "n" {
  type = number
}
variable "args" {
  type = list(string)
}
variable "greeting" {
  type = string
}
job "${id}" {
  datacenters = ["*"]
  group "main" {
    count = var.n
    task "sleep" {
      driver = "raw_exec"
      config {
        command = "/bin/sleep"
        args    = var.args
      }
      env {
        GREETING = var.greeting
      }
      resources {
        cpu    = 20
        memory = 32
      }
    }
  }
}
`;
}

async function isSecret(o: pulumi.Output<unknown>): Promise<boolean> {
    return (o as unknown as { isSecret: Promise<boolean> }).isSecret;
}

export function operatorCases(target: () => Target, cleanup: { jobs: string[]; paths: string[] }): void {
    const args = (extra: Obj): Obj => ({ address: target().address, token: PLANTED_TOKEN, retryTimeoutSeconds: 10, ...extra });
    const jobId = (prefix: string) => {
        const id = uniqueId(prefix);
        cleanup.jobs.push(id);
        return id;
    };

    it("preserveCounts: a count scaled outside Pulumi is kept, is not drift, and does not show in the plan", async () => {
        const id = jobId("counts");
        const engine = new MiniEngine(nomadJobProvider);
        await engine.up(args({ job: sleepJob(id), preserveCounts: true }));
        // An operator (or an autoscaler) scales the group to 3.
        await client(target()).registerJob(sleepJob(id, { count: 3 }));
        // The plan below compares against what runs: wait until the scheduler has placed all three.
        const deadline = Date.now() + 60_000;
        let running = 0;
        while (running < 3 && Date.now() < deadline) {
            await new Promise((r) => setTimeout(r, 500));
            running = (await client(target()).jobAllocations(id)).filter((a) => a.ClientStatus === "running").length;
        }
        assert.equal(running, 3, "the scaled group's three allocations run");

        assert.equal(await engine.refresh(), true);
        assert.equal(engine.state!.outputs.drift, undefined, "a count Nomad keeps is not drift");
        assert.deepEqual(
            engine.state!.outputs.taskGroups.map((g: Obj) => [g.name, g.count]),
            [["main", 3]],
        );

        const changed = sleepJob(id, { env: { GREETING: "bye" } });
        const preview = await engine.preview(args({ job: changed, preserveCounts: true }));
        // Nomad runs 3: with preserveCounts nothing is stopped (the destructive updates roll, one at a
        // time on a real agent); without it the plan stops two.
        assert.match(String(preview.checked.planSummary), /\(job changes\): main: [13] destructive update$/);
        const withoutPreserve = await engine.preview(args({ job: changed }));
        assert.match(String(withoutPreserve.checked.planSummary), /main: 2 stop, 1 destructive update/);
        await engine.up(args({ job: changed, preserveCounts: true }));
        const server = (await client(target()).readJob(id))!;
        assert.equal(server.TaskGroups[0].Count, 3);
        assert.equal(server.TaskGroups[0].Tasks[0].Env?.GREETING, "bye");

        // Without preserveCounts the same count is drift.
        await client(target()).registerJob(sleepJob(id, { count: 2, env: { GREETING: "bye" } }));
        const strict = new MiniEngine(nomadJobProvider);
        strict.state = {
            ...engine.state!,
            inputs: { ...engine.state!.inputs, preserveCounts: false },
            outputs: { ...engine.state!.outputs, preserveCounts: false },
        };
        await strict.refresh();
        assert.match(String(strict.state!.outputs.drift), new RegExp(`job "${id}" was changed outside Pulumi`));
    });

    it("deregisterOnDestroy false leaves the job running when the resource is destroyed", async () => {
        const id = jobId("keep");
        const engine = new MiniEngine(nomadJobProvider);
        await engine.up(args({ job: sleepJob(id), deregisterOnDestroy: false }));
        await engine.destroy();
        const server = await client(target()).readJob(id);
        assert.ok(server, "still registered");
        assert.equal(!!server.Stop, false, "not stopped");
    });

    it("sends a jobspec with typed HCL2 variables as the registration's Submission (-var flags), and a job object as JSON", async () => {
        const id = jobId("typed");
        const jobspec = typedJobspec(id);
        const engine = new MiniEngine(nomadJobProvider);
        await engine.up(args({ jobspec, hcl2Variables: { n: 2, args: ["3600"], greeting: "hi ${not_interpolated}" } }));
        const server = (await client(target()).readJob(id))!;
        assert.equal(server.TaskGroups[0].Count, 2);
        assert.deepEqual(server.TaskGroups[0].Tasks[0].Config?.args, ["3600"]);
        assert.equal(server.TaskGroups[0].Tasks[0].Env?.GREETING, "hi ${not_interpolated}");
        const sub = (await client(target()).jobSubmission(id, server.Version ?? 0))!;
        assert.equal(sub.Format, "hcl2");
        assert.equal(sub.Source, jobspec);
        assert.deepEqual(sub.VariableFlags, { args: '["3600"]', greeting: "hi ${not_interpolated}", n: "2" });

        const jsonId = jobId("json");
        await new MiniEngine(nomadJobProvider).up(args({ job: sleepJob(jsonId) }));
        const jsonSub = (await client(target()).jobSubmission(jsonId, 0))!;
        assert.equal(jsonSub.Format, "json");
        assert.equal(JSON.parse(jsonSub.Source).ID, jsonId);
    });

    it("reports allocationIds, task groups with counts, statusDescription and stable", async () => {
        const id = jobId("outputs");
        const engine = new MiniEngine(nomadJobProvider);
        await engine.up(args({ job: sleepJob(id, { count: 2, update: true }), detach: false, deploymentTimeoutSeconds: 90 }));
        const outs = engine.state!.outputs;
        assert.equal(outs.deploymentStatus, "successful");
        assert.deepEqual(outs.taskGroups, [{ name: "main", count: 2, tasks: [{ name: "sleep", driver: "raw_exec" }] }]);
        assert.equal(outs.allocationIds.length, 2);
        const allocs = await client(target()).jobAllocations(id);
        assert.deepEqual([...outs.allocationIds].sort(), allocs.map((a) => a.ID).sort());
        assert.equal(typeof outs.statusDescription, "string");
        // Nomad marks the version stable once its deployment succeeded; refresh sees it.
        await engine.refresh();
        assert.equal(engine.state!.outputs.stable, true);
    });

    it("getJob and getVariable read objects the stack does not own; the items only as a secret", async () => {
        const id = jobId("lookup");
        await new MiniEngine(nomadJobProvider).up(args({ jobspec: typedJobspec(id), hcl2Variables: { n: 1, args: ["3600"], greeting: "hi" } }));
        const job = await getJob({ address: target().address, token: PLANTED_TOKEN, jobId: id, withSubmission: true });
        assert.equal(job.jobId, id);
        assert.equal(job.type, "service");
        assert.deepEqual(job.taskGroups, [{ name: "main", count: 1, tasks: [{ name: "sleep", driver: "raw_exec" }] }]);
        assert.equal(job.submission?.format, "hcl2");
        assert.equal(job.submission?.variableFlags.n, "1");

        const path = `nomad/jobs/${uniqueId("lookup")}`;
        cleanup.paths.push(path);
        await client(target()).putVariable(path, PLANTED_ITEMS);
        const v = await getVariable({ address: target().address, token: PLANTED_TOKEN, path });
        assert.deepEqual(v.keys, ["api_key", "db_password"]);
        assert.equal(await isSecret(v.items), true);

        const missing = await rejection(getJob({ address: target().address, token: PLANTED_TOKEN, jobId: `${id}-absent`, retryTimeoutSeconds: 0 }));
        assert.match(missing.message, new RegExp(`getJob "${id}-absent" \\(namespace "default"\\): no such job in Nomad`));
        const absentVar = await rejection(getVariable({ address: target().address, token: PLANTED_TOKEN, path: `${path}-absent`, retryTimeoutSeconds: 0 }));
        assert.match(absentVar.message, /getVariable ".*-absent" \(namespace "default"\): no such variable/);
    });
}
