// Who may read what an app serves: Gitea's metrics behind a token Prometheus holds,
// Grafana's datasource found through discovery, Syncthing's GUI behind a login.
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Job, Task } from "../nomad";
import { RunResult } from "../render/mockRuntime";
import { fixtureConfig, withOverrides } from "./support/estateConfig";
import { mockedEstate } from "./support/mockedEstate";

const JOB = "pulumi-nodejs:dynamic/nomad:NomadJob";
const VARIABLE = "pulumi-nodejs:dynamic/nomad:NomadVariable";

const full = () => withOverrides(fixtureConfig("full-digitalocean"), { "hydra:consul": { enabled: false } });
const job = (run: RunResult, id: string): Job => run.ofType(JOB).find((r) => (r.inputs.job as Job).ID === id)!.inputs.job as Job;
const task = (j: Job, name: string): Task => j.TaskGroups[0].Tasks.find((t) => t.Name === name)!;
const items = (run: RunResult, id: string): Record<string, string> => run.ofType(VARIABLE).find((v) => v.inputs.path === `nomad/jobs/${id}`)!.inputs.items;
const template = (t: Task, dest: string): string => {
    const found = t.Templates!.find((x) => x.DestPath === dest);
    assert.ok(found, `no template ${dest} in ${t.Name}: ${t.Templates!.map((x) => x.DestPath)}`);
    return found.EmbeddedTmpl!;
};

