// `npm run dev -- --tls` without an agent: the file names `nomad tls` gives, the agent's tls
// block with them, and the refusal to switch an estate that is up between TLS and plain HTTP.
import * as assert from "assert";
import { devAgentConfig } from "../../dev/agent";
import { agentTls, cliEnv, devCertificateFiles, modeSwitchProblem } from "../../dev/devTls";

describe("npm run dev -- --tls", () => {
    const certs = devCertificateFiles("/dev-home/.nomad-dev", "global");

    it("names the files nomad tls ca/cert create write, and the region's server name", () => {
        assert.deepStrictEqual(
            [certs.ca, certs.serverCert, certs.serverKey, certs.cliCert, certs.cliKey].map((f) => f.replace("/dev-home/.nomad-dev/tls/", "")),
            ["nomad-agent-ca.pem", "global-server-nomad.pem", "global-server-nomad-key.pem", "global-cli-nomad.pem", "global-cli-nomad-key.pem"],
        );
        assert.strictEqual(certs.serverName, "server.global.nomad");
        assert.strictEqual(cliEnv(certs, "https://127.0.0.1:4646").NOMAD_CLIENT_KEY, certs.cliKey);
    });

    it("gives the dev agent the tls block with the server certificate, and none without --tls", () => {
        const base = { dir: "/dev-home/.nomad-dev", nomad: "nomad", httpPort: 4646 };
        const hcl = devAgentConfig({ ...base, tls: agentTls(certs) });
        assert.match(hcl, /verify_https_client\s*=\s*true/);
        assert.match(hcl, /cert_file\s*=\s*"\/dev-home\/\.nomad-dev\/tls\/global-server-nomad\.pem"/);
        assert.doesNotMatch(devAgentConfig(base), /tls \{/);
    });

    it("refuses to switch an estate that is up, either way, and says how; not when nothing is deployed or the mode is the same", () => {
        assert.strictEqual(modeSwitchProblem(false, true, 0), undefined);
        assert.strictEqual(modeSwitchProblem(true, true, 44), undefined);
        assert.strictEqual(modeSwitchProblem(false, false, 44), undefined);
        assert.strictEqual(
            modeSwitchProblem(false, true, 44),
            "the dev estate is up without TLS, and its 44 resources record how they reach Nomad; it cannot be switched in place.\n" +
                "Tear it down first, then start it with --tls: npm run dev -- --down && npm run dev -- --tls\n" +
                "(or keep it as it is: npm run dev)",
        );
        assert.match(
            modeSwitchProblem(true, false, 44)!,
            /up with TLS \(--tls\).*\n.*npm run dev -- --down && npm run dev\n\(or keep it as it is: npm run dev -- --tls\)/,
        );
    });
});
