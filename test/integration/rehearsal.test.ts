// The first boot, rehearsed: the user-data the program renders for the hydra stack, booted by
// Debian's cloud-init in a systemd container against stand-ins for the vendors' apt
// repositories (see rehearsal/). The rendered boot must pass every check; each negative
// control must fail, with its cause in the boot log. Needs root; fails (never skips) without.
import * as assert from "assert";
import * as path from "path";
import { Control } from "../../rehearsal/controls";
import { CONFFILE_CONTROL_PATH, describeRehearsal, Rehearsal, rehearsalCacheDir, rehearse, requireRehearsalHost } from "../../rehearsal/rehearse";
import { RehearsalInput, stackInput } from "../../rehearsal/stackInput";

const PROJECT = path.resolve(__dirname, "../..");

/** What each control's boot log must say. */
const EXPECTED_CAUSE: Record<Exclude<Control, "none" | "lockHeld">, RegExp> = {
    conffile: /end of file on stdin at conffile prompt/,
    dpkgLock: /Could not get lock \/var\/lib\/dpkg\/lock/,
    // The bootstrap's own line, from its suite probe (before apt is asked).
    missingSuite: /hydra-bootstrap: .*has no apt suite for/,
};

describe("first-boot rehearsal: the rendered user-data booted in a systemd container", function () {
    // A cold image build takes about 4 minutes; each boot about 2.
    this.timeout(40 * 60_000);
    let input: RehearsalInput;

    before(async function () {
        // Loud, not skipped: a machine that cannot rehearse fails here with the reason.
        requireRehearsalHost();
        input = await stackInput(PROJECT, "hydra");
    });

    const run = async (control: Control): Promise<Rehearsal> => {
        const r = await rehearse({ input, control, cacheDir: rehearsalCacheDir(), projectDir: PROJECT });
        console.log(describeRehearsal(r));
        return r;
    };

    it("boots: cloud-init done without errors, sshd -t, docker and nomad active, nomad on the tailnet only, host networks, data folders", async () => {
        const r = await run("none");
        assert.ok(r.ok, `${describeRehearsal(r)}\n\nLast lines of the boot log:\n${r.outputTail}`);
    });

    for (const control of Object.keys(EXPECTED_CAUSE) as (keyof typeof EXPECTED_CAUSE)[]) {
        it(`fails with its cause shown when ${control === "conffile" ? "dpkg's conffile answers are" : control === "dpkgLock" ? "the lock timeout is" : "the repository suite is"} missing`, async () => {
            const r = await run(control);
            const report = `${describeRehearsal(r)}\n\nLast lines of the boot log:\n${r.outputTail}`;
            assert.ok(!r.ok, `the ${control} control booted cleanly:\n${report}`);
            assert.ok(!r.checks[0].ok, `cloud-init reported no error for the ${control} control:\n${report}`);
            assert.ok(
                r.cause.some((l) => EXPECTED_CAUSE[control].test(l)),
                `the boot log does not show ${EXPECTED_CAUSE[control]} for the ${control} control:\n${report}`,
            );
            if (control === "conffile") {
                // The prompt is about the file the user-data wrote, not a file only the package owns.
                assert.ok(
                    r.cause.some((l) => l.includes(`'${CONFFILE_CONTROL_PATH}'`)),
                    `the conffile prompt is not about ${CONFFILE_CONTROL_PATH}:\n${report}`,
                );
            }
        });
    }
});
