// Runs a TypeScript entry point of this project the fast way when it can: the build in bin/
// (`npm run build`: tsc, plus the dynamic providers serialized once) if it was made from the
// sources as they are now; otherwise the sources themselves through ts-node (slower, always current).
//
//   Pulumi.yaml `main: launch.js`   the Pulumi program (index.ts)
//   node launch.js render/cli ...   any other entry point, with its arguments
//   node launch.js --current        exit status 0 when bin/ is current (npm run build then does nothing)
//   node launch.js --mark-built     the last step of `npm run build`
"use strict";
const fs = require("fs");
const path = require("path");
const { skipMappingOfAnonymousStacks, skipPromiseStackCaptures } = require("./anonymousStacks");
const { deferClosureSerializer } = require("./deferSdkModules");

const ROOT = __dirname;
const BIN = path.join(ROOT, "bin");
const STAMP = path.join(BIN, ".built");

/** The build's inputs: the sources tsconfig.build.json compiles, its configs, the locked dependencies. */
function buildInputs() {
    const config = JSON.parse(fs.readFileSync(path.join(ROOT, "tsconfig.build.json"), "utf8"));
    const files = ["tsconfig.json", "tsconfig.build.json", "package-lock.json"];
    const walk = (dir) => {
        for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
            const rel = path.join(dir, e.name);
            if (e.isDirectory()) {
                walk(rel);
            } else if (e.name.endsWith(".ts")) {
                files.push(rel);
            }
        }
    };
    for (const pattern of config.include) {
        if (pattern.endsWith("/**/*.ts")) {
            walk(pattern.slice(0, -"/**/*.ts".length));
        } else {
            files.push(pattern);
        }
    }
    return files;
}

/** Whether bin/ holds a complete build at least as new as every input (a git checkout makes sources newer). */
function buildIsCurrent() {
    if (!fs.existsSync(STAMP)) {
        return false;
    }
    const built = fs.statSync(STAMP).mtimeMs;
    return buildInputs().every((f) => fs.statSync(path.join(ROOT, f)).mtimeMs <= built);
}

function load(entry) {
    const compiled = buildIsCurrent();
    if (process.env.HYDRA_LAUNCH_DEBUG) {
        console.error(`launch.js: ${entry} from ${compiled ? "the build in bin/" : "the sources (ts-node)"}`);
    }
    if (compiled) {
        // First: it only helps before the SDK's runtime loads. (ts-node, below, needs TypeScript at once.)
        deferClosureSerializer();
        skipPromiseStackCaptures();
        skipMappingOfAnonymousStacks();
        return require(path.join(BIN, entry + ".js"));
    }
    skipPromiseStackCaptures();
    require("ts-node").register({ transpileOnly: true, project: path.join(ROOT, "tsconfig.json") });
    return require(path.join(ROOT, entry + ".ts"));
}

if (require.main === module) {
    const entry = process.argv[2];
    if (entry === "--mark-built") {
        fs.writeFileSync(STAMP, new Date().toISOString() + "\n");
    } else if (entry === "--current") {
        process.exitCode = buildIsCurrent() ? 0 : 1;
    } else if (!entry) {
        throw new Error("usage: node launch.js <entry point, e.g. render/cli> [arguments]");
    } else {
        // The entry point sees its own arguments where it expects them.
        process.argv.splice(2, 1);
        load(entry);
    }
} else {
    module.exports = load("index");
}
