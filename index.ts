// Hydra: the whole home-server estate as one Pulumi program.
import { APPS, syntheticAppsFromEnv } from "./apps";
import { loadConfig } from "./config";
import { buildEstate, reportPending, stackOutputs } from "./estate";

// Validation fails here, listing every problem, before any resource is registered.
// Synthetic apps only when the benchmark asks for them (HYDRA_SYNTHETIC_APPS).
const apps = [...APPS, ...syntheticAppsFromEnv(process.env.HYDRA_SYNTHETIC_APPS)];
const config = loadConfig(apps);
const estate = buildEstate(config, apps);
reportPending(estate);

// target, publicIpv4, publicIpv6, reservedIp, tailnetHostname, tailnetAddress, nomadAddress,
// nomadOperatorToken, zoneId, urls, joinScripts and the apps' outputs (backupRepository,
// resticPassword): each one this stack has (EstateOutputs says when).
export = stackOutputs(estate.outputs);