describe("apps: access to what they serve", () => {
    let run: RunResult;
    before(async () => {
        run = await mockedEstate(full());
    });

    describe("Gitea's /metrics", () => {
        it("demands a token in app.ini, read from the job's variable", () => {
            const ini = template(task(job(run, "gitea"), "web"), "secrets/app.ini");
            assert.match(
                ini,
                /\[metrics\]\nENABLED = true\nTOKEN {3}= \{\{ with nomadVar "nomad\/jobs\/gitea" \}\}\{\{ \.metrics_token\.Value \}\}\{\{ end \}\}\n/,
            );
            assert.ok(items(run, "gitea").metrics_token.length >= 32, "a generated token");
        });

        it("is scraped with the same token, which reaches Prometheus only through its own variable and a template", () => {
            assert.strictEqual(items(run, "monitoring").scrape_token_gitea, items(run, "gitea").metrics_token);
            const prometheus = task(job(run, "monitoring"), "prometheus");
            const config = template(prometheus, "local/prometheus.yml");
            assert.match(
                config,
                / {2}- job_name: gitea\n {4}metrics_path: \/metrics\n {4}authorization:\n {6}credentials_file: \/secrets\/scrape-gitea\.token\n/,
            );
            assert.strictEqual(
                template(prometheus, "secrets/scrape-gitea.token"),
                '{{ with nomadVar "nomad/jobs/monitoring" }}{{ .scrape_token_gitea.Value }}{{ end }}',
            );
            const token = items(run, "gitea").metrics_token;
            for (const r of run.ofType(JOB)) {
                assert.ok(!JSON.stringify(r.inputs.job).includes(token), `job ${r.inputs.job.ID} holds the token`);
            }
        });

        it("asks no token of the targets that demand none", () => {
            const config = template(task(job(run, "monitoring"), "prometheus"), "local/prometheus.yml");
            assert.strictEqual(config.match(/authorization:/g)?.length, 1);
        });

        it("leaves Prometheus without the token when Gitea is off", async () => {
            const off = await mockedEstate(withOverrides(full(), { "hydra:apps": { gitea: { enabled: false } } }));
            assert.strictEqual(items(off, "monitoring").scrape_token_gitea, undefined);
            assert.doesNotMatch(template(task(job(off, "monitoring"), "prometheus"), "local/prometheus.yml"), /authorization/);
        });
    });

    describe("Grafana's datasource", () => {
        for (const [consul, lookup] of [
            [false, 'nomadService "prometheus"'],
            [true, 'service "prometheus"'],
        ] as const) {
            it(`is Prometheus, provisioned from a template on ${lookup}`, async () => {
                const r = consul ? await mockedEstate(fixtureConfig("full-digitalocean")) : run;
                const grafana = task(job(r, "monitoring"), "grafana");
                const yaml = template(grafana, "local/datasources.yaml");
                assert.match(yaml, /^apiVersion: 1\ndatasources:\n {2}- name: Prometheus\n/m);
                assert.match(yaml, / {4}type: prometheus\n/);
                assert.ok(
                    yaml.includes(
                        `    url: "{{ range $i, $s := ${lookup} }}{{ if eq $i 0 }}http://{{ $s.Address }}:{{ $s.Port }}{{ end }}{{ else }}http://{{ env "NOMAD_ADDR_prometheus_http" }}{{ end }}"\n`,
                    ),
                    yaml,
                );
                const mounts = grafana.Config!.mount as { source: string; target: string }[];
                assert.ok(
                    mounts.some((m) => m.source === "local/datasources.yaml" && m.target === "/etc/grafana/provisioning/datasources/hydra.yaml"),
                    JSON.stringify(mounts),
                );
            });
        }
    });

    describe("Syncthing's GUI and discovery", () => {
        it("starts through a script, as the image's user, with the GUI login from the job's variable", () => {
            const web = task(job(run, "syncthing"), "web");
            assert.deepStrictEqual(web.Config!.entrypoint, ["/bin/sh", "/local/start.sh"]);
            assert.strictEqual(web.User, "1000:1000");
            assert.strictEqual(
                template(web, "secrets/app.env"),
                '{{ with nomadVar "nomad/jobs/syncthing" }}\nGUI_USER={{ .gui_user.Value | toJSON }}\nGUI_PASSWORD={{ .gui_password.Value | toJSON }}\n{{ end }}\n',
            );
            assert.ok(template(web, "local/start.sh").startsWith("#!/bin/sh\n"));
            assert.deepStrictEqual(web.Config!.sysctl, [{ "net.ipv4.ip_nonlocal_bind": "1" }], "Nomad's JSON form of the block");
            const vars = items(run, "syncthing");
            assert.ok(vars.gui_user.length >= 8 && vars.gui_password.length >= 32, "generated login");
        });

        it("the start script sets the login with the password on stdin, announces the tailnet address, then runs Syncthing", () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hydra-syncthing-"));
            try {
                const home = path.join(dir, "config");
                fs.mkdirSync(home);
                fs.mkdirSync(path.join(dir, "bin"));
                const config = path.join(home, "config.xml");
                fs.writeFileSync(
                    config,
                    '<configuration version="37">\n    <options>\n        <listenAddress>tcp://0.0.0.0:22000</listenAddress>\n        <listenAddress>quic://0.0.0.0:22000</listenAddress>\n        <globalAnnounceEnabled>true</globalAnnounceEnabled>\n    </options>\n</configuration>\n',
                );
                // A fake syncthing records each call's arguments and stdin.
                fs.writeFileSync(
                    path.join(dir, "bin", "syncthing"),
                    `#!/bin/sh\necho "args: $*" >>"${dir}/calls"\n[ "$1" = generate ] && echo "stdin: $(cat)" >>"${dir}/calls"\nexit 0\n`,
                    { mode: 0o755 },
                );
                const script = template(task(job(run, "syncthing"), "web"), "local/start.sh");
                fs.writeFileSync(path.join(dir, "start.sh"), script);
                const env = {
                    PATH: `${dir}/bin:${process.env.PATH}`,
                    STHOMEDIR: home,
                    NOMAD_IP_listen: "100.101.102.103",
                    GUI_USER: "ops",
                    GUI_PASSWORD: "s3cret pass",
                };
                execFileSync("/bin/sh", [path.join(dir, "start.sh")], { env });
                assert.strictEqual(
                    fs.readFileSync(path.join(dir, "calls"), "utf8"),
                    "args: generate --gui-user=ops --gui-password=-\nstdin: s3cret pass\nargs: \n",
                );
                const xml = fs.readFileSync(config, "utf8");
                assert.deepStrictEqual(
                    [...xml.matchAll(/<listenAddress>([^<]*)<\/listenAddress>/g)].map((m) => m[1]),
                    ["default", "tcp://100.101.102.103:22000", "quic://100.101.102.103:22000"],
                );
                assert.match(xml, /<globalAnnounceEnabled>true<\/globalAnnounceEnabled>/);
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });
    });
});
