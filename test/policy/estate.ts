// The real estate, run under Pulumi's mocks, as the policy pack sees it.
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
    /** Changes registrations, as someone editing the program would (applied to the base run's views). */
    transformation?: (r: ResourceView) => ResourceView | undefined;
    /** Resources a user adds next to the estate in the same program. */
    extra?: () => void;
}

let asBuilt: Promise<ResourceView[]> | undefined;

/** Every resource the full DigitalOcean estate (or a variant of it) registers, as ResourceViews. */
export async function estateViews(v: EstateVariant = {}): Promise<ResourceView[]> {
    const { transformation, ...rest } = v;
    if (transformation) {
        // A changed registration needs no run of its own: the base run's views, changed.
        return (await estateViews(rest)).map((r) => transformation(r) ?? r);
    }
    if (!v.config && !v.apps && !v.extra) {
        asBuilt ??= run(v);
        return asBuilt;
    }
    return run(v);
}

async function run(v: EstateVariant): Promise<ResourceView[]> {
    const apps = v.apps ?? APPS;
    const { values, secretKeys } = stackConfig(withOverrides(fixtureConfig("full-digitalocean"), v.config ?? {}), apps);
    const mocked = await runMocked(
        () => {
            const estate = buildEstate(loadConfig(apps), apps);
            v.extra?.();
            return estate.outputs;
        },
        { config: values, secretKeys },
    );
    return mocked.resources.map(toView);
}
