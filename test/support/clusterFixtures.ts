// A cluster of four nodes for the agent-config tests: every role, a home server, a Pi with data.
import { ClusterConfig, ClusterNode } from "../../config";
import { roleOptions } from "../../components/clusterAgentConfig";
import { renderNomadAgentConfig } from "../../components/nomadAgentConfig";

export const node = (name: string, o: Partial<ClusterNode> = {}): ClusterNode => ({
    name,
    primary: false,
    role: "client",
    target: "digitalocean",
    public: false,
    arch: "amd64",
    region: "blr1",
    size: "s-2vcpu-4gb",
    ...o,
});
export const CLUSTER: ClusterConfig = {
    nodes: [
        node("floyd", { primary: true, role: "both", public: true, dataDir: "/data", tailnetAddress: "100.101.102.103" }),
        node("gilmour", { role: "server" }),
        node("mason", { role: "server", target: "existing", tailnetAddress: "100.101.102.111" }),
        node("pi", { target: "existing", arch: "arm64", dataDir: "/srv/hydra", tailnetAddress: "100.101.102.110" }),
    ],
    warnings: [],
};
export const KEY = Buffer.alloc(32, 9).toString("base64");
export const base = (n: ClusterNode) =>
    renderNomadAgentConfig({ datacenter: "hydra", region: "global", publicInterface: "eth0", acl: true, consul: false, ...roleOptions(n, CLUSTER) });
