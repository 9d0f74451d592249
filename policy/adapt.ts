// From what the policy SDK hands a policy to the plain ResourceViews the rules take.
import { UnknownValueError } from "@pulumi/policy";
import { ResourceView, UNKNOWN } from "./rules/common";

/**
 * A deep plain copy of SDK props. The SDK wraps props in a proxy that throws
 * on any value not known during preview; here such values become UNKNOWN, so
 * one computed field does not abort a whole check.
 */
export function toPlain(v: unknown): unknown {
    if (v === null || typeof v !== "object") {
        return v;
    }
    const read = (o: any, k: string | number): unknown => {
        try {
            return toPlain(o[k]);
        } catch (e) {
            if (e instanceof UnknownValueError) {
                return UNKNOWN;
            }
            throw e;
        }
    };
    if (Array.isArray(v)) {
        const out: unknown[] = [];
        for (let i = 0; i < v.length; i++) {
            out.push(read(v, i));
        }
        return out;
    }
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) {
        out[k] = read(v, k);
    }
    return out;
}

/** The SDK's resource (in a resource or a stack policy) as a ResourceView. */
export function viewOf(r: { type: string; name: string; urn: string; props: Record<string, any>; opts: { protect: boolean } }): ResourceView {
    return { type: r.type, name: r.name, urn: r.urn, props: toPlain(r.props) as Record<string, unknown>, protect: r.opts?.protect === true };
}
