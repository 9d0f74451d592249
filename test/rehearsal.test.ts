// The first-boot rehearsal's pure parts: the negative controls' substitutions, what it reads
// from the rendered stack, and how it reads the booted node. The boot itself is in
// test/integration/rehearsal.test.ts.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { causeLines, metadataBlockRules, nomadListenAddresses } from "../rehearsal/checks";
import { hostCgroup2Mount } from "../rehearsal/node";
import { controlledUserData, withoutConffileAnswers, withoutLockTimeout } from "../rehearsal/controls";
import { repoFile } from "../rehearsal/repoServer";
import { dataFolders, hostNetworkNames, REHEARSAL_NOMAD_TOKEN, REHEARSAL_NOMAD_VERSION, rehearsalConfig, stackInput } from "../rehearsal/stackInput";

describe("first-boot rehearsal (pure parts)", () => {
    const install =
        "apt-get install -y -o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confdef -o 'Dpkg::Options::=--force-confold' tailscale nomad=1.9.7-1";

    it("the conffile control removes dpkg's conffile answers, command-line and apt.conf forms, and nothing else", () => {
        const r = withoutConffileAnswers(`${install}\nDpkg::Options { "--force-confdef"; "--force-confold"; };\n`);
        assert.strictEqual(r.removed, 4);
        assert.ok(!/force-conf/.test(r.userData), r.userData);
        assert.ok(r.userData.includes("-o DPkg::Lock::Timeout=600 tailscale nomad=1.9.7-1"), r.userData);
    });

    it("the lock control removes apt's lock timeout and keeps the conffile answers", () => {
        const r = withoutLockTimeout(`${install}\nDPkg::Lock::Timeout "300";\n`);
        assert.strictEqual(r.removed, 2);
        assert.ok(!/Lock::Timeout/i.test(r.userData), r.userData);
        assert.ok(r.userData.includes("--force-confold"));
    });

    it("a user-data without the safeguard is booted unchanged, and says so (removed 0)", () => {
        const plain = "apt-get install -y tailscale nomad=1.6.3-1";
        assert.deepStrictEqual(controlledUserData("conffile", plain), { userData: plain, removed: 0 });
        assert.deepStrictEqual(controlledUserData("none", install), { userData: install, removed: 0 });
        assert.deepStrictEqual(controlledUserData("missingSuite", install), { userData: install, removed: 0 });
    });

    it("data folders are every bind source under the data dir, with the owner the own-data task gives", () => {
        const job = (tasks: unknown[]) => ({ Job: { TaskGroups: [{ Tasks: tasks }] } }) as never;
        const folders = dataFolders(
            [
                job([
                    { Name: "own-data", Driver: "raw_exec", Config: { args: ["-c", "script", "own-data", "/data/grafana", "472:0"] } },
                    { Name: "grafana", Driver: "docker", Config: { mount: [{ type: "bind", source: "/data/grafana" }] } },
                ]),
                job([
                    {
                        Name: "web",
                        Driver: "docker",
                        Config: {
                            mount: [
                                { type: "bind", source: "/data/gitea" },
                                { type: "bind", source: "secrets/app.ini" },
                            ],
                        },
                    },
                ]),
            ],
            "/data",
        );
        assert.deepStrictEqual(folders, [
            { path: "/data/gitea", owner: "0:0" },
            { path: "/data/grafana", owner: "472:0" },
        ]);
    });

    it("the rehearsal pins the nomad version its stand-in package carries and a UUID test token, as a secret", () => {
        const raw = { values: { "hydra:nomad": JSON.stringify({ datacenter: "hydra" }) } as Record<string, string>, secretKeys: new Set<string>() };
        rehearsalConfig(raw);
        assert.deepStrictEqual(JSON.parse(raw.values["hydra:nomad"]), { datacenter: "hydra", version: REHEARSAL_NOMAD_VERSION });
        assert.match(raw.values["hydra:nomadToken"], /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        assert.ok(raw.secretKeys.has("hydra:nomadToken"));
    });

    it("for the hydra stack, the folders it checks are the ones the rendered user-data makes, with their owners", async function () {
        this.timeout(120_000);
        const input = await stackInput(path.resolve(__dirname, ".."), "hydra");
        const made = [...input.userData.matchAll(/install -d -o (\d+) -g (\d+) "([^"]+)"/g)].map((m) => ({ path: m[3], owner: `${m[1]}:${m[2]}` }));
        assert.ok(made.length > 0, "the user-data makes no data folders");
        assert.deepStrictEqual(input.dataFolders, made);
        assert.ok(input.userData.includes(`nomad=${REHEARSAL_NOMAD_VERSION}-1`));
        assert.strictEqual(input.nomadToken, REHEARSAL_NOMAD_TOKEN);
    });

    it("host networks come from the agent config's host_network blocks", () => {
        assert.deepStrictEqual(hostNetworkNames('client {\n  host_network "tailscale" {}\n  host_network "public" {}\n}'), ["tailscale", "public"]);
    });

    it("reads Nomad's listeners from ss, other processes left out", () => {
        const ss = [
            'LISTEN 0 4096 100.101.102.103:4646 0.0.0.0:* users:(("nomad",pid=81,fd=9))',
            'LISTEN 0 4096 100.101.102.103:4647 0.0.0.0:* users:(("nomad",pid=81,fd=8))',
            'LISTEN 0 128 0.0.0.0:22 0.0.0.0:* users:(("sshd",pid=60,fd=3))',
        ].join("\n");
        assert.deepStrictEqual(nomadListenAddresses(ss), ["100.101.102.103:4646", "100.101.102.103:4647"]);
    });

    it("reads the metadata block's two rules from iptables -S, and misses either one", () => {
        const docker = "-A DOCKER-USER -d 169.254.169.254/32 -j REJECT --reject-with icmp-port-unreachable";
        // As iptables 1.8.9 prints it: the path quoted.
        const nomad = '-A OUTPUT -d 169.254.169.254/32 -m cgroup --path "nomad.slice" -j REJECT --reject-with icmp-port-unreachable';
        assert.deepStrictEqual(metadataBlockRules(`-N DOCKER-USER\n${docker}\n-P OUTPUT ACCEPT\n${nomad}`), { docker: true, nomad: true });
        assert.deepStrictEqual(metadataBlockRules(`-N DOCKER-USER\n${docker}`), { docker: true, nomad: false });
        assert.deepStrictEqual(metadataBlockRules(nomad.replace("nomad.slice", "nomad.slice/other")), { docker: false, nomad: false });
        assert.deepStrictEqual(metadataBlockRules(nomad.replace("REJECT", "ACCEPT")), { docker: false, nomad: false });
    });

    it("finds the host's cgroup v2 mount in mountinfo", () => {
        const info = [
            "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs ro,size=4096k",
            "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu",
            "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw",
        ].join("\n");
        assert.strictEqual(hostCgroup2Mount(info), "/sys/fs/cgroup/unified");
        assert.strictEqual(hostCgroup2Mount(info.split("\n").slice(0, 2).join("\n")), undefined);
    });

    it("the cause is the boot log's error lines, the last ones", () => {
        const log = [
            "Reading package lists...",
            "Setting up nomad (1.6.3-1) ...",
            "Configuration file '/etc/nomad.d/nomad.hcl'",
            "dpkg: error processing package nomad (--configure):",
            " end of file on stdin at conffile prompt",
            "Errors were encountered while processing:",
        ].join("\n");
        const cause = causeLines(log);
        assert.ok(cause.some((l) => l.includes("end of file on stdin at conffile prompt")));
        assert.ok(cause.includes("Configuration file '/etc/nomad.d/nomad.hcl'"), "the prompt's file is shown");
        const probe = causeLines("Reading package lists...\nhydra-bootstrap: Tailscale has no apt suite for bookworm and no earlier LTS is known\n");
        assert.deepStrictEqual(probe, ["hydra-bootstrap: Tailscale has no apt suite for bookworm and no earlier LTS is known"]);
        assert.ok(!cause.includes("Reading package lists..."));
    });

    it("the repository server serves only files under the host's folder, and hides missing suites", () => {
        const www = fs.mkdtempSync(path.join(os.tmpdir(), "rehearsal-www-"));
        const root = path.join(www, "apt.releases.hashicorp.com");
        assert.strictEqual(repoFile(www, "apt.releases.hashicorp.com", "/dists/bookworm/InRelease"), path.join(root, "dists/bookworm/InRelease"));
        assert.strictEqual(repoFile(www, "apt.releases.hashicorp.com:443", "/gpg"), path.join(root, "gpg"));
        assert.strictEqual(repoFile(www, "apt.releases.hashicorp.com", "/../pkgs.tailscale.com/x"), undefined);
        assert.strictEqual(repoFile(www, "apt.releases.hashicorp.com", "/%2e%2e/%2e%2e/etc/passwd"), undefined);
        assert.strictEqual(repoFile(www, "../etc", "/passwd"), undefined);
        assert.strictEqual(repoFile(www, "apt.releases.hashicorp.com", "/dists/bookworm/InRelease", ["bookworm"]), undefined);
        fs.rmSync(www, { recursive: true });
    });
});
