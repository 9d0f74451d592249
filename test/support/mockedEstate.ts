// The whole estate run under Pulumi's mocks, once per configuration and app list in a test process:
// a run costs about half a second, and most files ask for the same few fixtures again and again.
// Tests only read a run, so sharing one is safe.
import { AppDefinition, APPS } from "../../apps";
import { loadConfig } from "../../config";
import { buildEstate, Estate, stackOutputs } from "../../estate";
import { runMocked, RunResult } from "../../render/mockRuntime";
import { stackConfig } from "./estateConfig";

export type EstateRun = RunResult & { estate: Estate };

const runs = new WeakMap<AppDefinition[], Map<string, Promise<EstateRun>>>();

async function runEstate(config: Record<string, unknown>, apps: AppDefinition[]): Promise<EstateRun> {
    const { values, secretKeys } = stackConfig(config, apps);
    let estate!: Estate;
    const run = await runMocked(
        () => {
            estate = buildEstate(loadConfig(apps), apps);
            return stackOutputs(estate.outputs);
        },
        { config: values, secretKeys },
    );
    return Object.assign(run, { estate });
}

/** The estate `config` and `apps` make, run under mocks (a run with the same inputs is shared). */
export function mockedEstate(config: Record<string, unknown>, apps: AppDefinition[] = APPS): Promise<EstateRun> {
    let byConfig = runs.get(apps);
    if (!byConfig) {
        byConfig = new Map();
        runs.set(apps, byConfig);
    }
    const key = JSON.stringify(config);
    let run = byConfig.get(key);
    if (!run) {
        run = runEstate(config, apps);
        byConfig.set(key, run);
    }
    return run;
}
