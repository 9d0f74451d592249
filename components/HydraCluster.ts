// More than one machine in one Nomad cluster: a node component per droplet, a join script per
// machine Hydra does not boot itself, and what DNS needs to know about each node.
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as tailscale from "@pulumi/tailscale";
import { ClusterConfig, ClusterNode, HydraConfig, isServer, TailscaleConfig } from "../config";
import { TYPE_TOKENS } from "../vocabulary";
import { NOMAD_RPC_PORT, renderClusterAgentConfig, roleOptions } from "./clusterAgentConfig";
import { DataFolder } from "./dataFolders";
import { HydraNode } from "./HydraNode";
import { renderJoinScript, renderPrimaryJoinScript } from "./joinScript";
import { existingNodeEndpoints, NodeEndpoints } from "./nodeEndpoints";
import { renderNomadAgentConfig } from "./nomadAgentConfig";

export interface HydraClusterArgs extends Pick<HydraConfig, "domain" | "target" | "node" | "tailscale" | "firewall" | "nomad" | "consul" | "cluster"> {
    webBehindCloudflare: boolean;
    dataFolders: DataFolder[];
    memoryOversubscription: boolean;
}

/** A node's address that DNS points at. */
export interface NodeAddress {
    node: string;
    address: pulumi.Output<string>;
}

/** The servers' tailnet addresses the other nodes join: the primary's, and each home server's (a droplet's is not known before it boots). */
export function joinAddresses(cluster: ClusterConfig): string[] {
    return cluster.nodes.filter((n) => isServer(n) && n.tailnetAddress !== undefined && (n.primary || n.target === "existing")).map((n) => n.tailnetAddress!);
}

/** A node's drop-in, with the gossip key. */
export function clusterDropIn(node: ClusterNode, cluster: ClusterConfig, gossipKey: string): string {
    const servers = joinAddresses(cluster);
    return renderClusterAgentConfig({ node, serverAddresses: servers, clientServerAddresses: servers.map((a) => `${a}:${NOMAD_RPC_PORT}`), gossipKey });
}

/**
 * The cluster: the primary (hydra:node, its resources' names unchanged so growing never replaces
 * it), one HydraNode per other droplet, and for each machine Hydra does not boot (the primary
 * included, which booted before the cluster) a join script, a secret stack output.
 */
