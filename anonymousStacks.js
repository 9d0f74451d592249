// The SDK captures a stack for every promise and resource it makes (`new Error().stack`, no message),
// and whoever installed source-map-support (ts-node, the engine's runner) maps every frame of each of
// them: seconds of CPU for the estate. Used by launch.js and by the tests (test/support/anonymousStacks.ts).
"use strict";

/**
 * Anonymous captures get V8's own format (positions in the running .js); errors with a message or of
 * another class are still mapped.
 */
function skipMappingOfAnonymousStacks() {
    const mapped = Error.prepareStackTrace;
    if (!mapped || mapped.hydraSkipsAnonymous) {
        return;
    }
    const skipping = (error, frames) =>
        error && error.constructor === Error && error.message === "" ? "Error" + frames.map((f) => `\n    at ${f}`).join("") : mapped(error, frames);
    skipping.hydraSkipsAnonymous = true;
    Error.prepareStackTrace = skipping;
}

/**
 * The SDK's promise bookkeeping (debuggablePromise, about 90 promises per resource) records a stack
 * with each promise that only PULUMI_DEBUG_PROMISE_LEAKS ever prints. Without that setting the
 * capture is made with a stack trace limit of 0, so it costs nothing. The SDK's modules call it
 * through their import of that module's exports, which is what is replaced here.
 */
function skipPromiseStackCaptures() {
    if (process.env.PULUMI_DEBUG_PROMISE_LEAKS) {
        return;
    }
    let debuggable;
    try {
        debuggable = require("@pulumi/pulumi/runtime/debuggable");
    } catch {
        return;
    }
    const capture = debuggable.debuggablePromise;
    if (typeof capture !== "function" || capture.hydraSkipsStacks) {
        return;
    }
    const skipping = function (promise, ctx) {
        const limit = Error.stackTraceLimit;
        Error.stackTraceLimit = 0;
        try {
            return capture.call(this, promise, ctx);
        } finally {
            Error.stackTraceLimit = limit;
        }
    };
    skipping.hydraSkipsStacks = true;
    debuggable.debuggablePromise = skipping;
}

module.exports = { skipMappingOfAnonymousStacks, skipPromiseStackCaptures };
