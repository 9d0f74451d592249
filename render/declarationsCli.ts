// `npm run declarations`: rewrites the generated sections of Pulumi.yaml and README.md.
import * as fs from "fs";
import * as path from "path";
import { APPS } from "../apps";
import { allSecretDeclarations } from "../config";
import { generatedFiles } from "./declarationFiles";

const root = path.resolve(__dirname, "..");
for (const [file, text] of generatedFiles(root, APPS, allSecretDeclarations(APPS))) {
    const full = path.join(root, file);
    if (fs.readFileSync(full, "utf8") !== text) {
        fs.writeFileSync(full, text);
        console.log(`updated ${file}`);
    } else {
        console.log(`${file} is up to date`);
    }
}
