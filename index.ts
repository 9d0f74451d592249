// Hydra: the whole home-server estate as one Pulumi program.
import { APPS } from "./apps";
import { loadConfig } from "./config";
import { buildEstate, reportPending } from "./estate";

// Validation fails here, listing every problem, before any resource is registered.
const config = loadConfig(APPS);
const estate = buildEstate(config);
reportPending(estate);

export const target = estate.outputs.target;
export const publicIpv4 = estate.outputs.publicIpv4;
export const publicIpv6 = estate.outputs.publicIpv6;
export const reservedIp = estate.outputs.reservedIp;
export const tailnetHostname = estate.outputs.tailnetHostname;
export const tailnetAddress = estate.outputs.tailnetAddress;
export const nomadAddress = estate.outputs.nomadAddress;
export const zoneId = estate.outputs.zoneId;
export const urls = estate.outputs.urls;
export const backupRepository = estate.outputs.backupRepository;
export const resticPassword = estate.outputs.resticPassword;
