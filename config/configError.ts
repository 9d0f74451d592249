import { Problem, problemLine } from "./problems";

/** The stack's configuration is wrong; `problems` lists every mistake, each under its full key. */
export class ConfigError extends Error {
    constructor(readonly problems: Problem[]) {
        const count = `${problems.length} problem${problems.length === 1 ? "" : "s"}`;
        super(`The stack's configuration has ${count}:\n` + problems.map((p) => `  - ${problemLine(p)}`).join("\n"));
        this.name = "ConfigError";
    }
}
