import * as assert from "assert";
import { unknownCheckingProxy } from "@pulumi/policy";
import { toPlain, viewOf } from "../../policy/adapt";
import { evaluate, POLICIES } from "../../policy/policies";
import { dropletMonitoringViolations, healthCheckViolations, resourceLimitViolations } from "../../policy/rules/advisory";
import { backupCoverageViolations, backupOverlapViolations, covers, declaredBackupPaths, scriptPaths } from "../../policy/rules/backup";
import { TYPES, UNKNOWN } from "../../policy/rules/common";
import { caddySites, internalRouteViolations, proxySites, tailnetRecordViolations } from "../../policy/rules/dns";
import { firewallViolations, isInternet, parsePortRange } from "../../policy/rules/firewall";
import { imageViolations } from "../../policy/rules/images";
import { protectViolations } from "../../policy/rules/protect";
import { backupJob, caddyfile, caddyJob, firewallView, job, jobView, recordView, task, view, withBackupPaths } from "./fixtures";

describe("policy: no-admin-ports-from-internet", () => {
    const ANY = ["0.0.0.0/0", "::/0"];
    const TAILNET = ["100.64.0.0/10", "fd7a:115c:a1e0::/48"];

    it("reads DigitalOcean port ranges", () => {
        assert.deepStrictEqual(parsePortRange("22"), [22, 22]);
        assert.deepStrictEqual(parsePortRange("8000-9000"), [8000, 9000]);
        assert.deepStrictEqual(parsePortRange(" 1 - 65535 "), [1, 65535]);
        for (const all of ["all", "0", "", undefined]) {
            assert.deepStrictEqual(parsePortRange(all), [1, 65535], String(all));
        }
        assert.strictEqual(parsePortRange("ssh"), undefined);
        assert.ok(isInternet("0.0.0.0/0") && isInternet("::/0") && isInternet(" ::/00"));
        assert.ok(!isInternet("203.0.113.7/32") && !isInternet("100.64.0.0/10") && !isInternet("0.0.0.0"));
    });

    it("passes the estate's rules: web and WireGuard from anywhere, everything from the tailnet, SSH from one address", () => {
        const r = firewallView([
            { protocol: "tcp", portRange: "80", sourceAddresses: ANY },
            { protocol: "tcp", portRange: "443", sourceAddresses: ANY },
            { protocol: "udp", portRange: "41641", sourceAddresses: ANY },
            { protocol: "icmp", sourceAddresses: ANY },
            { protocol: "tcp", portRange: "1-65535", sourceAddresses: TAILNET },
            { protocol: "udp", portRange: "1-65535", sourceAddresses: TAILNET },
            { protocol: "tcp", portRange: "22", sourceAddresses: ["203.0.113.7/32"] },
        ]);
        assert.deepStrictEqual(firewallViolations(r), []);
    });

    it("fails SSH from 0.0.0.0/0, naming the firewall, the rule and the source", () => {
        const r = firewallView([
            { protocol: "tcp", portRange: "80", sourceAddresses: ANY },
            { protocol: "tcp", portRange: "22", sourceAddresses: ["0.0.0.0/0"] },
        ]);
        assert.deepStrictEqual(firewallViolations(r), [
            'Firewall "node-firewall" inbound rule #2 (tcp 22 from 0.0.0.0/0) opens SSH (22) to the internet; admit these ports only from the tailnet (100.64.0.0/10) or from specific addresses',
        ]);
    });

    it("fails a wide range from ::/0 once, listing every service it opens", () => {
        const [m] = firewallViolations(firewallView([{ protocol: "tcp", portRange: "1-65535", sourceAddresses: ["::/0"] }]));
        assert.match(m, /\(tcp 1-65535 from ::\/0\) opens SSH \(22\), Nomad \(4646-4648\) and Consul \(8300-8302, 8500-8502, 8600\) to the internet/);
    });

    it("fails UDP to Consul's Serf and DNS ports, a range overlapping Nomad's, and rules without a port range", () => {
        assert.match(
            firewallViolations(firewallView([{ protocol: "udp", portRange: "8301", sourceAddresses: ANY }]))[0],
            /udp 8301 from 0\.0\.0\.0\/0, ::\/0\) opens Consul \(8300-8302\)/,
        );
        assert.match(firewallViolations(firewallView([{ protocol: "udp", portRange: "8600", sourceAddresses: ["0.0.0.0/0"] }]))[0], /opens Consul \(8600\)/);
        assert.match(
            firewallViolations(firewallView([{ protocol: "tcp", portRange: "4600-4647", sourceAddresses: ["0.0.0.0/0"] }]))[0],
            /opens Nomad \(4646-4648\)/,
        );
        assert.match(
            firewallViolations(firewallView([{ protocol: "TCP", sourceAddresses: ["0.0.0.0/0"] }]))[0],
            /\(tcp all ports from 0\.0\.0\.0\/0\) opens SSH/,
        );
        assert.match(firewallViolations(firewallView([{ protocol: "tcp", portRange: "all", sourceAddresses: ["0.0.0.0/0"] }]))[0], /tcp all from/);
    });

    it("passes ranges that stop short of the admin ports, ICMP, and values not known yet", () => {
        const r = firewallView([
            { protocol: "tcp", portRange: "23-4645", sourceAddresses: ANY },
            { protocol: "tcp", portRange: "4649-8299", sourceAddresses: ANY },
            { protocol: "icmp", sourceAddresses: ANY },
            { protocol: "tcp", portRange: "22", sourceAddresses: UNKNOWN },
        ]);
        assert.deepStrictEqual(firewallViolations(r), []);
        assert.deepStrictEqual(firewallViolations(view(TYPES.firewall, "fw", { inboundRules: UNKNOWN })), []);
    });
});

