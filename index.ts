// Hydra: the whole home-server estate as one Pulumi program.
import { APPS, syntheticAppsFromEnv } from "./apps";
import { loadConfig } from "./config";
import { buildEstate, reportPending } from "./estate";

// Validation fails here, listing every problem, before any resource is registered.
// Synthetic apps only when the benchmark asks for them (HYDRA_SYNTHETIC_APPS).
const apps = [...APPS, ...syntheticAppsFromEnv(process.env.HYDRA_SYNTHETIC_APPS)];
const config = loadConfig(apps);
const estate = buildEstate(config, apps);
reportPending(estate);

export const target = estate.outputs.target;
export const publicIpv4 = estate.outputs.publicIpv4;
export const publicIpv6 = estate.outputs.publicIpv6;
export const reservedIp = estate.outputs.reservedIp;
export const tailnetHostname = estate.outputs.tailnetHostname;
export const tailnetAddress = estate.outputs.tailnetAddress;
export const nomadAddress = estate.outputs.nomadAddress;
export const nomadOperatorToken = estate.outputs.nomadOperatorToken;
export const zoneId = estate.outputs.zoneId;
export const urls = estate.outputs.urls;
export const backupRepository = estate.outputs.backupRepository;
export const resticPassword = estate.outputs.resticPassword;
export const joinScripts = estate.outputs.joinScripts;
