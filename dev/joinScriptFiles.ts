// What a join script (the stack output joinScripts.<node>) writes into Nomad's config folder,
// read back so that a dev cluster agent runs the program's own drop-in and role, as the
// machine that runs the script would. Pure: the script comes in as text.
import { CLUSTER_CONFIG_FILE } from "../components/clusterAgentConfig";
import { NOMAD_CONFIG_DIR } from "../components/nodeUnits";
import { Role } from "../config";

/** Every file the script writes with a here-document, by its path. */
export function scriptFiles(script: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const m of script.matchAll(/cat > (\S+) <<'(\w+)'\n([\s\S]*?)\n\2\n/g)) {
        out[m[1]] = `${m[3]}\n`;
    }
    return out;
}

/** The agent's role as the program's nomad.hcl says: server and/or client, and how many servers its first election waits for. */
export function agentRole(nomadHcl: string): { role: Role; bootstrapExpect: number } {
    const server = /^server \{\n\s+enabled\s+= true\n\s+bootstrap_expect = (\d+)/m.exec(nomadHcl);
    const client = /^client \{\n\s+enabled\s+= true/m.test(nomadHcl);
    if (!server && !client) {
        throw new Error("the program's agent config enables neither a server nor a client");
    }
    return { role: server && client ? "both" : server ? "server" : "client", bootstrapExpect: server ? Number(server[1]) : 1 };
}

export interface ProgramAgentFiles {
    /** The cluster's drop-in, verbatim. */
    dropIn: string;
    /** From the base agent config; undefined for the primary, whose script only adds the drop-in (its agent is as it booted). */
    role?: { role: Role; bootstrapExpect: number };
}

/** The drop-in and role a node's join script gives its agent. */
export function programAgentFiles(node: string, script: string): ProgramAgentFiles {
    const files = scriptFiles(script);
    const dropIn = files[`${NOMAD_CONFIG_DIR}/${CLUSTER_CONFIG_FILE}`];
    if (dropIn === undefined) {
        throw new Error(`the join script of ${node} writes no ${CLUSTER_CONFIG_FILE} (it writes ${Object.keys(files).join(", ") || "no file"})`);
    }
    const base = files[`${NOMAD_CONFIG_DIR}/nomad.hcl`];
    return { dropIn, ...(base !== undefined ? { role: agentRole(base) } : {}) };
}
