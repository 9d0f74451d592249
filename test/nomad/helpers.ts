/**
 * Shared test setup: the target Nomad (the fake by default, a real agent when
 * NOMAD_ADDR is set), job fixtures, and capture of fetch calls and output.
 */
import * as pulumi from "@pulumi/pulumi";
import { randomBytes } from "crypto";
import http = require("http");
import https = require("https");
import { FakeNomad } from "../../testkit/fake-nomad";
import { NomadClient } from "../../nomad/client";
import type { Job } from "../../nomad/types";
import { seconds } from "../../nomad/types";

/**
 * A token planted in every call; it must never surface in a message, a log line or serialized code.
 * UUID-shaped like real Nomad tokens: even with ACLs off, Nomad looks the token up on some
 * endpoints (plan) and answers 500 "UUID must be 36 characters" to anything else.
 */
export const PLANTED_TOKEN = "7f3a9c2e-5b1d-4e8f-a6c4-0d9e8b7a6f51";
/** Item values planted in variables; same rule. */
export const PLANTED_ITEMS = { db_password: "item-PLANTED-correct-horse-battery", api_key: "item-PLANTED-0x5eed-cafe-f00d" };

export interface Target {
    address: string;
    /** The fake, or undefined against a real agent. */
    fake: FakeNomad | undefined;
    real: boolean;
    stop(): Promise<void>;
}

export const REAL_NOMAD = process.env.NOMAD_ADDR;

/** Start the fake (requiring the planted token), or point at NOMAD_ADDR. */
export async function startTarget(opts: { requireToken?: boolean } = {}): Promise<Target> {
    if (REAL_NOMAD) {
        return { address: REAL_NOMAD.replace(/\/+$/, ""), fake: undefined, real: true, stop: async () => undefined };
    }
    const fake = new FakeNomad({ requireToken: opts.requireToken === false ? undefined : PLANTED_TOKEN });
    await fake.start();
    return { address: fake.address, fake, real: false, stop: () => fake.stop() };
}

export function uniqueId(prefix: string): string {
    return `${prefix}-${randomBytes(4).toString("hex")}`;
}

export function client(target: Target, extra: Partial<ConstructorParameters<typeof NomadClient>[0]> = {}): NomadClient {
    return new NomadClient({ address: target.address, token: PLANTED_TOKEN, retryTimeoutSeconds: 5, initialBackoffMs: 100, ...extra });
}

/** A small raw_exec service that runs on a dev agent without Docker. */
export function sleepJob(
    id: string,
    opts: { env?: Record<string, string>; count?: number; update?: boolean; autoRevert?: boolean; driver?: string } = {},
): Job {
    return {
        ID: id,
        Type: "service",
        Datacenters: ["*"],
        TaskGroups: [
            {
                Name: "main",
                Count: opts.count ?? 1,
                ...(opts.update
                    ? {
                          Update: {
                              MaxParallel: 1,
                              HealthCheck: "task_states" as const,
                              MinHealthyTime: seconds(1),
                              HealthyDeadline: seconds(60),
                              ProgressDeadline: seconds(120),
                              ...(opts.autoRevert ? { AutoRevert: true } : {}),
                          },
                      }
                    : {}),
                Tasks: [
                    {
                        Name: "sleep",
                        Driver: opts.driver ?? "raw_exec",
                        Config: { command: "/bin/sleep", args: ["3600"] },
                        Env: opts.env ?? { GREETING: "hello" },
                        Resources: { CPU: 20, MemoryMB: 32 },
                    },
                ],
            },
        ],
    };
}

/** Count (and record the URLs of) every HTTP(S) request the client makes (it uses node:http / node:https). */
export function countFetches(): { readonly count: number; urls: string[]; restore(): void } {
    const urls: string[] = [];
    const mods = [http, https] as unknown as { request: (...a: unknown[]) => unknown }[];
    const originals = mods.map((m) => m.request);
    mods.forEach((m, i) => {
        m.request = (...args: unknown[]) => {
            urls.push(String(args[0]));
            return originals[i](...args);
        };
    });
    return {
        get count() {
            return urls.length;
        },
        urls,
        restore() {
            mods.forEach((m, i) => (m.request = originals[i]));
        },
    };
}

/** Record the method and URL of every global fetch call (to tell reads from writes). */
export function countCalls(): { calls: { method: string; url: string }[]; restore(): void } {
    const original = globalThis.fetch;
    const calls: { method: string; url: string }[] = [];
    globalThis.fetch = ((input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
        const req = input instanceof Request ? input : undefined;
        calls.push({ method: (init?.method ?? req?.method ?? "GET").toUpperCase(), url: String(req ? req.url : input) });
        return original(input, init);
    }) as typeof fetch;
    return {
        calls,
        restore() {
            globalThis.fetch = original;
        },
    };
}

/**
 * Capture console.* and pulumi.log.* output (and raw stdout/stderr writes) so a
 * test can assert on every line. Mocha's own output is restored afterwards.
 */
export function captureOutput(): { lines: string[]; restore(): void } {
    const lines: string[] = [];
    const c = console as unknown as Record<string, (...a: unknown[]) => void>;
    const saved: Record<string, (...a: unknown[]) => void> = {};
    for (const m of ["log", "info", "warn", "error", "debug"]) {
        saved[m] = c[m];
        c[m] = (...args: unknown[]) => {
            lines.push(args.map((a) => (typeof a === "string" ? a : a instanceof Error ? `${a.message}\n${a.stack}` : JSON.stringify(a))).join(" "));
        };
    }
    const log = pulumi.log as unknown as Record<string, unknown>;
    const savedLog: Record<string, unknown> = {};
    for (const m of ["debug", "info", "warn", "error"]) {
        savedLog[m] = log[m];
        try {
            log[m] = (msg: string) => {
                lines.push(String(msg));
                return Promise.resolve();
            };
        } catch {
            // not writable: fall back to the stream capture below
        }
    }
    const out = process.stdout.write.bind(process.stdout);
    const err = process.stderr.write.bind(process.stderr);
    const capture = (chunk: unknown) => {
        lines.push(String(chunk));
        return true;
    };
    process.stdout.write = capture as typeof process.stdout.write;
    process.stderr.write = capture as typeof process.stderr.write;
    return {
        lines,
        restore() {
            Object.assign(c, saved);
            for (const m of Object.keys(savedLog)) {
                try {
                    log[m] = savedLog[m];
                } catch {
                    // ignore
                }
            }
            process.stdout.write = out;
            process.stderr.write = err;
        },
    };
}

/** The error a promise rejects with (fails if it resolves). */
export async function rejection(p: Promise<unknown>): Promise<Error> {
    try {
        await p;
    } catch (e) {
        return e as Error;
    }
    throw new Error("expected the call to fail, but it succeeded");
}

/** Best-effort purge of jobs a test created (matters against a real agent). */
export async function purgeJobs(target: Target, ids: string[]): Promise<void> {
    const c = client(target, { retryTimeoutSeconds: 0 });
    for (const id of ids) {
        try {
            await c.deregisterJob(id, { purge: true });
        } catch {
            // ignore
        }
    }
}

export async function deleteVars(target: Target, paths: string[]): Promise<void> {
    const c = client(target, { retryTimeoutSeconds: 0 });
    for (const p of paths) {
        try {
            await c.deleteVariable(p);
        } catch {
            // ignore
        }
    }
}
