// Nomad's names for what placement constraints compare, and the constraints the estate uses.
// Nodes are chosen by name, not by meta: the first node's name is its host name from its first
// boot, while its meta arrives only when its join script has run.
import { ConstraintSpec } from "./jobSpec";

export const NODE_NAME = "${node.unique.name}";
export const CPU_ARCH = "${attr.cpu.arch}";

/** Only on the node of this name. */
export const onNode = (node: string): ConstraintSpec => ({ attribute: NODE_NAME, operator: "=", value: node });

/** Only on these nodes. */
export function onNodes(nodes: readonly string[]): ConstraintSpec {
    return nodes.length === 1 ? onNode(nodes[0]) : { attribute: NODE_NAME, operator: "set_contains_any", value: [...nodes].sort().join(",") };
}

/** On these nodes, one allocation per node. */
export function oncePerNode(nodes: readonly string[]): ConstraintSpec[] {
    return [onNodes(nodes), { operator: "distinct_hosts", value: "true" }];
}
