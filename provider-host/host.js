// The host the engine starts for dynamic providers (Pulumi.yaml plugins.providers, pulumi-nodejs):
// the SDK's own host, with its closure serializer's dependencies loaded only on use.
"use strict";
require("../deferSdkModules").deferClosureSerializer();
require("@pulumi/pulumi/cmd/dynamic-provider");
