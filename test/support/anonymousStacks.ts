// Loaded by mocha after ts-node (.mocharc.json): the mocked estate runs make thousands of anonymous
// stack captures, and mapping them through source maps was half of each run's CPU.
require("../../anonymousStacks").skipMappingOfAnonymousStacks();
