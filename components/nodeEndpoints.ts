import * as pulumi from "@pulumi/pulumi";
import { HydraConfig, NodeConfig, NomadConfig, TailscaleConfig } from "../config";

/** What the rest of the estate needs to know about the node, wherever it runs. */
export interface NodeEndpoints {
    /** The address public routes resolve to. */
    publicIpv4: pulumi.Output<string>;
    publicIpv6: pulumi.Output<string | undefined>;
    /** The stable address the node's own DNS record points at (the reserved IP on DigitalOcean). */
    nodeAddress: pulumi.Output<string>;
    tailnetHostname: pulumi.Output<string>;
    /** The node's tailnet IPv4; undefined until known (set tailscale.address after the first deploy). */
    tailnetAddress: pulumi.Output<string | undefined>;
    nomadAddress: pulumi.Output<string>;
}

/** Target "existing": the node is someone else's; its addresses come from config, no resource is made. */
export function existingNode(cfg: HydraConfig): NodeEndpoints {
    return existingNodeEndpoints(cfg.node, cfg.tailscale, cfg.nomad);
}

export function existingNodeEndpoints(node: NodeConfig, tailscale: TailscaleConfig, nomad: NomadConfig): NodeEndpoints {
    const publicIpv4 = pulumi.output(node.publicAddress ?? "");
    return {
        publicIpv4,
        publicIpv6: pulumi.output<string | undefined>(undefined),
        nodeAddress: publicIpv4,
        tailnetHostname: pulumi.output(tailscale.hostname),
        tailnetAddress: pulumi.output(tailscale.address),
        nomadAddress: pulumi.output(nomad.address),
    };
}