describe("policy: images-pinned", () => {
    it("checks every image-bearing task, naming job, group and task, and skips drivers without images", () => {
        const j = job("web", [
            task({ name: "a", image: "nginx:1.27.2" }),
            task({ name: "b", image: "redis" }),
            task({ name: "c", driver: "raw_exec" }),
            task({ name: "d", image: UNKNOWN as unknown as string }),
        ]);
        assert.deepStrictEqual(imageViolations(jobView(j)), [
            'Nomad job "web" (NomadJob "web-job") group "app" task "b" image "redis" has no tag, which means "latest"; pin a version tag or a digest',
        ]);
    });

    it("reads parsedJob for jobspecs, and literal images from the text when Nomad has not parsed it", () => {
        const parsed = view(TYPES.nomadJob, "hcl", { jobspec: "…", parsedJob: job("hcl", [task({ image: "nginx:latest" })]) });
        assert.match(imageViolations(parsed)[0], /Nomad job "hcl" .* image "nginx:latest" uses the "latest" tag/);
        const text = view(TYPES.nomadJob, "hcl", {
            jobspec: 'task "a" {\n  config {\n    image = "nginx"\n  }\n}\ntask "b" {\n  config { image = "${var.image}" }\n}\n',
        });
        assert.deepStrictEqual(imageViolations(text), ['NomadJob "hcl" jobspec image "nginx" has no tag, which means "latest"; pin a version tag or a digest']);
    });
});

