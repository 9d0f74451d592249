// The code Pulumi stores for a dynamic provider (the `__provider` input): what
// `pulumi.dynamic.Resource` computes on every run by serializing the provider's
// closure. That serializer loads the TypeScript compiler and opens an inspector
// session (about two seconds of CPU per run); `npm run build` does it once per
// build instead and leaves the text next to the compiled providers.
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
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

/** Serializes a provider exactly as `pulumi.dynamic.Resource` does. */
export async function serializeProvider(provider: pulumi.dynamic.ResourceProvider): Promise<ProviderCode> {
    const sf = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
    return { text: sf.text, containsSecrets: sf.containsSecrets };
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

/** Writes the serialized providers for the compiled modules in `dir`. */
export async function writeProviderCode(dir: string, providers: Record<string, pulumi.dynamic.ResourceProvider>): Promise<void> {
    const out: ProviderCodeFile = { modules: modulesHash(dir), providers: {} };
    for (const [name, provider] of Object.entries(providers)) {
        out.providers[name] = await serializeProvider(provider);
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
 * current build, else serialized here, once per process (as the SDK caches it).
 */
export function providerCode(name: string, provider: pulumi.dynamic.ResourceProvider): pulumi.Input<string> {
    if (built === null) {
        built = readProviderCode(__dirname);
    }
    const code = built?.[name];
    if (code) {
        return code.containsSecrets ? pulumi.secret(code.text) : code.text;
    }
    if (!live.has(name)) {
        live.set(name, serializeProvider(provider));
    }
    return pulumi.output(live.get(name)!).apply((c): pulumi.Output<string> => (c.containsSecrets ? pulumi.secret(c.text) : pulumi.output(c.text)));
}
