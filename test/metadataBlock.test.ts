// The metadata block's script run for real, in a network and mount namespace of its own (so the
// host's iptables are untouched): a process in Nomad's cgroup is refused 169.254.169.254, one
// outside is not. Needs root, unshare, iptables and a cgroup2 mount; fails loudly without them.
import * as assert from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { metadataBlockScript, NOMAD_CGROUP } from "../components/metadataBlock";

/** Runs in the namespaces: a stand-in metadata server on 169.254.169.254:80, then the script twice. */
const SCENARIO = (script: string) => `set -euo pipefail
mount -t cgroup2 none /sys/fs/cgroup
trap 'rmdir /sys/fs/cgroup/${NOMAD_CGROUP} 2>/dev/null || true' EXIT
ip link set lo up
ip addr add 169.254.169.254/32 dev lo
python3 -m http.server 80 --bind 169.254.169.254 >/dev/null 2>&1 &
server=$!
for _ in $(seq 50); do curl -s -o /dev/null --max-time 1 http://169.254.169.254/ && break; sleep 0.1; done
bash ${script}
bash ${script}
echo "docker-user=$(iptables -S DOCKER-USER | grep -c 169.254.169.254)"
echo "output=$(iptables -S OUTPUT | grep -c 169.254.169.254)"
echo "outside=$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 http://169.254.169.254/ || true)"
echo "inside=$(sh -c 'echo $$ > /sys/fs/cgroup/${NOMAD_CGROUP}/cgroup.procs; curl -s -o /dev/null -w "%{http_code}" --max-time 3 http://169.254.169.254/ || true')"
kill "$server"
`;

describe("metadata block, run for real in its own namespaces", function () {
    this.timeout(60_000);

    it("refuses the metadata address to Nomad's cgroup only, and installs each rule once", () => {
        for (const tool of ["unshare", "iptables", "curl", "python3"]) {
            assert.strictEqual(spawnSync("sh", ["-c", `command -v ${tool}`]).status, 0, `this test needs ${tool} (apt-get install it)`);
        }
        assert.strictEqual(process.getuid?.(), 0, "this test needs root (network and mount namespaces, iptables)");
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hydra-meta-"));
        try {
            const script = path.join(dir, "block.sh");
            fs.writeFileSync(script, metadataBlockScript(), { mode: 0o755 });
            const out = execFileSync("unshare", ["--net", "--mount", "--fork", "bash", "-c", SCENARIO(script)], { encoding: "utf8" });
            const seen = Object.fromEntries(
                out
                    .trim()
                    .split("\n")
                    .filter((l) => l.includes("="))
                    .map((l) => l.split("=") as [string, string]),
            );
            assert.deepStrictEqual(seen, { "docker-user": "1", output: "1", outside: "200", inside: "000" });
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