export class HydraCluster extends pulumi.ComponentResource {
    readonly primary: NodeEndpoints;
    /** Every droplet, by node name. */
    readonly droplets: Map<string, HydraNode>;
    /** The public nodes' addresses, the primary's first: where public routes point. */
    readonly publicAddresses: NodeAddress[];
    /** Every droplet but the primary, each with its `<node>.<domain>` record. */
    readonly nodeRecords: NodeAddress[];
    /** Secret: by node, the script that joins it (pulumi stack output --show-secrets joinScripts.<node>). */
    readonly joinScripts: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: HydraClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TYPE_TOKENS.cluster, name, {}, opts);
        const { cluster } = args;
        const gossipKey: pulumi.Output<string> = pulumi.secret(
            args.cluster.gossipKey ?? new random.RandomId(`${name}-nomad-gossip`, { byteLength: 32 }, { parent: this }).b64Std,
        );
        const dropIn = (n: ClusterNode) => pulumi.secret(gossipKey.apply((key) => clusterDropIn(n, cluster, key)));

        this.droplets = new Map();
        let projectId: pulumi.Output<string> | undefined;
        for (const n of cluster.nodes.filter((x) => x.target === "digitalocean")) {
            const droplet = new HydraNode(
                n.primary ? args.node.name : n.name,
                {
                    domain: args.domain,
                    node: { ...args.node, name: n.name, region: n.region, size: n.size, dataDir: n.dataDir ?? args.node.dataDir },
                    tailscale: n.primary ? args.tailscale : { ...args.tailscale, hostname: n.name, address: undefined },
                    firewall: args.firewall,
                    nomad: args.nomad,
                    consul: args.consul,
                    webBehindCloudflare: args.webBehindCloudflare,
                    dataFolders: args.dataFolders,
                    memoryOversubscription: args.memoryOversubscription,
                    // The primary's user-data stays as it was: its part in the cluster comes by its join script.
                    ...(n.primary ? {} : { cluster: { ...roleOptions(n, cluster), dropIn: dropIn(n) }, projectId }),
                },
                // The primary was made before the cluster, at the stack's root: same resources, new parent.
                { parent: this, ...(n.primary ? { aliases: [{ parent: pulumi.rootStackResource }] } : {}) },
            );
            projectId ??= droplet.project?.id;
            this.droplets.set(n.name, droplet);
        }

        const primaryNode = cluster.nodes[0];
        this.primary = this.droplets.get(primaryNode.name) ?? existingNodeEndpoints(args.node, args.tailscale, args.nomad);
        const scripts: Record<string, pulumi.Output<string>> = {
            [primaryNode.name]: dropIn(primaryNode).apply((text) => renderPrimaryJoinScript(primaryNode.name, text)),
        };
        for (const n of cluster.nodes.filter((x) => !x.primary && x.target === "existing")) {
            const key = this.authKey(n, args.tailscale);
            const agentConfig = renderNomadAgentConfig({
                datacenter: args.nomad.datacenter,
                region: args.nomad.region,
                publicInterface: args.node.publicInterface,
                acl: args.nomad.acl,
                consul: false,
                reservedMemoryMb: args.nomad.reservedMemoryMb,
                ...roleOptions(n, cluster),
            });
            scripts[n.name] = pulumi.all([key, dropIn(n)]).apply(([k, clusterConfig]) =>
                renderJoinScript({
                    node: n.name,
                    arch: n.arch,
                    nomadVersion: args.nomad.version,
                    agentConfig,
                    clusterConfig,
                    tailnetAuthKey: k,
                    tailnetTags: args.tailscale.tags,
                    dataDir: n.dataDir,
                }),
            );
        }
        this.joinScripts = pulumi.secret(pulumi.all(scripts));

        // As on one node: public routes at each node's public IPv4, its own name at its reserved IP.
        const publicIpv4 = (n: ClusterNode): pulumi.Output<string> =>
            n.primary ? this.primary.publicIpv4 : (this.droplets.get(n.name)?.publicIpv4 ?? pulumi.output(n.publicAddress ?? ""));
        this.publicAddresses = cluster.nodes.filter((n) => n.public).map((n) => ({ node: n.name, address: publicIpv4(n) }));
        this.nodeRecords = [...this.droplets.entries()]
            .filter(([node]) => node !== primaryNode.name)
            .map(([node, droplet]) => ({ node, address: droplet.nodeAddress }));
        this.registerOutputs({ joinScripts: this.joinScripts });
    }

    /** A one-off, pre-authorised key minted for the node with the API key, or the pasted (reusable) auth key. */
    private authKey(n: ClusterNode, ts: TailscaleConfig): pulumi.Output<string> {
        if (!ts.apiKey || !ts.tailnet) {
            return pulumi.secret(ts.authKey ?? pulumi.output(""));
        }
        const provider = new tailscale.Provider(`${n.name}-tailscale`, { apiKey: ts.apiKey, tailnet: ts.tailnet }, { parent: this });
        const key = new tailscale.TailnetKey(
            `${n.name}-auth-key`,
            {
                description: `hydra node ${n.name} join`,
                reusable: false,
                ephemeral: false,
                preauthorized: true,
                // A week to run the join script; a later expiry must not make a new key.
                expiry: 7 * 24 * 3600,
                recreateIfInvalid: "never",
                tags: ts.tags.length ? ts.tags : undefined,
            },
            { parent: this, provider },
        );
        return pulumi.secret(key.key);
    }
}
