import { strict as assert } from "assert";
import { nomadJobProvider } from "../../nomad/job-provider";
import { MiniEngine } from "../../testkit/engine";
import { PLANTED_TOKEN, Target, client, countFetches, purgeJobs, startTarget, uniqueId } from "./helpers";

describe(`NomadJob from an HCL jobspec against ${process.env.NOMAD_ADDR ? "a real Nomad" : "the fake Nomad"}`, function () {
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

    it("registers a jobspec (HCL parsed by Nomad, with HCL2 variables); reformatting is no change", async () => {
        const id = uniqueId("hcl");
        created.push(id);
        const hcl = (extra: string) => `
variable "greeting" {
  type = string
}
${extra}
job "${id}" {
  datacenters = ["*"]
  group "main" {
    task "sleep" {
      driver = "raw_exec"
      config {
        command = "/bin/sleep"
        args    = ["3600"]
      }
      env {
        GREETING = "\${var.greeting}"
      }
      resources {
        cpu    = 20
        memory = 32
      }
    }
  }
}`;
        const a = (text: string, greeting: string) => ({
            jobspec: text,
            hcl2Variables: { greeting },
            address: target.address,
            token: PLANTED_TOKEN,
            retryTimeoutSeconds: 10,
        });
        const engine = new MiniEngine(nomadJobProvider);
        await engine.up(a(hcl(""), "hi"));
        assert.equal(engine.state!.outputs.jobId, id);
        assert.equal((await client(target).readJob(id))?.TaskGroups[0].Tasks[0].Env?.GREETING, "hi");

        // Same text: no call at all.
        const fetches = countFetches();
        try {
            assert.equal((await engine.preview(a(hcl(""), "hi"))).op, "same");
        } finally {
            fetches.restore();
        }
        assert.equal(fetches.count, 0);

        // Reformatted (comments, blank lines): parsed again, but no change.
        assert.equal((await engine.preview(a(hcl("# a comment\n\n"), "hi"))).op, "same");

        // A variable change is an update with a plan summary.
        const p = await engine.up(a(hcl(""), "hello again"));
        assert.equal(p.op, "update");
        assert.match(String(p.checked.planSummary), /main: 1 destructive update/);
        assert.equal((await client(target).readJob(id))?.TaskGroups[0].Tasks[0].Env?.GREETING, "hello again");

        // A syntax error fails the check with Nomad's message.
        const broken = await engine.preview(a("job {", "x"));
        assert.equal(broken.failures[0].property, "jobspec");
        assert.ok(broken.failures[0].reason.length > 0);
        await engine.destroy();
    });
});
