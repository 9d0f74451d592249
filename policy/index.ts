// Hydra's guardrails as a CrossGuard policy pack: `pulumi preview --policy-pack policy`.
import { Policies, PolicyPack, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { viewOf } from "./adapt";
import { HydraPolicy, POLICIES } from "./policies";

function toSdk(p: HydraPolicy): Policies {
    const base = { description: p.description, enforcementLevel: p.enforcementLevel };
    const out: Policies = [];
    const check = p.resource;
    if (check) {
        const resource: ResourceValidationPolicy = {
            ...base,
            name: p.name,
            validateResource: (args, reportViolation) => {
                if (p.types && !p.types.includes(args.type)) {
                    return;
                }
                for (const message of check(viewOf(args))) {
                    reportViolation(message);
                }
            },
        };
        out.push(resource);
    }
    const checkStack = p.stack;
    if (checkStack) {
        const stack: StackValidationPolicy = {
            ...base,
            name: p.name,
            validateStack: (args, reportViolation) => {
                for (const v of checkStack(args.resources.map(viewOf))) {
                    reportViolation(v.message, v.urn);
                }
            },
        };
        out.push(stack);
    }
    return out;
}

new PolicyPack("hydra", {
    description:
        "Hydra's invariants: admin ports closed to the internet, no secrets in Nomad jobs, pinned images, internal routes internal, stateful resources protected, backups complete.",
    policies: POLICIES.flatMap(toSdk),
});
