// Loaded by mocha after ts-node (.mocharc.json): the mocked estate runs make thousands of anonymous
// stack captures, and mapping them through source maps was half of each run's CPU.
// The SDK's per-promise captures are not made at all (as launch.js does).
const stacks = require("../../anonymousStacks");
stacks.skipMappingOfAnonymousStacks();
stacks.skipPromiseStackCaptures();
