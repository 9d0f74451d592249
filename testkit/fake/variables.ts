/** The fake's variables: check-and-set writes, 409 with the current variable. */
import type { FakeCluster } from "./cluster";
import { HttpError, Obj, clone } from "./util";

export function varKey(c: FakeCluster, query: Record<string, string>, path: string): { key: string; ns: string } {
    const ns = c.namespaceOf(query);
    return { key: `${ns}/${path}`, ns };
}

export function getVar(c: FakeCluster, query: Record<string, string>, path: string): Obj {
    const { key } = varKey(c, query, path);
    const v = c.vars.get(key);
    if (!v) {
        throw new HttpError(404, "variable not found");
    }
    return clone(v);
}

export function casCheck(query: Record<string, string>, current: Obj | undefined, ns: string, path: string): void {
    if (query.cas === undefined) {
        return;
    }
    const cas = Number(query.cas);
    if (!Number.isInteger(cas) || cas < 0) {
        throw new HttpError(400, `failed to parse cas value "${query.cas}"`);
    }
    const currentIndex = current ? current.ModifyIndex : 0;
    if (cas !== currentIndex) {
        const conflict = current ? clone(current) : { Namespace: ns, Path: path, CreateIndex: 0, ModifyIndex: 0, Items: null };
        throw new HttpError(409, "cas conflict", conflict);
    }
}

export function putVar(c: FakeCluster, query: Record<string, string>, path: string, body: Obj): Obj {
    const { key, ns } = varKey(c, query, path);
    if (!/^[a-zA-Z0-9\-_~/]{1,128}$/.test(path)) {
        throw new HttpError(400, `invalid path "${path}"`);
    }
    const items = body.Items;
    if (!items || typeof items !== "object" || Object.keys(items).length === 0) {
        throw new HttpError(400, "variable missing required Items object");
    }
    let size = 0;
    for (const [k, v] of Object.entries(items)) {
        if (typeof v !== "string") {
            throw new HttpError(400, `Unable to decode request body: item ${JSON.stringify(k)} is not a string`);
        }
        size += k.length + v.length;
    }
    if (size > 64 * 1024) {
        throw new HttpError(400, "variables are limited to 64KiB in total size");
    }
    const current = c.vars.get(key);
    casCheck(query, current, ns, path);
    c.index++;
    const now = Date.now() * 1e6;
    const v = {
        Namespace: ns,
        Path: path,
        CreateIndex: current ? current.CreateIndex : c.index,
        ModifyIndex: c.index,
        CreateTime: current ? current.CreateTime : now,
        ModifyTime: now,
        Items: clone(items),
    };
    c.vars.set(key, v);
    return clone(v);
}

export function deleteVar(c: FakeCluster, query: Record<string, string>, path: string): void {
    const { key, ns } = varKey(c, query, path);
    const current = c.vars.get(key);
    casCheck(query, current, ns, path);
    if (current) {
        c.index++;
        c.vars.delete(key);
    }
}
