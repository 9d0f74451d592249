// What the program generates, checked by the programs that will consume it on the node.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { ConfigError, problemLine } from "../config";
import { Job } from "../nomad";
import { renderStack, Rendering, writeRendering } from "../render/renderStack";
import { debianTool, projectTool, run } from "./support/tools";
import { renderCommand } from "../render/renderCommand";

const hcl2json: { parse(file: string, text: string): Promise<Record<string, any>> } = require("@cdktf/hcl2json");

const ROOT = path.resolve(__dirname, "..");
const SNAPSHOT = path.join(ROOT, "test", "snapshots", "render-hydra");

/** A throwaway project folder holding one stack file made from a config fixture. */
function projectWithStack(stack: string, fixture: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hydra-render-"));
    fs.copyFileSync(path.join(ROOT, "test", "fixtures", "config", "good", `${fixture}.yaml`), path.join(dir, `Pulumi.${stack}.yaml`));
    return dir;
}

/** `npm run render` as a user runs it, on a stack of a throwaway project, writing to <dir>/out (in-process). */
async function renderCli(dir: string, stack: string): Promise<{ status: number; output: string }> {
    const lines: string[] = [];
    const status = await renderCommand(["--project", dir, "--stack", stack, "--out", path.join(dir, "out")], {
        log: (line) => lines.push(line + "\n"),
        error: (text) => lines.push((text instanceof Error ? (text.stack ?? text.message) : String(text)) + "\n"),
    });
    return { status, output: lines.join("") };
}

function renderTo(r: Rendering): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hydra-out-"));
    writeRendering(dir, r.files);
    return dir;
}

/** Every shell script we generate: on the node (cloud-init) and in jobs (templates). */
function scripts(r: Rendering): Map<string, string> {
    const out = new Map<string, string>();
    const userData = r.files.get("node/user-data.yaml");
    if (userData) {
        for (const f of YAML.parse(userData).write_files) {
            if (f.content.startsWith("#!")) {
                out.set(`node:${f.path}`, f.content);
            }
        }
    }
    for (const [file, text] of r.files) {
        if (!file.startsWith("jobs/")) {
            continue;
        }
        const job: Job = JSON.parse(text).Job;
        for (const t of job.TaskGroups.flatMap((g) => g.Tasks)) {
            for (const tpl of t.Templates ?? []) {
                if (tpl.EmbeddedTmpl?.startsWith("#!")) {
                    out.set(`${job.ID}/${t.Name}:${tpl.DestPath}`, tpl.EmbeddedTmpl);
                }
            }
        }
    }
    return out;
}

