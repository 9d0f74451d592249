// The preview floor: a Pulumi program in TypeScript, run the way `pulumi new typescript` sets it up
// (ts-node), that loads the same SDKs as the estate and registers a single resource.
import "@pulumi/cloudflare";
import "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import "@pulumi/random";
import "@pulumi/tailscale";

export const one = new pulumi.ComponentResource("hydra:bench:One", "one").urn;
