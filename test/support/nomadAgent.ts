// A real Nomad dev agent for an integration suite: on free ports, so parallel suites do not meet.
import * as net from "net";

/** Three free consecutive ports (HTTP, RPC, Serf), so parallel runs on one machine do not meet. */
export async function freePorts(): Promise<number> {
    const free = (port: number) =>
        new Promise<boolean>((resolve) => {
            const s = net.createServer();
            s.once("error", () => resolve(false));
            s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
        });
    for (let i = 0; i < 50; i++) {
        const base = 20000 + Math.floor(Math.random() * 20000);
        if ((await free(base)) && (await free(base + 1)) && (await free(base + 2))) {
            return base;
        }
    }
    throw new Error("no three free consecutive ports found for a Nomad dev agent");
}