describe("rendered artifacts, checked by the real tools", function () {
    this.timeout(300_000);
    let sample: Rendering;
    let full: Rendering;
    let sampleDir: string;
    let fullDir: string;

    before(async () => {
        sample = await renderStack({ projectDir: ROOT, stack: "hydra" });
        // Every option on: Consul, open SSH, a minted key, extra records.
        full = await renderStack({ projectDir: projectWithStack("full", "full-digitalocean"), stack: "full" });
        sampleDir = renderTo(sample);
        fullDir = renderTo(full);
    });

    it("renders every artifact kind", () => {
        for (const f of [
            "node/user-data.yaml",
            "node/nomad.hcl",
            "caddy/public.Caddyfile",
            "caddy/internal.Caddyfile",
            "caddy/public.Caddyfile.tmpl",
            "dns.json",
            "firewall.json",
            "jobs/gitea.json",
            "variables/nomad/jobs/gitea.json",
        ]) {
            assert.ok(sample.files.has(f), f);
        }
        assert.ok(full.files.has("node/consul.hcl"), "Consul's config when Consul is on");
        assert.ok(!sample.files.has("node/consul.hcl"));
        for (const [f, text] of sample.files) {
            if (f.startsWith("variables/")) {
                assert.ok(
                    Object.values(JSON.parse(text).Items).every((v) => v === "<redacted>"),
                    f,
                );
            }
        }
    });

    it("cloud-init schema accepts the user-data", () => {
        const cloudInit = debianTool("cloud-init");
        for (const dir of [sampleDir, fullDir]) {
            const r = run(cloudInit, ["schema", "--config-file", path.join(dir, "node", "user-data.yaml")]);
            assert.strictEqual(r.status, 0, r.output);
            assert.match(r.output, /Valid cloud-config/);
        }
    });

    it("cloud-init schema rejects a broken user-data (the check can fail)", () => {
        const cloudInit = debianTool("cloud-init");
        const broken = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "hydra-ci-")), "user-data.yaml");
        fs.writeFileSync(broken, sample.files.get("node/user-data.yaml")!.replace("ssh_pwauth: false", "ssh_pwauth: [nope]"));
        assert.notStrictEqual(run(cloudInit, ["schema", "--config-file", broken]).status, 0);
    });

    it("caddy adapt accepts both concrete Caddyfiles, DNS-01 line included", () => {
        const caddy = projectTool("caddy");
        assert.match(run(caddy, ["list-modules"]).output, /^dns\.providers\.cloudflare$/m, "the Caddy used has the Cloudflare DNS module");
        for (const dir of [sampleDir, fullDir]) {
            for (const v of ["public", "internal"]) {
                const file = path.join(dir, "caddy", `${v}.Caddyfile`);
                assert.match(fs.readFileSync(file, "utf8"), /dns cloudflare \{env\.CLOUDFLARE_API_TOKEN\}/);
                const r = run(caddy, ["adapt", "--config", file, "--adapter", "caddyfile"]);
                assert.strictEqual(r.status, 0, `${file}:\n${r.output}`);
                const config = JSON.parse(r.output.slice(r.output.indexOf("{")));
                assert.ok(config.apps.http.servers, "adapts to an HTTP server config");
            }
        }
    });

    it("caddy adapt rejects a broken Caddyfile (the check can fail)", () => {
        const caddy = projectTool("caddy");
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "hydra-caddy-")), "Caddyfile");
        fs.writeFileSync(file, sample.files.get("caddy/public.Caddyfile")!.replace("reverse_proxy", "reverse_proxi"));
        assert.notStrictEqual(run(caddy, ["adapt", "--config", file, "--adapter", "caddyfile"]).status, 0);
    });

    it("shellcheck passes every generated shell script", () => {
        const shellcheck = debianTool("shellcheck");
        const all = new Map([...scripts(sample), ...scripts(full)]);
        for (const name of [
            "node:/usr/local/sbin/hydra-bootstrap",
            "node:/usr/local/sbin/hydra-wait-tailnet",
            "restic/backup:local/restic.sh",
            "restic-check/backup:local/restic-check.sh",
            "shynet-app/wait-for-shynet-db:local/wait-for-shynet-db.sh",
        ]) {
            assert.ok(all.has(name), `${name} not found among ${[...all.keys()]}`);
        }
        for (const [name, text] of all) {
            const r = run(shellcheck, ["-"], { input: text });
            assert.strictEqual(r.status, 0, `${name}:\n${r.output}`);
        }
        assert.notStrictEqual(run(shellcheck, ["-"], { input: "#!/bin/sh\nrm -rf $1/*\n" }).status, 0, "shellcheck can fail");
    });

    it("the Nomad and Consul agent configs parse as HCL2", async () => {
        const nomad = await hcl2json.parse("nomad.hcl", sample.files.get("node/nomad.hcl")!);
        assert.strictEqual(nomad.bind_addr, '{{ GetInterfaceIP "tailscale0" }}');
        assert.deepStrictEqual(Object.keys(nomad.client[0].host_network).sort(), ["public", "tailscale"]);
        assert.strictEqual(nomad.plugin.raw_exec[0].config[0].enabled, true);
        const consul = await hcl2json.parse("consul.hcl", full.files.get("node/consul.hcl")!);
        assert.strictEqual(consul.bootstrap_expect, 1);
        await assert.rejects(hcl2json.parse("bad.hcl", "server {\n  enabled = \n}\n"));
    });

    it("every job is structurally a Nomad job (IDs, groups, drivers, images, nanosecond durations)", () => {
        for (const [file, text] of sample.files) {
            if (!file.startsWith("jobs/")) {
                continue;
            }
            const job: Job = JSON.parse(text).Job;
            assert.strictEqual(`jobs/${job.ID}.json`, file);
            assert.ok(job.Datacenters?.length && job.TaskGroups.length, file);
            for (const g of job.TaskGroups) {
                assert.ok(g.Tasks.length, `${file} ${g.Name}`);
                assert.ok(Number.isInteger(g.RestartPolicy!.Interval) && g.RestartPolicy!.Interval! >= 1e9, "durations are nanoseconds");
                for (const t of g.Tasks) {
                    assert.ok(["docker", "raw_exec"].includes(t.Driver), `${file} ${t.Name}`);
                    if (t.Driver === "docker") {
                        assert.match(String(t.Config!.image), /:[^:/]+$|@sha256:/);
                    } else {
                        assert.ok(t.Config!.command, `${file} ${t.Name} has a command`);
                    }
                    for (const label of (t.Config!.ports as string[] | undefined) ?? []) {
                        const net = g.Networks![0];
                        assert.ok(
                            [...(net.DynamicPorts ?? []), ...(net.ReservedPorts ?? [])].some((p) => p.Label === label),
                            `${file} ${t.Name} port ${label}`,
                        );
                    }
                }
            }
            if (job.Periodic) {
                assert.strictEqual(job.Type, "batch");
            }
        }
    });

    it("matches the committed snapshot of the sample stack (npm run render:snapshot updates it)", () => {
        const listed = (dir: string): string[] =>
            fs
                .readdirSync(dir, { recursive: true, withFileTypes: true })
                .filter((e) => e.isFile())
                .map((e) => path.relative(dir, path.join(e.parentPath ?? (e as any).path, e.name)))
                .sort();
        assert.deepStrictEqual(listed(sampleDir), listed(SNAPSHOT), "the set of rendered files changed");
        for (const f of listed(SNAPSHOT)) {
            assert.strictEqual(
                fs.readFileSync(path.join(sampleDir, f), "utf8"),
                fs.readFileSync(path.join(SNAPSHOT, f), "utf8"),
                `${f} differs from the snapshot: review it, then npm run render:snapshot`,
            );
        }
    });

    it("shows secrets only as placeholders", () => {
        for (const [file, text] of sample.files) {
            assert.ok(!/SENTINEL|tskey-auth-[A-Za-z0-9]{6}/.test(text), file);
        }
        assert.match(sample.files.get("node/user-data.yaml")!, /<secret:hydra:tailscaleAuthKey>/);
        // nomadToken: Nomad ACLs are on by default for a droplet.
        assert.deepStrictEqual(sample.unsetSecrets, ["tailscaleAuthKey", "nomadToken", "cloudflareDnsToken", "resticPassword", "resticRepository"]);
    });

    it("fails on invalid config with the same messages as a preview, and the command exits non-zero", async () => {
        const dir = projectWithStack("broken", "full-digitalocean");
        const file = path.join(dir, "Pulumi.broken.yaml");
        fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("region: blr1", "region: blr-1"));
        await assert.rejects(renderStack({ projectDir: dir, stack: "broken" }), (e: ConfigError) =>
            e.problems.some((p) => problemLine(p).startsWith('hydra:node.region: "blr-1" is not a DigitalOcean region slug')),
        );
        const cli = await renderCli(dir, "broken");
        assert.strictEqual(cli.status, 1);
        assert.match(cli.output, /hydra:node\.region: "blr-1" is not a DigitalOcean region slug such as "blr1"/);
        assert.ok(!fs.existsSync(path.join(dir, "out")), "nothing is written");
    });

    it("prints the estate's own problems (two apps, one host name) like a preview: no stack trace, nothing written", async () => {
        const dir = projectWithStack("clash", "full-digitalocean");
        const file = path.join(dir, "Pulumi.clash.yaml");
        const doc = YAML.parse(fs.readFileSync(file, "utf8"));
        doc.config["hydra:apps"] = { pihole: { hostname: "git" } };
        fs.writeFileSync(file, YAML.stringify(doc));
        const cli = await renderCli(dir, "clash");
        assert.strictEqual(cli.status, 1);
        assert.match(cli.output, /^The estate's apps have 1 problem:\n {2}- app pihole: host name "git" is already used by app gitea\n$/);
        assert.ok(!/\bat .*\.ts:\d+/.test(cli.output), `a stack trace reached the user:\n${cli.output}`);
        assert.ok(!fs.existsSync(path.join(dir, "out")), "nothing is written");
    });
});
