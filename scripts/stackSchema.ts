// npm run schema: writes the JSON Schema editors use for the stack files (Pulumi.<stack>.yaml),
// from the config schemas and the apps' declarations. test/stackSchema.test.ts fails when it is stale.
import * as fs from "fs";
import * as path from "path";
import { APPS } from "../apps";
import { stackSchemaText } from "../config";

export const STACK_SCHEMA_FILE = path.join(__dirname, "..", "schema", "pulumi-stack.schema.json");

/** The schema file as the current program would write it. */
export function currentStackSchema(): string {
    return stackSchemaText(APPS);
}

if (require.main === module) {
    fs.mkdirSync(path.dirname(STACK_SCHEMA_FILE), { recursive: true });
    fs.writeFileSync(STACK_SCHEMA_FILE, currentStackSchema());
    console.log(`wrote ${path.relative(process.cwd(), STACK_SCHEMA_FILE)}`);
}
