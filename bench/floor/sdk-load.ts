// The render floor: a program that only loads the Pulumi SDK and the four provider SDKs the estate uses.
import * as cloudflare from "@pulumi/cloudflare";
import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as tailscale from "@pulumi/tailscale";

// Touch each module so that no loader defers it.
console.log([pulumi.Config, cloudflare.Provider, digitalocean.Provider, random.Provider, tailscale.Provider].length);
