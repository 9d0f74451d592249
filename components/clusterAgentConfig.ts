// What a node of a cluster adds to its Nomad agent's config: a drop-in file next to nomad.hcl,
// so the first node's own config (and so its droplet) stays as it was when the cluster grows.
import { ClusterConfig, ClusterNode, isClient, isServer } from "../config";
import { hclString, NomadAgentOptions } from "./nomadAgentConfig";

/** Nomad reads every file of its config folder; this one holds the cluster's part. */
export const CLUSTER_CONFIG_FILE = "cluster.hcl";

/** Nomad's RPC and Serf ports, as the agents use them unless told otherwise. */
export const NOMAD_RPC_PORT = 4647;
export const NOMAD_SERF_PORT = 4648;

export interface ClusterAgentOptions {
    node: ClusterNode;
    /** The servers' addresses (tailnet host names on the estate; host:port on a test machine). */
    serverAddresses: string[];
    /** The clients' RPC addresses of the servers; the Serf addresses of `serverAddresses` otherwise. */
    clientServerAddresses?: string[];
    /** The gossip key (standard base64), for servers; the estate always sets it (a test may leave it out). */
    gossipKey?: string;
}

/** The node's meta, for operators and for jobs that look (placement goes by node name, which a node has before its drop-in). */
export function nodeMeta(node: ClusterNode): Record<string, string> {
    return { node: node.name, public: String(node.public), ...(node.dataDir !== undefined ? { data: node.dataDir } : {}) };
}

/** The base agent options that follow from a node's role: a server only, a client only, or both. */
export function roleOptions(node: ClusterNode, cluster: ClusterConfig): Pick<NomadAgentOptions, "role" | "publicNetwork"> {
    return {
        // The primary bootstrapped alone, before any other server existed; the others wait for every server.
        role: { server: isServer(node), client: isClient(node), bootstrapExpect: node.primary ? 1 : cluster.nodes.filter(isServer).length },
        publicNetwork: node.public,
    };
}

/** The drop-in: name and meta for every node; encryption and the join for servers; the servers for a client-only node. */
export function renderClusterAgentConfig(o: ClusterAgentOptions): string {
    const list = (items: string[]) => `[${items.map(hclString).join(", ")}]`;
    const meta = Object.entries(nodeMeta(o.node)).map(([k, v]) => `  ${k.padEnd(6)} = ${hclString(v)}`);
    const lines = [
        "# Managed by Hydra (Pulumi): this node's part in the cluster. Changes need a restart of nomad.",
        `name = ${hclString(o.node.name)}`,
        "",
        "client {",
        "  # What placement is decided on: the node that keeps an app's data, the public nodes.",
        "  meta {",
        ...meta,
        "  }",
        ...(isServer(o.node)
            ? []
            : ["", "  # A client only: the servers it registers with (RPC).", `  servers = ${list(o.clientServerAddresses ?? o.serverAddresses)}`]),
        "}",
    ];
    if (isServer(o.node)) {
        lines.push(
            "",
            "server {",
            ...(o.gossipKey
                ? ["  # Gossip between servers is encrypted; a server with another key cannot join.", `  encrypt = ${hclString(o.gossipKey)}`, ""]
                : []),
            "  server_join {",
            `    retry_join = ${list(o.serverAddresses)}`,
            "  }",
            "}",
        );
    }
    return lines.join("\n") + "\n";
}
