// The SDK captures a stack for every promise and resource it makes (`new Error().stack`, no message),
// and whoever installed source-map-support (ts-node, the engine's runner) maps every frame of each of
// them: seconds of CPU for the estate. Those anonymous captures get V8's own format (positions in the
// running .js); errors with a message or of another class are still mapped. Used by launch.js and by
// the tests (test/support/anonymousStacks.ts).
"use strict";

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

module.exports = { skipMappingOfAnonymousStacks };
