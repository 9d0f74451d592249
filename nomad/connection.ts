/**
 * How a resource reaches Nomad, resolved in the program (never serialized):
 * the arguments given, else the Nomad CLI's environment variables, as
 * `@pulumi/nomad` and the `nomad` CLI read them. Files named by the
 * environment are read here, so the provider holds the PEM text; the token,
 * the TLS settings (with the client key) and the headers go in as secrets.
 */
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";

/** TLS towards Nomad; PEM text, not file names (read a file with `fs.readFileSync(f, "utf8")`). */
export interface NomadTlsArgs {
    /** CA certificate(s) to trust. Else NOMAD_CACERT (a file) or NOMAD_CAPATH (a folder of them). */
    caCert?: pulumi.Input<string>;
    /** Client certificate, for an agent with `verify_https_client` (mTLS). Else NOMAD_CLIENT_CERT (a file). */
    clientCert?: pulumi.Input<string>;
    /** Its private key; stored as a secret. Else NOMAD_CLIENT_KEY (a file). */
    clientKey?: pulumi.Input<string>;
    /** The name the server's certificate must carry (e.g. "server.global.nomad"). Else NOMAD_TLS_SERVER_NAME. */
    serverName?: pulumi.Input<string>;
    /** Accept any server certificate (insecure; warned about). Else NOMAD_SKIP_VERIFY. */
    skipVerify?: pulumi.Input<boolean>;
}

export interface NomadConnectionArgs {
    /** Nomad's HTTP(S) address, e.g. "https://100.64.0.1:4646". Else NOMAD_ADDR, else http://127.0.0.1:4646 (the CLI's default). */
    address?: pulumi.Input<string>;
    /** ACL token (`X-Nomad-Token`); stored as a secret. Else NOMAD_TOKEN. */
    token?: pulumi.Input<string>;
    /** Region (`?region=`). Else NOMAD_REGION (for a job only when the job names none). */
    region?: pulumi.Input<string>;
    tls?: NomadTlsArgs;
    /** Extra headers on every request (e.g. for an authenticating proxy); stored as a secret. */
    headers?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** Read no NOMAD_* environment variable (as `@pulumi/nomad`'s `ignoreEnvVars`): the estate uses its config only. */
    ignoreEnv?: boolean;
}

/** The connection inputs a Nomad resource registers (`tls` and `headers` only when set). */
export interface ConnectionInputs {
    address: pulumi.Input<string>;
    token?: pulumi.Input<string>;
    region?: pulumi.Input<string>;
    tls?: pulumi.Output<Record<string, unknown>>;
    headers?: pulumi.Output<Record<string, string>>;
}

/** Properties every Nomad resource lists in `additionalSecretOutputs`. */
export const CONNECTION_SECRETS = ["token", "tls", "headers"];

export type Env = Record<string, string | undefined>;

/** The program warns about skipVerify once, not once per resource. */
let skipVerifyWarned = false;

function readPem(variable: string, file: string): string {
    try {
        return fs.readFileSync(file, "utf8");
    } catch (e) {
        throw new Error(`${variable}=${file}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { cause: e });
    }
}

/** Every certificate file in a folder, as NOMAD_CAPATH means it. */
function readPemFolder(folder: string): string {
    let names: string[];
    try {
        names = fs.readdirSync(folder).sort();
    } catch (e) {
        throw new Error(`NOMAD_CAPATH=${folder}: cannot read the folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { cause: e });
    }
    return names
        .filter((n) => /\.(pem|crt)$/i.test(n))
        .map((n) => readPem("NOMAD_CAPATH", `${folder}/${n}`))
        .join("\n");
}

/** The CLI reads NOMAD_SKIP_VERIFY with Go's strconv.ParseBool. */
function envFlag(v: string | undefined): boolean | undefined {
    return v === undefined || v === "" ? undefined : /^(1|t|true)$/i.test(v);
}

/** TLS settings from the arguments, else from the environment; undefined when none is set. */
export function tlsFrom(tls: NomadTlsArgs | undefined, env: Env): NomadTlsArgs | undefined {
    const caCert =
        tls?.caCert ?? (env.NOMAD_CACERT ? readPem("NOMAD_CACERT", env.NOMAD_CACERT) : env.NOMAD_CAPATH ? readPemFolder(env.NOMAD_CAPATH) : undefined);
    const out: NomadTlsArgs = {
        caCert,
        clientCert: tls?.clientCert ?? (env.NOMAD_CLIENT_CERT ? readPem("NOMAD_CLIENT_CERT", env.NOMAD_CLIENT_CERT) : undefined),
        clientKey: tls?.clientKey ?? (env.NOMAD_CLIENT_KEY ? readPem("NOMAD_CLIENT_KEY", env.NOMAD_CLIENT_KEY) : undefined),
        serverName: tls?.serverName ?? (env.NOMAD_TLS_SERVER_NAME || undefined),
        skipVerify: tls?.skipVerify ?? envFlag(env.NOMAD_SKIP_VERIFY),
    };
    const set = Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as NomadTlsArgs;
    return Object.keys(set).length ? set : undefined;
}

/** Address, token, region, TLS and headers for a resource's inputs; secrets wrapped. */
export function connectionInputs(args: NomadConnectionArgs, processEnv: Env = process.env): ConnectionInputs {
    const env = args.ignoreEnv ? {} : processEnv;
    const token = args.token ?? (env.NOMAD_TOKEN || undefined);
    const tls = tlsFrom(args.tls, env);
    const out: ConnectionInputs = {
        address: args.address ?? (env.NOMAD_ADDR || "http://127.0.0.1:4646"),
        token: token === undefined ? undefined : pulumi.secret(token),
        region: args.region,
    };
    if (tls) {
        out.tls = pulumi.secret(tls) as unknown as pulumi.Output<Record<string, unknown>>;
        pulumi.output(tls.skipVerify).apply((skip) => {
            if (skip && !skipVerifyWarned) {
                skipVerifyWarned = true;
                void pulumi.log.warn(
                    "Nomad TLS certificate verification is off (skipVerify / NOMAD_SKIP_VERIFY): whoever sits between here and Nomad can read the token",
                );
            }
        });
    }
    if (args.headers !== undefined) {
        out.headers = pulumi.secret(args.headers) as pulumi.Output<Record<string, string>>;
    }
    return out;
}

/**
 * An explicit value, else the environment's, but only when the object itself names none
 * (a job's own Namespace or Region wins over NOMAD_NAMESPACE / NOMAD_REGION, as it does in the CLI).
 */
export function envFallback(
    explicit: pulumi.Input<string> | undefined,
    own: pulumi.Input<unknown> | undefined,
    fromEnv: string | undefined,
): pulumi.Input<string> | undefined {
    if (explicit !== undefined || !fromEnv) {
        return explicit;
    }
    if (own === undefined) {
        return fromEnv;
    }
    return pulumi.output(own).apply((v) => (v ? (undefined as unknown as string) : fromEnv));
}
