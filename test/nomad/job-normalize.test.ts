import { strict as assert } from "assert";
import { jobsEquivalent } from "../../nomad/normalize";
import { seconds } from "../../nomad/types";
import type { Job } from "../../nomad/types";
import type { Obj } from "../../testkit/engine";
import { sleepJob } from "./helpers";

describe("job normalisation", () => {
    const base = sleepJob("norm");

    it("ignores key order and documented defaults", () => {
        const reordered: Obj = {
            TaskGroups: [
                {
                    Tasks: [
                        {
                            Resources: { MemoryMB: 32, CPU: 20 },
                            Env: { GREETING: "hello" },
                            Config: { args: ["3600"], command: "/bin/sleep" },
                            Driver: "raw_exec",
                            Name: "sleep",
                            KillTimeout: seconds(5),
                            Templates: [],
                            Meta: {},
                        },
                    ],
                    Count: 1,
                    Name: "main",
                    Networks: null,
                },
            ],
            Datacenters: ["*"],
            Priority: 50,
            Name: "norm",
            Namespace: "default",
            ID: "norm",
        };
        assert.ok(jobsEquivalent(base, reordered));
    });

    it("keeps meaningful differences", () => {
        assert.ok(!jobsEquivalent(base, sleepJob("norm", { count: 2 })));
        assert.ok(!jobsEquivalent(base, sleepJob("norm", { env: { GREETING: "bye" } })));
        assert.ok(!jobsEquivalent(base, { ...base, Datacenters: ["dc2"] }));
        // Update present (even with only default values) differs from no Update: it turns deployments on.
        const withUpdate = { ...base, Update: { MaxParallel: 1 } };
        assert.ok(!jobsEquivalent(base, withUpdate));
        assert.ok(jobsEquivalent(withUpdate, { ...base, Update: {} }));
        // A periodic job explicitly disabled is not the default (enabled).
        const periodic = { ...base, Type: "batch" as const, Periodic: { Spec: "@daily" } };
        assert.ok(jobsEquivalent(periodic, { ...periodic, Periodic: { Spec: "@daily", Enabled: true, SpecType: "cron" as const } }));
        assert.ok(!jobsEquivalent(periodic, { ...periodic, Periodic: { Spec: "@daily", Enabled: false } }));
    });

    it("orders task groups and tasks by name but keeps other arrays ordered", () => {
        const two: Job = {
            ...base,
            TaskGroups: [
                { ...base.TaskGroups[0], Name: "b" },
                { ...base.TaskGroups[0], Name: "a" },
            ],
        };
        const swapped: Job = { ...two, TaskGroups: [two.TaskGroups[1], two.TaskGroups[0]] };
        assert.ok(jobsEquivalent(two, swapped));
        assert.ok(!jobsEquivalent({ ...base, Datacenters: ["a", "b"] }, { ...base, Datacenters: ["b", "a"] }));
    });
});
