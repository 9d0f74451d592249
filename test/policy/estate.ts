// The real estate, run under Pulumi's mocks, as the policy pack sees it.
import * as pulumi from "@pulumi/pulumi";
import { APPS, AppDefinition } from "../../apps";
import { loadConfig } from "../../config";
import { buildEstate } from "../../estate";
import { ResourceView } from "../../policy/rules/common";
import { Registered, runMocked } from "../../render/mockRuntime";
import { fixtureConfig, stackConfig, withOverrides } from "../support/estateConfig";

/** What a policy gets to see of a registered resource: type, name, URN, inputs, protect. */
export function toView(r: Registered): ResourceView {
    return { type: r.type, name: r.name, urn: r.urn, props: r.inputs, protect: r.protect };
}

export interface EstateVariant {
    /** Stack config overrides on top of the full-digitalocean fixture. */
    config?: Record<string, unknown>;
    apps?: AppDefinition[];
    /** Changes every registration, as someone editing the program would. */
    transformation?: pulumi.ResourceTransformation;
    /** Resources a user adds next to the estate in the same program. */
    extra?: () => void;
}

/** Every resource the full DigitalOcean estate (or a variant of it) registers, as ResourceViews. */
export async function estateViews(v: EstateVariant = {}): Promise<ResourceView[]> {
    const { values, secretKeys } = stackConfig(withOverrides(fixtureConfig("full-digitalocean"), v.config ?? {}));
    const run = await runMocked(
        () => {
            if (v.transformation) {
                pulumi.runtime.registerStackTransformation(v.transformation);
            }
            const estate = buildEstate(loadConfig(APPS), v.apps ?? APPS);
            v.extra?.();
            return estate.outputs;
        },
        { config: values, secretKeys },
    );
    return run.resources.map(toView);
}
