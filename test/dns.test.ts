import * as assert from "assert";
import { APPS } from "../apps";
import { loadConfig } from "../config";
import { HydraDns, RouteRecord } from "../components/HydraDns";
import { runMocked, RunResult } from "../render/mockRuntime";
import { fixtureConfig, stackConfig, withOverrides } from "./support/estateConfig";
import { mockedEstate } from "./support/mockedEstate";

const RECORD = "cloudflare:index/dnsRecord:DnsRecord";
const ZONE = "cloudflare:index/zone:Zone";
const ZONE_SETTING = "cloudflare:index/zoneSetting:ZoneSetting";

/** Runs the whole estate of a fixture. */
const withEstate = (fixture: string) => mockedEstate(fixtureConfig(fixture));

/** Runs the DNS component alone, with a fixture's settings and the given routes. */
async function withRoutes(fixture: string, routes: RouteRecord[]): Promise<RunResult & { dns: HydraDns }> {
    const { values, secretKeys } = stackConfig(fixtureConfig(fixture));
    let dns!: HydraDns;
    const run = await runMocked(
        () => {
            const cfg = loadConfig(APPS);
            dns = new HydraDns("dns", {
                domain: cfg.domain,
                manageZone: cfg.cloudflare.manageZone,
                accountId: cfg.cloudflare.accountId,
                node: { name: cfg.node.name, address: "198.51.100.20" },
                publicAddress: "203.0.113.10",
                tailnetAddress: cfg.tailscale.address,
                records: cfg.cloudflare.records,
                routes,
            });
        },
        { config: values, secretKeys },
    );
    return Object.assign(run, { dns });
}

const byName = (run: RunResult, name: string) => run.ofType(RECORD).filter((r) => r.inputs.name === name);

describe("DNS", () => {
    it("creates the zone, protected, when it manages it", async () => {
        const run = await withEstate("full-digitalocean");
        const zone = run.one(ZONE);
        assert.strictEqual(zone.protect, true);
        assert.strictEqual(zone.inputs.name, "example.org");
        assert.deepStrictEqual(zone.inputs.account, { id: "0123456789abcdef0123456789abcdef" });
    });

    it("sets the managed zone's SSL mode to Full (strict): on Flexible the proxy's HTTPS redirect loops", async () => {
        const run = await withEstate("full-digitalocean");
        const [ssl] = run.ofType(ZONE_SETTING);
        assert.ok(ssl, "a zone setting");
        assert.strictEqual(ssl.inputs.settingId, "ssl");
        assert.strictEqual(ssl.inputs.value, "strict");
        assert.ok(ssl.dependencies.includes(run.one(ZONE).urn), "set on the zone Hydra creates");
        assert.strictEqual(run.ofType(ZONE_SETTING).length, 1);
    });

    it("sets Full, not strict, when the proxy's certificates come from its own CA", async () => {
        const run = await mockedEstate(withOverrides(fixtureConfig("full-digitalocean"), { "hydra:proxy": { enabled: true, tls: "internal" } }));
        assert.strictEqual(run.one(ZONE_SETTING).inputs.value, "full");
    });

    it("leaves the SSL mode of a zone it does not manage alone", async () => {
        assert.strictEqual((await withEstate("lookup-zone")).ofType(ZONE_SETTING).length, 0);
    });

    it("looks the zone up by name when it does not manage it", async () => {
        const run = await withEstate("lookup-zone");
        assert.strictEqual(run.ofType(ZONE).length, 0);
        const lookup = run.invokes.find((i) => i.token === "cloudflare:index/getZone:getZone");
        assert.deepStrictEqual(lookup?.inputs.filter, { name: "example.com" });
        for (const r of run.ofType(RECORD)) {
            assert.strictEqual(r.inputs.zoneId, "zone-looked-up");
        }
    });

    it("points the node's record at the reserved IP, unproxied", async () => {
        const run = await withEstate("full-digitalocean");
        const [node] = byName(run, "floyd.example.org");
        assert.strictEqual(node.inputs.type, "A");
        assert.strictEqual(node.inputs.content, "198.51.100.20");
        assert.strictEqual(node.inputs.proxied, false);
    });

    it("keeps the extra records from config", async () => {
        const run = await withEstate("full-digitalocean");
        const [apex] = byName(run, "example.org");
        assert.strictEqual(apex.inputs.type, "CNAME");
        assert.strictEqual(apex.inputs.content, "example-user.github.io");
        assert.strictEqual(apex.inputs.proxied, true);
        assert.strictEqual(byName(run, "lists.example.org")[0].inputs.priority, 10);
        assert.strictEqual(byName(run, "_dmarc.example.org")[0].inputs.type, "TXT");
        assert.strictEqual(byName(run, "talks.example.org")[0].inputs.content, "talks.example.net");
        assert.strictEqual(byName(run, "notes.example.org")[0].inputs.proxied, false);
    });

    it("points public routes at the public address, proxied per route", async () => {
        const run = await withRoutes("full-digitalocean", [
            { hostname: "blog", visibility: "public" },
            { hostname: "raw", visibility: "public", proxied: false },
        ]);
        const [git] = byName(run, "blog.example.org");
        assert.strictEqual(git.inputs.content, "203.0.113.10");
        assert.strictEqual(git.inputs.proxied, true);
        assert.strictEqual(git.inputs.ttl, 1);
        assert.strictEqual(byName(run, "raw.example.org")[0].inputs.proxied, false);
    });

    it("points internal routes at the tailnet address and never proxies them", async () => {
        const run = await withRoutes("full-digitalocean", [
            { hostname: "wiki", visibility: "internal" },
            { hostname: "files", visibility: "internal", proxied: true },
        ]);
        for (const name of ["wiki.example.org", "files.example.org"]) {
            const [r] = byName(run, name);
            assert.strictEqual(r.inputs.content, "100.101.102.103");
            assert.strictEqual(r.inputs.proxied, false, `${name} is proxied`);
        }
    });

    it("skips internal records until the tailnet address is known, and says so", async () => {
        const run = await withRoutes("minimal-digitalocean", [{ hostname: "wiki", visibility: "internal" }]);
        assert.deepStrictEqual(run.dns.skippedInternal, ["wiki.example.com"]);
        assert.strictEqual(byName(run, "wiki.example.com").length, 0);
        const estate = await withEstate("minimal-digitalocean");
        assert.ok(estate.estate.dns!.skippedInternal.includes("grafana.example.com"), "the apps' internal names wait too");
        assert.strictEqual(byName(estate, "grafana.example.com").length, 0);
    });

    it("refuses the same record twice, and a name that is already a CNAME", async () => {
        await assert.rejects(
            withRoutes("full-digitalocean", [
                { hostname: "blog", visibility: "public" },
                { hostname: "blog", visibility: "public" },
            ]),
            /DNS record blog\.example\.org \(A\) is declared twice/,
        );
        await assert.rejects(
            withRoutes("full-digitalocean", [{ hostname: "talks", visibility: "public" }]),
            /talks\.example\.org is a CNAME, which cannot share its name with another record/,
        );
    });
});
