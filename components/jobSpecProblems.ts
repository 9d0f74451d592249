// Every problem with a job spec, each naming the job (and task), so all are reported together. Pure.
import { imageProblem, JobSpec, VARIABLE_ITEM } from "../vocabulary";

/** Every problem with a spec, each naming the job (and task), so all are reported together. */
export function jobSpecProblems(spec: JobSpec): string[] {
    const out: string[] = [];
    const at = `job ${JSON.stringify(spec.name)}`;
    if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(spec.name)) {
        out.push(`${at}: name must be lower-case letters, digits and "-"`);
    }
    if (spec.tasks.length === 0) {
        out.push(`${at}: has no task`);
    }
    const labels = new Set((spec.ports ?? []).map((p) => p.label));
    if (labels.size !== (spec.ports ?? []).length) {
        out.push(`${at}: port labels must be unique`);
    }
    for (const t of spec.tasks) {
        const driver = t.driver ?? "docker";
        if (driver === "docker") {
            const problem = imageProblem(t.image);
            if (problem) {
                out.push(`${at}: task ${JSON.stringify(t.name)} ${problem}`);
            }
            for (const f of t.files ?? []) {
                if (f.changeMode === "script" && !f.script) {
                    out.push(`${at}: file ${JSON.stringify(f.name)} has change mode "script" but no script`);
                }
            }
        } else if (!t.command) {
            out.push(`${at}: task ${JSON.stringify(t.name)} uses raw_exec and needs a command`);
        }
        for (const m of t.mounts ?? []) {
            if (m.owner !== undefined && !/^\d+:\d+$/.test(m.owner)) {
                out.push(`${at}: task ${JSON.stringify(t.name)} mount ${JSON.stringify(m.source)} owner must be numeric "uid:gid"`);
            }
        }
        for (const label of t.ports ?? []) {
            if (!labels.has(label)) {
                out.push(`${at}: task ${JSON.stringify(t.name)} publishes unknown port ${JSON.stringify(label)}`);
            }
        }
        for (const secret of Object.values(t.secretEnv ?? {})) {
            if (!spec.secrets || !(secret in spec.secrets)) {
                out.push(`${at}: task ${JSON.stringify(t.name)} reads undeclared secret ${JSON.stringify(secret)}`);
            }
        }
    }
    for (const key of Object.keys(spec.secrets ?? {})) {
        if (!VARIABLE_ITEM.test(key)) {
            out.push(`${at}: secret name ${JSON.stringify(key)} must be a template identifier`);
        }
    }
    for (const s of spec.services ?? []) {
        if (!labels.has(s.port)) {
            out.push(`${at}: service ${JSON.stringify(s.name)} uses unknown port ${JSON.stringify(s.port)}`);
        }
        if (s.check?.headers && s.check.type !== "http") {
            out.push(`${at}: service ${JSON.stringify(s.name)} has a ${s.check.type} check with headers (only http checks send them)`);
        }
    }
    for (const r of spec.routes ?? []) {
        if (!labels.has(r.port)) {
            out.push(`${at}: route ${JSON.stringify(r.hostname)} uses unknown port ${JSON.stringify(r.port)}`);
        }
        const port = spec.ports?.find((p) => p.label === r.port);
        if (r.visibility === "internal" && port && (port.hostNetwork ?? "tailscale") !== "tailscale") {
            out.push(`${at}: internal route ${JSON.stringify(r.hostname)} uses port ${JSON.stringify(r.port)} on the public network`);
        }
    }
    if (spec.metrics && !labels.has(spec.metrics.port)) {
        out.push(`${at}: metrics use unknown port ${JSON.stringify(spec.metrics.port)}`);
    }
    if (spec.periodic && spec.type !== "batch" && spec.type !== "sysbatch") {
        out.push(`${at}: a periodic job must be of type "batch" or "sysbatch"`);
    }
    if (spec.keepSecrets) {
        const { items, file } = spec.keepSecrets;
        for (const item of items) {
            if (!spec.secrets || !(item in spec.secrets)) {
                out.push(`${at}: keeps undeclared secret ${JSON.stringify(item)} with its data`);
            }
        }
        if (!(spec.backupPaths ?? []).some((p) => file === p || file.startsWith(`${p}/`))) {
            out.push(`${at}: kept secrets file ${JSON.stringify(file)} is not under one of the job's backup paths`);
        }
    }
    for (const d of spec.backupDumps ?? []) {
        const t = spec.tasks.find((x) => x.name === d.task);
        if (!t || (t.driver ?? "docker") !== "docker") {
            out.push(`${at}: dump ${JSON.stringify(d.file)} runs in ${JSON.stringify(d.task)}, which is not a docker task of the job`);
        }
        if (!d.file.startsWith("/")) {
            out.push(`${at}: dump ${JSON.stringify(d.file)} is not an absolute path`);
        }
        if (d.command.length === 0) {
            out.push(`${at}: dump ${JSON.stringify(d.file)} has no command`);
        }
        const problem = d.run ? imageProblem(d.run.image) : undefined;
        if (problem) {
            out.push(`${at}: dump ${JSON.stringify(d.file)} ${problem}`);
        }
    }
    for (const p of spec.backupPaths ?? []) {
        if (!p.startsWith("/")) {
            out.push(`${at}: backup path ${JSON.stringify(p)} is not absolute`);
        }
    }
    return out;
}
