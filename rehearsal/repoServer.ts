// The vendors' apt repositories for the rehearsal: one HTTPS server that answers for every
// vendor host name (by the Host header) from the folders vendorRepo.sh lays out.
import * as fs from "fs";
import * as https from "https";
import * as path from "path";

export interface RepoServerOptions {
    /** vendorRepo.sh's output: www/<host>/… and tls/. */
    repoDir: string;
    /** The address the container reaches this host on (its bridge's gateway). */
    address: string;
    port?: number;
    /** Suites answered with 404, as a vendor that has not published the release yet. */
    missingSuites?: string[];
}

export interface RepoServer {
    /** Every request as "STATUS HOST PATH", for the report when a boot fails. */
    requests: string[];
    close(): Promise<void>;
}

const TYPES: Record<string, string> = { ".deb": "application/vnd.debian.binary-package", ".gpg": "application/pgp-keys", ".gz": "application/gzip" };

/** The file a request names, or undefined when it is outside the host's folder or hidden. */
export function repoFile(www: string, host: string, urlPath: string, missingSuites: readonly string[] = []): string | undefined {
    const name = host.split(":")[0].toLowerCase();
    const rel = decodeURIComponent(urlPath.split("?")[0]);
    if (!/^[a-z0-9.-]+$/.test(name) || missingSuites.some((s) => rel.includes(`/dists/${s}/`))) {
        return undefined;
    }
    const root = path.join(www, name);
    const file = path.normalize(path.join(root, rel));
    return file.startsWith(root + path.sep) ? file : undefined;
}

export function startRepoServer(o: RepoServerOptions): Promise<RepoServer> {
    const www = path.join(o.repoDir, "www");
    const tls = (f: string) => fs.readFileSync(path.join(o.repoDir, "tls", f));
    const requests: string[] = [];
    const server = https.createServer({ key: tls("server.key"), cert: tls("server.crt") }, (req, res) => {
        const file = repoFile(www, req.headers.host ?? "", req.url ?? "/", o.missingSuites);
        const ok = file !== undefined && fs.existsSync(file) && fs.statSync(file).isFile();
        requests.push(`${ok ? 200 : 404} ${req.headers.host} ${req.url}`);
        if (!ok) {
            res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
            return;
        }
        res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "text/plain", "content-length": fs.statSync(file).size });
        if (req.method === "HEAD") {
            res.end();
            return;
        }
        fs.createReadStream(file).pipe(res);
    });
    return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(o.port ?? 443, o.address, () =>
            resolve({
                requests,
                close: () =>
                    new Promise<void>((r) => {
                        server.close(() => r());
                        server.closeAllConnections();
                    }),
            }),
        );
    });
}