describe("policy: tailnet-records-not-proxied and internal-routes-stay-internal", () => {
    it("fails a proxied record pointing into the tailnet, and only that", () => {
        assert.deepStrictEqual(tailnetRecordViolations(recordView("grafana.example.org", "100.101.102.103", true)), [
            'DnsRecord "dns-record-grafana" (grafana.example.org) points into the tailnet (100.101.102.103) but is Cloudflare-proxied; Cloudflare cannot reach tailnet addresses and the name must stay internal: set proxied to false',
        ]);
        assert.strictEqual(tailnetRecordViolations(recordView("x.example.org", "fd7a:115c:a1e0::7", true, "AAAA")).length, 1);
        assert.deepStrictEqual(tailnetRecordViolations(recordView("grafana.example.org", "100.101.102.103", false)), []);
        assert.deepStrictEqual(tailnetRecordViolations(recordView("git.example.org", "203.0.113.10", true)), []);
        assert.deepStrictEqual(tailnetRecordViolations(recordView("grafana.example.org", UNKNOWN, true)), []);
        assert.deepStrictEqual(tailnetRecordViolations(recordView("grafana.example.org", "100.101.102.103", UNKNOWN)), []);
    });

    it("reads site addresses from a Caddyfile template, not its global options, snippets or template actions", () => {
        assert.deepStrictEqual(caddySites(caddyfile(["b.example.org", "a.example.org"])), ["b.example.org", "a.example.org"]);
        assert.deepStrictEqual(caddySites("https://a.example.org:443, b.example.org {\n\trespond 200\n}\n# c.example.org {\n"), [
            "a.example.org",
            "b.example.org",
        ]);
    });

    it("tells the internal Caddy from the public one, by task or by host network", () => {
        const custom = job(
            "edge",
            [task({ name: "caddy", templates: [{ dest: "local/Caddyfile", text: "wiki.example.org {\n}\n" }], config: { ports: ["https"] } })],
            {},
            {
                Networks: [{ DynamicPorts: [{ Label: "https", HostNetwork: "tailscale" }] }],
            },
        );
        const sites = proxySites([jobView(caddyJob(["grafana.example.org"], ["git.example.org"])), jobView(custom)]);
        assert.deepStrictEqual(
            sites.internal.map((s) => s.site),
            ["grafana.example.org", "wiki.example.org"],
        );
        assert.deepStrictEqual(
            sites.public.map((s) => s.site),
            ["git.example.org"],
        );
    });

    const stack = (...records: ReturnType<typeof recordView>[]) => [
        view(TYPES.zone, "dns-zone", { name: "example.org" }, true),
        jobView(caddyJob(["grafana.example.org", "nomad.example.org"], ["git.example.org"])),
        ...records,
    ];

    it("passes internal sites on the tailnet address and public sites anywhere", () => {
        const v = internalRouteViolations(
            stack(
                recordView("grafana.example.org", "100.101.102.103", false),
                recordView("nomad", "100.101.102.103", false),
                recordView("git.example.org", "203.0.113.10", true),
                recordView("nomad.example.org", "floyd.tail1234.ts.net", false, "CNAME"),
                recordView("grafana.example.org", "v=spf1 -all", false, "TXT"),
            ),
        );
        assert.deepStrictEqual(v, []);
    });

    it("fails internal sites pointed at public addresses, proxied, or CNAMEd outside the tailnet", () => {
        const v = internalRouteViolations(
            stack(recordView("grafana.example.org", "203.0.113.10", true), recordView("nomad", "example-user.github.io", false, "CNAME")),
        ).map((x) => x.message);
        assert.deepStrictEqual(v, [
            'DnsRecord "dns-record-grafana" (grafana.example.org) is an internal route (a site of Nomad job "caddy" (NomadJob "caddy-job") group "app" task "internal") but is Cloudflare-proxied; set proxied to false',
            'DnsRecord "dns-record-grafana" (grafana.example.org) is an internal route (a site of Nomad job "caddy" (NomadJob "caddy-job") group "app" task "internal") but points at 203.0.113.10, which is not a tailnet address (100.64.0.0/10, fd7a:115c:a1e0::/48)',
            'DnsRecord "dns-record-nomad" (nomad) is an internal route (a site of Nomad job "caddy" (NomadJob "caddy-job") group "app" task "internal") but is a CNAME to example-user.github.io, which is not a tailnet name (*.ts.net)',
        ]);
    });

    it("fails a site served by both proxies", () => {
        const v = internalRouteViolations([jobView(caddyJob(["grafana.example.org"], ["grafana.example.org"]))]);
        assert.strictEqual(v.length, 1);
        assert.match(v[0].message, /^grafana\.example\.org is a site of the internal proxy .* and is also served by the public one/);
    });
});

describe("policy: stateful-resources-protected", () => {
    it("passes a protected volume and zone, fails unprotected ones", () => {
        assert.deepStrictEqual(protectViolations(view(TYPES.volume, "floyd-data", { name: "floyd-data" }, true)), []);
        assert.deepStrictEqual(protectViolations(view(TYPES.zone, "dns-zone", { name: "example.org" }, true)), []);
        assert.deepStrictEqual(protectViolations(view(TYPES.volume, "floyd-data", { name: "floyd-data" }, false)), [
            `Volume "floyd-data" (floyd-data) is not protected, and it holds every app's data under /data: set the resource option protect: true`,
        ]);
        assert.match(
            protectViolations(view(TYPES.zone, "dns-zone", { name: "example.org" }))[0],
            /Zone "dns-zone" \(example\.org\) is not protected, and deleting a zone deletes every record in it/,
        );
        assert.deepStrictEqual(protectViolations(view(TYPES.droplet, "floyd", {})), []);
    });
});

