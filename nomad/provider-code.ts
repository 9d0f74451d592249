// The code Pulumi stores for a dynamic provider (the `__provider` input), made once per build.
//
// `pulumi.dynamic.Resource` serializes the provider's closure on every run: that loads the
// TypeScript compiler and opens an inspector session (about two seconds of CPU). `npm run build`
// does it once and leaves the text next to the compiled providers.
//
// The engine keeps that text in the inputs and the outputs of every resource of the provider, and
// every run carries it through gRPC (char by char in google-protobuf's JavaScript) and the state
// file: 91 KB of job provider made 87% of the state. So the stored text is the serialized module
// Brotli-compressed, with a few lines that inflate and run it with Node's own zlib: the same
// module in a fifth of the space, still self-contained (nothing outside the text but Node), loaded
// by any engine's dynamic-provider host as it is.
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import * as pulumi from "@pulumi/pulumi";

export interface ProviderCode {
    text: string;
    containsSecrets: boolean;
}

/** Written next to the compiled modules of this folder by `npm run build`. */
export const PROVIDER_CODE_FILE = "provider-code.json";

interface ProviderCodeFile {
    /** Hash of the compiled modules the texts were serialized from. */
    modules: string;
    providers: Record<string, ProviderCode>;
}

/** The module text `pulumi.dynamic.Resource` would store for `provider` (its closure, serialized). */
export async function serializeProvider(provider: pulumi.dynamic.ResourceProvider): Promise<ProviderCode> {
    const sf = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
    return { text: sf.text, containsSecrets: sf.containsSecrets };
}

const PACKED_PREFIX = "// Hydra's ";
const PACKED_DATA = /^const packed = "([A-Za-z0-9+/=]*)";$/m;

/**
 * The serialized module, Brotli-compressed (fixed quality and mode: the same text gives the same
 * bytes), in a module that inflates it and runs it in its own place: `exports.handler` is then the
 * serialized module's. Read it back with `unpackProvider`.
 */
export function packProvider(name: string, serialized: string): string {
    const packed = zlib
        .brotliCompressSync(Buffer.from(serialized, "utf8"), {
            params: {
                [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
                [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
                [zlib.constants.BROTLI_PARAM_SIZE_HINT]: serialized.length,
            },
        })
        .toString("base64");
    return [
        `${PACKED_PREFIX}${name} dynamic provider: the module pulumi.runtime.serializeFunction made (${serialized.length} characters),`,
        "// Brotli-compressed to keep the state small, run as it is by the lines below.",
        `const packed = "${packed}";`,
        'const code = require("zlib").brotliDecompressSync(Buffer.from(packed, "base64")).toString("utf8");',
        'new Function("exports", "require", "module", "__filename", "__dirname", code)(exports, require, module, __filename, __dirname);',
        "",
    ].join("\n");
}

/** The serialized module inside a text `packProvider` made (any other text is returned as it is). */
export function unpackProvider(text: string): string {
    const data = text.startsWith(PACKED_PREFIX) ? PACKED_DATA.exec(text) : null;
    return data ? zlib.brotliDecompressSync(Buffer.from(data[1], "base64")).toString("utf8") : text;
}

/** The `__provider` text NomadJob or NomadVariable registers for `provider`. */
export async function providerText(name: string, provider: pulumi.dynamic.ResourceProvider): Promise<ProviderCode> {
    const sf = await serializeProvider(provider);
    return { text: packProvider(name, sf.text), containsSecrets: sf.containsSecrets };
}

/** Hash of the compiled .js modules in `dir`: the build's texts are used only for exactly these. */
export function modulesHash(dir: string): string {
    const h = crypto.createHash("sha256");
    for (const f of fs
        .readdirSync(dir)
        .filter((f) => f.endsWith(".js"))
        .sort()) {
        h.update(f)
            .update("\0")
            .update(fs.readFileSync(path.join(dir, f)))
            .update("\0");
    }
    return h.digest("hex");
}

/** Writes the providers' `__provider` texts for the compiled modules in `dir`. */
export async function writeProviderCode(dir: string, providers: Record<string, [label: string, pulumi.dynamic.ResourceProvider]>): Promise<void> {
    const out: ProviderCodeFile = { modules: modulesHash(dir), providers: {} };
    for (const [name, [label, provider]] of Object.entries(providers)) {
        out.providers[name] = await providerText(label, provider);
    }
    fs.writeFileSync(path.join(dir, PROVIDER_CODE_FILE), JSON.stringify(out));
}

/** The build's texts, if they were made from the modules in `dir` as they are now. */
export function readProviderCode(dir: string): Record<string, ProviderCode> | undefined {
    const file = path.join(dir, PROVIDER_CODE_FILE);
    if (!fs.existsSync(file)) {
        return undefined;
    }
    const built = JSON.parse(fs.readFileSync(file, "utf8")) as ProviderCodeFile;
    return built.modules === modulesHash(dir) ? built.providers : undefined;
}

let built: Record<string, ProviderCode> | undefined | null = null;
const live = new Map<string, Promise<ProviderCode>>();

/**
 * The `__provider` input for `provider`: the build's text when this module runs compiled from a
 * current build, else made here, once per process (as the SDK caches its serialization).
 */
export function providerCode(name: string, label: string, provider: pulumi.dynamic.ResourceProvider): pulumi.Input<string> {
    if (built === null) {
        built = readProviderCode(__dirname);
    }
    const code = built?.[name];
    if (code) {
        return code.containsSecrets ? pulumi.secret(code.text) : code.text;
    }
    if (!live.has(name)) {
        live.set(name, providerText(label, provider));
    }
    return pulumi.output(live.get(name)!).apply((c): pulumi.Output<string> => (c.containsSecrets ? pulumi.secret(c.text) : pulumi.output(c.text)));
}
