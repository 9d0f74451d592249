// Adopting an estate that already runs (MIGRATING.md): nomad.adopt reaches every Nomad job and
// variable, and cloudflare.imports passes Cloudflare import ids to the zone and the records.
import * as assert from "assert";
import { ConfigError, problemLine } from "../config";
import { fixtureConfig, stackConfig, withOverrides } from "./support/estateConfig";
import { mockedEstate } from "./support/mockedEstate";

const JOB = "pulumi-nodejs:dynamic/nomad:NomadJob";
const VARIABLE = "pulumi-nodejs:dynamic/nomad:NomadVariable";
const RECORD = "cloudflare:index/dnsRecord:DnsRecord";
const ZONE = "cloudflare:index/zone:Zone";
const ZONE_ID = "0123456789abcdef0123456789abcdef";
const RECORD_ID = "fedcba9876543210fedcba9876543210";

const base = () => fixtureConfig("full-digitalocean");
/** One estate run for both settings (a run costs about half a second). */
const adopting = () =>
    withOverrides(base(), {
        "hydra:nomad": { adopt: true, overwriteAdoptedVariables: true },
        "hydra:cloudflare": { imports: { zone: ZONE_ID, "floyd/A": `${ZONE_ID}/${RECORD_ID}`, "@/CNAME": `${ZONE_ID}/${RECORD_ID.replace(/f/g, "e")}` } },
    });

describe("adopting an estate that already runs", () => {
    it("passes nomad.adopt (and overwriteAdoptedVariables) to every job and variable; without it none adopts", async () => {
        const run = await mockedEstate(adopting());
        const jobs = run.ofType(JOB);
        const variables = run.ofType(VARIABLE);
        assert.ok(jobs.length > 5 && variables.length > 3);
        assert.ok(jobs.every((j) => j.inputs.adopt === true));
        assert.ok(variables.every((v) => v.inputs.adopt === true && v.inputs.overwriteAdopted === true));

        const plain = await mockedEstate(base());
        assert.ok([...plain.ofType(JOB), ...plain.ofType(VARIABLE)].every((r) => r.inputs.adopt === undefined && r.inputs.overwriteAdopted === undefined));
    });

    it("imports the zone and the records named in cloudflare.imports; only those ignore the comment we add", async () => {
        const run = await mockedEstate(adopting());
        assert.strictEqual(run.one(ZONE).importId, ZONE_ID);
        const record = (name: string) => run.ofType(RECORD).find((r) => r.inputs.name === name)!;
        assert.strictEqual(record("floyd.example.org").importId, `${ZONE_ID}/${RECORD_ID}`);
        assert.deepStrictEqual(record("floyd.example.org").ignoreChanges, ["comment"]);
        assert.strictEqual(record("example.org").importId, `${ZONE_ID}/${RECORD_ID.replace(/f/g, "e")}`);
        const others = run.ofType(RECORD).filter((r) => r.inputs.name !== "floyd.example.org" && r.inputs.name !== "example.org");
        assert.ok(others.length > 3 && others.every((r) => r.importId === undefined && r.ignoreChanges.length === 0));
    });

    it("refuses an import id for a record the estate does not declare, before any resource", async () => {
        await assert.rejects(
            mockedEstate(withOverrides(base(), { "hydra:cloudflare": { imports: { "old-blog/A": `${ZONE_ID}/${RECORD_ID}` } } })),
            /hydra:cloudflare\.imports\.old-blog\/A: the estate declares no such record \(it declares floyd\/A, /,
        );
    });

    it("lists every malformed import key and id with its key", () => {
        const config = withOverrides(base(), {
            "hydra:cloudflare": { imports: { zone: `${ZONE_ID}/${RECORD_ID}`, "git/A": ZONE_ID, "git/SRV": ZONE_ID, "talks/CNAME": "not-an-id" } },
        });
        let problems: string[] = [];
        try {
            stackConfig(config);
        } catch (e) {
            assert.ok(e instanceof ConfigError, String(e));
            problems = e.problems.map(problemLine);
        }
        const mine = problems.filter((p) => p.startsWith("hydra:cloudflare.imports"));
        assert.strictEqual(mine.length, 4, problems.join("\n"));
        assert.ok(mine.some((p) => /^hydra:cloudflare\.imports\.zone: is the zone's id alone/.test(p)));
        assert.ok(mine.some((p) => /^hydra:cloudflare\.imports\.git\/A: is <zone id>\/<record id> for a record/.test(p)));
        assert.ok(mine.some((p) => /^hydra:cloudflare\.imports.*"git\/SRV" is neither "zone" nor a record/.test(p)));
        assert.ok(mine.some((p) => /^hydra:cloudflare\.imports\.talks\/CNAME: "not-an-id" is not a Cloudflare zone id/.test(p)));
    });
});
