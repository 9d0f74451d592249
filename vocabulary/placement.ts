// Nomad's names for what placement constraints compare, and the constraints the estate uses.
import { ConstraintSpec } from "./jobSpec";

export const NODE_NAME = "${node.unique.name}";
export const CPU_ARCH = "${attr.cpu.arch}";
/** The node meta every node of a cluster has (components/clusterAgentConfig.ts). */
export const META_PUBLIC = "${meta.public}";
export const META_DATA = "${meta.data}";

/** Only on the node of this name. */
export const onNode = (node: string): ConstraintSpec => ({ attribute: NODE_NAME, operator: "=", value: node });

/** Only on public nodes, one allocation per node. */
export const ON_PUBLIC_NODES: ConstraintSpec[] = [
    { attribute: META_PUBLIC, operator: "=", value: "true" },
    { operator: "distinct_hosts", value: "true" },
];