describe("policy: backup-overlap-prohibited and backups-cover-declared-paths", () => {
    it("reads declared paths and the paths a script names", () => {
        assert.deepStrictEqual(declaredBackupPaths(withBackupPaths(job("a"), ["/data/a", " /data/b "])), ["/data/a", "/data/b"]);
        assert.deepStrictEqual(declaredBackupPaths(job("a")), []);
        const paths = scriptPaths("#!/bin/bash\nfor p in '/data/a' \"/data/b/\"; do :; done\nrestic backup /srv\ncd /\n");
        assert.deepStrictEqual([...paths], ["/data/a", "/data/b", "/srv"]);
        assert.ok(covers(paths, "/data/a") && covers(paths, "/srv/x/y") && !covers(paths, "/data/c") && !covers(paths, "/data/ab"));
    });

    it("passes a periodic restic backup that prohibits overlap; ignores jobs that do not back up", () => {
        assert.deepStrictEqual(backupOverlapViolations(jobView(backupJob(["/data/a"]))), []);
        const check = job("restic-check", [task({ driver: "raw_exec", templates: [{ dest: "local/check.sh", text: "restic check" }] })], {
            Periodic: { Enabled: true, ProhibitOverlap: false },
        });
        assert.deepStrictEqual(backupOverlapViolations(jobView(check)), []);
        assert.deepStrictEqual(backupOverlapViolations(jobView({ ...backupJob(["/data/a"]), Periodic: undefined })), []);
    });

    it("fails a periodic restic backup that may overlap itself", () => {
        const off = backupJob(["/data/a"], { Enabled: true, Spec: "0 3 * * *", ProhibitOverlap: false });
        assert.deepStrictEqual(backupOverlapViolations(jobView(off)), [
            'Nomad job "restic" (NomadJob "restic-job") runs restic backup periodically with Periodic.ProhibitOverlap = false; a run still going when the next starts contends for the repository lock: set it to true',
        ]);
        assert.match(backupOverlapViolations(jobView(backupJob(["/data/a"], { Enabled: true, Spec: "0 3 * * *" })))[0], /ProhibitOverlap unset/);
    });

    it("passes when nothing declares paths, or the backup covers each declared path (itself or a parent)", () => {
        assert.deepStrictEqual(backupCoverageViolations([jobView(job("doggo"))]), []);
        const apps = [
            jobView(withBackupPaths(job("gitea"), ["/data/gitea"])),
            jobView(withBackupPaths(job("shynet"), ["/data/shynet/db", "/data/shynet/app"])),
        ];
        assert.deepStrictEqual(backupCoverageViolations([...apps, jobView(backupJob(["/data/gitea", "/data/shynet/db", "/data/shynet/app"]))]), []);
        assert.deepStrictEqual(backupCoverageViolations([...apps, jobView(backupJob(["/data"]))]), []);
    });

    it("fails a declared path the backup script leaves out, on the job that declares it", () => {
        const gitea = jobView(withBackupPaths(job("gitea"), ["/data/gitea", "/data/gitea-extra"]));
        assert.deepStrictEqual(backupCoverageViolations([gitea, jobView(backupJob(["/data/gitea"]))]), [
            {
                urn: gitea.urn,
                message:
                    'Nomad job "gitea" (NomadJob "gitea-job") declares backup path /data/gitea-extra (Meta "hydra.backup-paths"), but the backup job (Nomad job "restic" (NomadJob "restic-job")) does not back it up',
            },
        ]);
    });

    it("fails when no periodic raw_exec restic backup job exists, saying why a near miss does not count", () => {
        const gitea = jobView(withBackupPaths(job("gitea"), ["/data/gitea"]));
        const [none] = backupCoverageViolations([gitea]);
        assert.strictEqual(none.urn, undefined);
        assert.match(
            none.message,
            /^no backup job exists, but jobs declare backup paths in Meta "hydra\.backup-paths" \(Nomad job "gitea" \(NomadJob "gitea-job"\): \/data\/gitea\)/,
        );
        const [docker] = backupCoverageViolations([gitea, jobView(backupJob(["/data/gitea"], undefined, "docker"))]);
        assert.match(docker.message, /Nomad job "restic" \(NomadJob "restic-job"\) runs restic backup but is not periodic raw_exec jobs?/);
        const [disabled] = backupCoverageViolations([gitea, jobView(backupJob(["/data/gitea"], { Enabled: false, ProhibitOverlap: true }))]);
        assert.match(disabled.message, /^no backup job exists/);
    });
});

