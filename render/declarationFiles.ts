// Pulumi.yaml and README.md as they should be, given the declarations.
import * as fs from "fs";
import * as path from "path";
import { AppDeclaration, SecretDeclaration } from "../vocabulary";
import { pulumiYamlSecrets, README_MARKERS, readmeSecretsTable, replaceSection, YAML_MARKERS } from "./declarations";

/** Relative file → its full text with the generated sections brought up to date. */
export function generatedFiles(root: string, apps: readonly AppDeclaration[], decls: readonly SecretDeclaration[]): Map<string, string> {
    const owner = (key: string) => apps.find((a) => (a.secrets ?? []).some((d) => d.key === key))?.name ?? "the estate";
    const read = (file: string) => fs.readFileSync(path.join(root, file), "utf8");
    return new Map([
        ["Pulumi.yaml", replaceSection(read("Pulumi.yaml"), pulumiYamlSecrets(decls), YAML_MARKERS, "Pulumi.yaml")],
        ["README.md", replaceSection(read("README.md"), readmeSecretsTable(decls, owner), README_MARKERS, "README.md")],
    ]);
}
