// apps.<name>.node against hydra:nodes: where each app may keep its data and run.
import { AppDeclaration } from "../../vocabulary/app";
import { didYouMean } from "../closest";
import { fullKey } from "../keys";
import { show } from "../problems";
import { ConfigSource } from "../source";
import { appArchs, AppSettings } from "./apps";
import { ClusterConfig, isClient } from "./nodes";

/**
 * With hydra:nodes, each app's node exists, runs tasks and has a data folder, and some node
 * the app may run on has an architecture its images are published for.
 */
export function checkAppNodes(src: ConfigSource, apps: readonly AppDeclaration[], settings: Record<string, AppSettings>, cluster: ClusterConfig): void {
    const p = src.problems;
    const byName = new Map(cluster.nodes.map((n) => [n.name, n]));
    for (const app of apps.filter((a) => settings[a.name]?.enabled)) {
        const key = fullKey(`apps.${app.name}.node`);
        const name = settings[app.name].node;
        const archs = appArchs(app, settings[app.name]);
        if (name !== undefined && p.has(key)) {
            continue;
        }
        if (name !== undefined && cluster.nodes.length === 0) {
            p.add(key, "conflict", `places ${app.name} on a node, but the estate has one node: declare its nodes with hydra:nodes`);
            continue;
        }
        const node = name === undefined ? undefined : byName.get(name);
        if (name !== undefined && node === undefined) {
            const known = [...byName.keys()];
            p.add(key, "invalid", `${show(name)} is not a node of hydra:nodes (${known.join(", ")})${didYouMean(name, known)}`);
        } else if (node && !isClient(node)) {
            p.add(key, "invalid", `${show(node.name)} is a server only (role "server"): it runs no tasks`);
        } else if (node && node.dataDir === undefined) {
            p.add(key, "invalid", `${show(node.name)} has no data folder: set nodes.${node.name}.dataDir`);
        } else if (node && !archs.includes(node.arch)) {
            p.add(key, "invalid", `${show(node.name)} is ${node.arch}, and ${app.name}'s images are published for ${archs.join(", ")} only`);
        } else if (!node && cluster.nodes.length && !cluster.nodes.some((n) => isClient(n) && archs.includes(n.arch))) {
            p.add(fullKey(`apps.${app.name}`), "invalid", `${app.name}'s images are published for ${archs.join(", ")} only, and no node that runs tasks is`);
        }
    }
}