describe("policy: advisory checks", () => {
    it("droplet-monitoring", () => {
        assert.deepStrictEqual(dropletMonitoringViolations(view(TYPES.droplet, "floyd-droplet", { name: "floyd", monitoring: true })), []);
        assert.deepStrictEqual(dropletMonitoringViolations(view(TYPES.droplet, "floyd-droplet", { name: "floyd", monitoring: UNKNOWN })), []);
        assert.deepStrictEqual(dropletMonitoringViolations(view(TYPES.droplet, "floyd-droplet", { name: "floyd", monitoring: false })), [
            `Droplet "floyd-droplet" (floyd) has monitoring off; set monitoring: true for DigitalOcean's metrics and alerts`,
        ]);
        assert.match(dropletMonitoringViolations(view(TYPES.droplet, "d", {}))[0], /monitoring unset \(off\)/);
    });

    it("services-health-checked", () => {
        const checked = job("a", [task()], {}, { Services: [{ Name: "a-web", PortLabel: "http", Checks: [{ Type: "tcp" }] }] });
        assert.deepStrictEqual(healthCheckViolations(jobView(checked)), []);
        const bare = job("a", [{ ...task(), Services: [{ Name: "a-task" }] }], {}, { Services: [{ Name: "a-web", PortLabel: "http" }] });
        assert.deepStrictEqual(healthCheckViolations(jobView(bare)), [
            'Nomad job "a" (NomadJob "a-job") group "app" service "a-web" has no health check; add one so deployments and restarts notice when it is down',
            'Nomad job "a" (NomadJob "a-job") group "app" task "web" service "a-task" has no health check; add one so deployments and restarts notice when it is down',
        ]);
    });

    it("tasks-resource-limits", () => {
        assert.deepStrictEqual(resourceLimitViolations(jobView(job("a", [task(), task({ name: "b", resources: { Cores: 1, MemoryMB: 256 } })]))), []);
        assert.deepStrictEqual(resourceLimitViolations(jobView(job("a", [task({ resources: null }), task({ name: "b", resources: { CPU: 200 } })]))), [
            `Nomad job "a" (NomadJob "a-job") group "app" task "web" sets no Resources.CPU or Resources.MemoryMB; Nomad's defaults (100 MHz, 300 MB) rarely fit`,
            `Nomad job "a" (NomadJob "a-job") group "app" task "b" sets no Resources.MemoryMB; Nomad's defaults (100 MHz, 300 MB) rarely fit`,
        ]);
    });
});

describe("policy pack: wiring", () => {
    it("has unique names, mandatory guardrails and advisory hints", () => {
        const names = POLICIES.map((p) => p.name);
        assert.strictEqual(new Set(names).size, names.length);
        assert.deepStrictEqual(
            POLICIES.filter((p) => p.enforcementLevel === "advisory").map((p) => p.name),
            ["droplet-monitoring", "services-health-checked", "tasks-resource-limits"],
        );
        for (const p of POLICIES) {
            assert.ok(p.resource || p.stack, p.name);
        }
        for (const p of POLICIES) {
            if (p.resource) {
                assert.ok(p.types?.length, `${p.name} names the types it checks`);
            }
        }
    });

    it("evaluate runs resource policies only on their types, and stack policies once", () => {
        const fw = firewallView([{ protocol: "tcp", portRange: "22", sourceAddresses: ["0.0.0.0/0"] }]);
        const mislabelled = { ...fw, type: TYPES.droplet, props: { ...fw.props, monitoring: true } };
        const found = evaluate([fw, mislabelled, jobView(withBackupPaths(job("a"), ["/data/a"]))]);
        assert.deepStrictEqual(
            found.map((f) => [f.policy, f.enforcementLevel, f.urn]),
            [
                ["no-admin-ports-from-internet", "mandatory", fw.urn],
                ["backups-cover-declared-paths", "mandatory", undefined],
            ],
        );
    });

    it("turns the SDK's unknown-checking props into plain data with UNKNOWN where preview does not know a value", () => {
        const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
        const props = unknownCheckingProxy({
            name: "fw",
            inboundRules: [{ protocol: "tcp", portRange: "22", sourceAddresses: UNKNOWN_STRING }],
            dropletIds: UNKNOWN_STRING,
        });
        assert.throws(() => props.dropletIds, /can't be known during preview/);
        assert.deepStrictEqual(toPlain(props), {
            name: "fw",
            inboundRules: [{ protocol: "tcp", portRange: "22", sourceAddresses: UNKNOWN }],
            dropletIds: UNKNOWN,
        });
        const v = viewOf({ type: TYPES.volume, name: "v", urn: "u", props, opts: { protect: true } });
        assert.strictEqual(v.protect, true);
        assert.deepStrictEqual(firewallViolations({ ...v, type: TYPES.firewall }), []);
    });
});
