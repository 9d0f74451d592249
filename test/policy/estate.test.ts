import * as assert from "assert";
import { APPS, defineApp } from "../../apps";
import { NomadJob } from "../../nomad";
import { evaluate, Finding } from "../../policy/policies";
import { ResourceView, TYPES } from "../../policy/rules/common";
import { estateViews, EstateVariant } from "./estate";

const mandatory = (fs: Finding[]) => fs.filter((f) => f.enforcementLevel === "mandatory");
const show = (fs: Finding[]) => fs.map((f) => `[${f.policy}] ${f.message}`).join("\n");

/** The mandatory findings of a variant, each as "[policy] message". */
async function broken(v: EstateVariant): Promise<Finding[]> {
    return mandatory(evaluate(await estateViews(v)));
}

function only(found: Finding[], policy: string, pattern: RegExp): Finding {
    assert.ok(found.length > 0, "the broken variant passes every mandatory policy");
    const hit = found.find((f) => f.policy === policy && pattern.test(f.message));
    assert.ok(hit, `no ${policy} finding matching ${pattern}; found:\n${show(found)}`);
    assert.deepStrictEqual([...new Set(found.map((f) => f.policy))], [policy], `other policies fired too:\n${show(found)}`);
    return hit;
}

describe("policy pack: the real estate under mocks", () => {
    let views: ResourceView[];
    before(async () => {
        views = await estateViews();
    });

    it("registers what the policies look at", () => {
        const count = (t: string) => views.filter((r) => r.type === t).length;
        assert.strictEqual(count(TYPES.firewall), 1);
        assert.strictEqual(count(TYPES.volume), 1);
        assert.strictEqual(count(TYPES.zone), 1);
        assert.strictEqual(count(TYPES.droplet), 1);
        assert.ok(count(TYPES.nomadJob) >= 10, "every app's job and the proxy");
        assert.ok(count(TYPES.nomadVariable) >= 6, "the jobs' secrets");
        assert.ok(count(TYPES.dnsRecord) >= 10, "route and extra records");
    });

    it("passes every mandatory policy as built", () => {
        assert.deepStrictEqual(show(mandatory(evaluate(views))), "");
    });

    it("passes the advisory policies as built", () => {
        assert.deepStrictEqual(show(evaluate(views).filter((f) => f.enforcementLevel === "advisory")), "");
    });

    it("fails a firewall that opens SSH to 0.0.0.0/0 (firewall.sshFrom)", async () => {
        const f = only(
            await broken({ config: { "hydra:firewall": { sshFrom: ["0.0.0.0/0"] } } }),
            "no-admin-ports-from-internet",
            /tcp 22 from 0\.0\.0\.0\/0\) opens SSH \(22\) to the internet/,
        );
        assert.match(f.message, /^Firewall "floyd-firewall" inbound rule #\d+/);
    });

    it("fails a job whose env var holds a planted secret, without printing it", async () => {
        const planted = "PLANTED-a1b2c3d4e5f6";
        const leaky = defineApp({
            name: "leaky",
            description: "a user's app that puts its API token in the job",
            jobs: () => [
                {
                    name: "leaky",
                    tasks: [{ name: "web", image: "nginx:1.27.2", env: { UPSTREAM_API_TOKEN: planted } }],
                    ports: [{ label: "http", to: 80 }],
                    services: [{ name: "leaky-web", port: "http", check: { type: "tcp" } }],
                },
            ],
        });
        const found = await broken({ apps: [...APPS, leaky] });
        const f = only(found, "no-literal-secrets-in-jobs", /Nomad job "leaky" .* group "app" task "web" sets env UPSTREAM_API_TOKEN to a literal value/);
        for (const x of found) {
            assert.ok(!x.message.includes(planted), `a message prints the secret: ${x.message}`);
        }
        assert.ok(f.urn?.includes("NomadJob"));
    });

    it("fails a job that copies a Nomad Variable's value under an innocent name, naming the variable and key only", async () => {
        const planted = "PLANTED-9f8e7d6c5b4a";
        const copier = defineApp({
            name: "copier",
            description: "a user's app that reads its secret properly and also pastes it",
            secrets: [{ key: "copierApiToken", description: "the upstream API token", required: { why: "for the copier" } }],
            jobs: (ctx) => [
                {
                    name: "copier",
                    tasks: [
                        {
                            name: "web",
                            image: "nginx:1.27.2",
                            env: { UPSTREAM: `https://bot:${planted}@api.example.net/` },
                            secretEnv: { API_TOKEN: "api_token" },
                        },
                    ],
                    secrets: { api_token: ctx.secret("copierApiToken") },
                },
            ],
        });
        const found = await broken({ apps: [...APPS, copier], config: { "hydra:copierApiToken": { secure: planted } } });
        const f = found.find((x) => x.policy === "no-secret-values-in-jobs");
        assert.ok(f, show(found));
        assert.match(
            f.message,
            /Nomad job "copier" .* contains the value of Nomad Variable "nomad\/jobs\/copier" item "api_token" at job\.TaskGroups\[0\]\.Tasks\[0\]\.Env\.UPSTREAM/,
        );
        for (const x of found) {
            assert.ok(!x.message.includes(planted), `a message prints the secret: ${x.message}`);
        }
    });

    it("fails a user's own job running nginx:latest", async () => {
        const found = await broken({
            extra: () =>
                new NomadJob("mine", {
                    address: "http://100.101.102.103:4646",
                    job: {
                        ID: "mine",
                        Name: "mine",
                        Type: "service",
                        Datacenters: ["hydra"],
                        TaskGroups: [
                            {
                                Name: "app",
                                Tasks: [{ Name: "web", Driver: "docker", Config: { image: "nginx:latest" }, Resources: { CPU: 100, MemoryMB: 64 } }],
                            },
                        ],
                    },
                }),
        });
        only(found, "images-pinned", /Nomad job "mine" \(NomadJob "mine"\) group "app" task "web" image "nginx:latest" uses the "latest" tag/);
    });

    it("fails an internal record that is Cloudflare-proxied", async () => {
        const found = await broken({
            transformation: (a) => (a.type === TYPES.dnsRecord && a.name.endsWith("-grafana") ? { ...a, props: { ...a.props, proxied: true } } : undefined),
        });
        only(
            found,
            "tailnet-records-not-proxied",
            /DnsRecord "dns-record-grafana" \(grafana\.example\.org\) points into the tailnet \(100\.101\.102\.103\) but is Cloudflare-proxied/,
        );
    });

    it("fails an internal route pointed at the public address", async () => {
        const found = await broken({
            transformation: (a) =>
                a.type === TYPES.dnsRecord && a.name.endsWith("-grafana") ? { ...a, props: { ...a.props, content: "203.0.113.10" } } : undefined,
        });
        only(
            found,
            "internal-routes-stay-internal",
            /grafana\.example\.org\) is an internal route .* but points at 203\.0\.113\.10, which is not a tailnet address/,
        );
    });

    it("fails an unprotected data volume", async () => {
        const found = await broken({ transformation: (a) => (a.type === TYPES.volume ? { ...a, protect: false } : undefined) });
        only(found, "stateful-resources-protected", /Volume "floyd-data" \(floyd-data\) is not protected/);
    });

    it("fails a backup job with ProhibitOverlap false", async () => {
        const found = await broken({
            transformation: (a) => {
                const job = a.props.job as any;
                if (a.type !== TYPES.nomadJob || job?.ID !== "restic") {
                    return undefined;
                }
                return { ...a, props: { ...a.props, job: { ...job, Periodic: { ...job.Periodic, ProhibitOverlap: false } } } };
            },
        });
        only(found, "backup-overlap-prohibited", /Nomad job "restic" .* runs restic backup periodically with Periodic\.ProhibitOverlap = false/);
    });

    it("fails when the backup app is off while apps declare backup paths", async () => {
        const found = await broken({ config: { "hydra:apps": { backup: { enabled: false } } } });
        only(found, "backups-cover-declared-paths", /no backup job exists, but jobs declare backup paths .*Nomad job "gitea" .*: \/data\/gitea/);
    });
});
