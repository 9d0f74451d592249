// The estate's apps. Adding one: a new file in this folder, and one line here.
import { AppDefinition } from "./app";
import { backup } from "./backup";
import { doggo } from "./doggo";
import { gitea } from "./gitea";
import { monitoring } from "./monitoring";
import { pihole } from "./pihole";
import { shynet } from "./shynet";
import { syncthing } from "./syncthing";

export const APPS: AppDefinition[] = [gitea, pihole, doggo, shynet, monitoring, syncthing, backup];

export { AppContext, AppDefinition, defineApp, EstateFacts } from "./app";
export { syntheticApps, syntheticAppsFromEnv } from "./synthetic";
