// The SDK captures a stack for every promise and resource it makes (`new Error().stack`, no message),
// and whoever installed source-map-support (ts-node, the engine's runner) maps every frame of each of
// them: seconds of CPU for the estate. Those anonymous captures get V8's own format (positions in the
// running .js); errors with a message or of another class are still mapped. The capture of each
// promise (debuggablePromise, hundreds per resource) is read only when PULUMI_DEBUG_PROMISE_LEAKS
// reports leaked promises: without that setting it is not formatted at all. Used by launch.js and by
// the tests (test/support/anonymousStacks.ts).
"use strict";

function skipMappingOfAnonymousStacks() {
    const mapped = Error.prepareStackTrace;
    if (!mapped || mapped.hydraSkipsAnonymous) {
        return;
    }
    const leaksReported = !!process.env.PULUMI_DEBUG_PROMISE_LEAKS;
    const skipping = (error, frames) => {
        if (!error || error.constructor !== Error || error.message !== "") {
            return mapped(error, frames);
        }
        if (!leaksReported && frames.length > 0 && frames[0].getFunctionName() === "debuggablePromise") {
            return "Error";
        }
        return "Error" + frames.map((f) => `\n    at ${f}`).join("");
    };
    skipping.hydraSkipsAnonymous = true;
    Error.prepareStackTrace = skipping;
}

module.exports = { skipMappingOfAnonymousStacks };
