// The ACL policies an estate with Nomad's ACLs on declares: pure HCL renderers, tested directly.
import { hclString } from "./nomadAgentConfig";

/** Names of the estate's policies and token in Nomad. */
export const ACL_NAMES = {
    deployer: "hydra-deployer",
    operatorReadOnly: "hydra-operator-read-only",
    operatorToken: "hydra-operator-read-only",
} as const;

/**
 * What the Nomad resources need to deploy the estate's jobs in `namespace`: register, plan, parse
 * and stop jobs, follow their deployments, and write their variables. Not ACLs, not operator calls:
 * the program declares those with the management token.
 */
export function deployerPolicy(namespace: string): string {
    return `# Hydra's deployer: the estate's jobs and their variables in ${hclString(namespace)}.
namespace ${hclString(namespace)} {
  policy = "write"

  variables {
    path "*" {
      capabilities = ["write", "read", "destroy", "list"]
    }
  }
}

node {
  policy = "read"
}
`;
}

/**
 * An operator who looks but does not touch: jobs, allocations, deployments, nodes, the agent and
 * the scheduler's settings. No variables (they hold the apps' secrets) and no task logs (which may
 * print them), so the capabilities are listed rather than the "read" shorthand.
 */
export function operatorReadOnlyPolicy(namespace: string): string {
    return `# Hydra's read-only operator: sees the estate, changes nothing, reads no secrets.
namespace ${hclString(namespace)} {
  capabilities = ["list-jobs", "read-job"]
}

node {
  policy = "read"
}

agent {
  policy = "read"
}

operator {
  policy = "read"
}
`;
}
