// @pulumi/pulumi's runtime loads its closure serializer eagerly, and with it TypeScript and npm's
// Arborist: about 0.4 s of CPU in every process that loads the SDK. Hydra serializes its dynamic
// providers at build time, so the program and the providers' host never call it. Used by launch.js
// (the compiled program) and provider-host/host.js.
"use strict";
const Module = require("module");
const path = require("path");

/** A module that is loaded on its first use instead of when it is required. */
function deferModule(request, from) {
    let file;
    try {
        file = require.resolve(request, { paths: [from] });
    } catch {
        return;
    }
    if (require.cache[file]) {
        return;
    }
    let real;
    const load = () => {
        if (!real) {
            delete require.cache[file];
            real = require(file);
        }
        return real;
    };
    const placeholder = new Module(file);
    placeholder.filename = file;
    placeholder.loaded = true;
    placeholder.exports = new Proxy(
        {},
        {
            // `__importStar` asks for `__esModule` at require time: answering it keeps the module unloaded.
            get: (_, key) => (key === "__esModule" && !real ? true : Reflect.get(load(), key)),
            has: (_, key) => Reflect.has(load(), key),
            ownKeys: () => Reflect.ownKeys(load()),
            getOwnPropertyDescriptor: (_, key) => {
                const d = Reflect.getOwnPropertyDescriptor(load(), key);
                return d && { ...d, configurable: true };
            },
        },
    );
    require.cache[file] = placeholder;
}

/** Defers TypeScript and Arborist as the SDK resolves them; a no-op once the SDK's runtime is loaded. */
function deferClosureSerializer() {
    let sdk;
    try {
        sdk = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
    } catch {
        return;
    }
    deferModule("typescript", sdk);
    deferModule("@npmcli/arborist", path.join(sdk, "runtime", "closure"));
}

module.exports = { deferClosureSerializer };
