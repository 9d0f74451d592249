/**
 * What the Pulumi engine does with a dynamic provider, reduced to the calls
 * and data flow our providers see:
 *   - preview / up: check(oldInputs, news) → diff(id, oldOutputs, checked) →
 *     create | update(id, oldOutputs, checked) | replace (create, then delete old);
 *     preview stops after diff (update never runs during a preview);
 *   - refresh: read(id, outputs) → new outputs, and new inputs when returned;
 *   - destroy: delete(id, outputs).
 * Every value crosses a "wire" like the gRPC Struct conversion (undefined is
 * rejected, everything is copied), so a provider cannot rely on shared objects.
 *
 * A create or update that fails with `id` and `properties` (the provider's
 * "created but not healthy") is recorded as Pulumi 3.229 does, and the error
 * rethrown: the new outputs, with the new inputs after a create but the
 * previous inputs after an update.
 *
 * `shownDiff` mimics what the CLI prints for an update in a preview when the
 * provider gives no detailed diff: the top-level input keys whose values differ
 * between the old and the new (checked) inputs.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";

/** A value that crossed the JSON wire; tests index into it freely. */

export type Obj = Record<string, any>;

/** Copy through a JSON "wire", rejecting undefined the way google.protobuf.Struct does. */
export function wire<T>(value: T, where = "value"): T {
    const check = (v: unknown, path: string): void => {
        if (v === undefined) {
            throw new Error(`Unexpected struct type (undefined at ${path})`);
        }
        if (Array.isArray(v)) {
            v.forEach((x, i) => check(x, `${path}[${i}]`));
        } else if (v && typeof v === "object") {
            for (const [k, x] of Object.entries(v)) {
                check(x, `${path}.${k}`);
            }
        }
    };
    check(value, where);
    return JSON.parse(JSON.stringify(value));
}

export interface ResourceState {
    id: string;
    inputs: Obj;
    outputs: Obj;
}

export type Op = "create" | "same" | "update" | "replace";

export interface PreviewResult {
    op: Op;
    checked: Obj;
    failures: dynamic.CheckFailure[];
    replaces: string[];
    /** Keys the CLI would show as changed, with old and new values. */
    shownDiff: Record<string, { old: unknown; new: unknown }>;
}

function shownDiff(olds: Obj, news: Obj): Record<string, { old: unknown; new: unknown }> {
    const out: Record<string, { old: unknown; new: unknown }> = {};
    const keys = new Set(Object.keys(olds).concat(Object.keys(news)));
    for (const k of keys) {
        if (JSON.stringify(olds[k]) !== JSON.stringify(news[k])) {
            out[k] = { old: olds[k], new: news[k] };
        }
    }
    return out;
}

export class MiniEngine {
    state: ResourceState | undefined;

    constructor(readonly provider: dynamic.ResourceProvider) {}

    async preview(news: Obj): Promise<PreviewResult> {
        const olds = this.state ? wire(this.state.inputs) : {};
        const checked = await this.provider.check!(olds, wire(news, "news"));
        const inputs = wire(checked.inputs ?? news, "checked inputs");
        const failures = [...(checked.failures ?? [])];
        if (failures.length) {
            return { op: "same", checked: inputs, failures, replaces: [], shownDiff: {} };
        }
        if (!this.state) {
            return { op: "create", checked: inputs, failures, replaces: [], shownDiff: shownDiff({}, inputs) };
        }
        const d = await this.provider.diff!(this.state.id, wire(this.state.outputs), inputs);
        const replaces = [...(d.replaces ?? [])];
        const op: Op = replaces.length ? "replace" : d.changes ? "update" : "same";
        return { op, checked: inputs, failures, replaces, shownDiff: op === "same" ? {} : shownDiff(this.state.inputs, inputs) };
    }

    async up(news: Obj): Promise<PreviewResult> {
        const p = await this.preview(news);
        if (p.failures.length) {
            throw new Error(`check failed: ${p.failures.map((f) => `${f.property}: ${f.reason}`).join("; ")}`);
        }
        if (p.op === "create" || p.op === "replace") {
            const old = this.state;
            const created = await this.recordingInitFailure(p.checked, undefined, () => this.provider.create(wire(p.checked)));
            this.state = { id: created.id, inputs: p.checked, outputs: wire({ ...(created.outs ?? {}) }, "outs") };
            if (old && this.provider.delete) {
                await this.provider.delete(old.id, wire(old.outputs));
            }
        } else if (p.op === "update") {
            const s = this.state!;
            const res = await this.recordingInitFailure(s.inputs, s.id, () => this.provider.update!(s.id, wire(s.outputs), wire(p.checked)));
            this.state = { id: s.id, inputs: p.checked, outputs: wire({ ...(res.outs ?? {}) }, "outs") };
        } else {
            // A "same" step records the new inputs and keeps the old outputs.
            this.state = { ...this.state!, inputs: p.checked };
        }
        return p;
    }

    private async recordingInitFailure<T>(inputs: Obj, id: string | undefined, step: () => Promise<T>): Promise<T> {
        try {
            return await step();
        } catch (e) {
            const err = e as { id?: string; properties?: Obj };
            if (err && err.properties !== undefined && (err.id !== undefined || id !== undefined)) {
                this.state = { id: id ?? err.id!, inputs, outputs: wire(err.properties, "init failure properties") };
            }
            throw e;
        }
    }

    /** Returns false when the provider reports the resource gone (it is dropped from the state). */
    async refresh(): Promise<boolean> {
        const s = this.state!;
        const r = await this.provider.read!(s.id, wire(s.outputs));
        if (!r.id) {
            this.state = undefined;
            return false;
        }
        this.state = {
            id: r.id,
            inputs: r.inputs ? wire(r.inputs, "read inputs") : s.inputs,
            outputs: wire(r.props ?? s.outputs, "read props"),
        };
        return true;
    }

    async destroy(): Promise<void> {
        const s = this.state!;
        if (this.provider.delete) {
            await this.provider.delete(s.id, wire(s.outputs));
        }
        this.state = undefined;
    }
}
