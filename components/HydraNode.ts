import { createHash } from "crypto";
import * as cloudflare from "@pulumi/cloudflare";
import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as tailscale from "@pulumi/tailscale";
import { ConsulConfig, FirewallConfig, NodeConfig, NomadConfig, TailscaleConfig } from "../config";
import { renderUserData, UserDataOptions } from "./cloudInit";
import { NomadAgentOptions } from "./nomadAgentConfig";
import { DataFolder } from "./dataFolders";
import { firewallRules } from "./firewallRules";
import { NodeEndpoints } from "./nodeEndpoints";

export interface HydraNodeArgs {
    domain: string;
    node: NodeConfig;
    tailscale: TailscaleConfig;
    firewall: FirewallConfig;
    nomad: NomadConfig;
    consul: ConsulConfig;
    /** Every public route is Cloudflare-proxied: then 80/443 admit only Cloudflare's ranges. */
    webBehindCloudflare: boolean;
    /** DigitalOcean project name and its environment. */
    project?: { name?: string; environment?: string };
    /** The enabled apps' data folders (the proxy's included), made at first boot. */
    dataFolders: DataFolder[];
    /** Some job sets memory_max, so the scheduler must allow oversubscription. */
    memoryOversubscription: boolean;
    /** A node of a cluster: its agent's role and the cluster's drop-in (secret: it holds the gossip key). */
    cluster?: Pick<NomadAgentOptions, "role" | "publicNetwork"> & { dropIn?: pulumi.Input<string> };
    /** Put the droplet in this DigitalOcean project (the first node's) instead of making one. */
    projectId?: pulumi.Input<string>;
}

/** What the first boot writes for nomad.tls. */
type NodeTls = NonNullable<UserDataOptions["nomad"]["tls"]>;

/** Stands in for the auth key where the user-data is hashed: the key is what the hash decides. */
const KEY_PLACEHOLDER = "tskey-placeholder";

/** DigitalOcean's stable path for an attached volume. */
export function volumeDevice(volumeName: string): string {
    return `/dev/disk/by-id/scsi-0DO_Volume_${volumeName}`;
}

/**
 * The droplet that runs Nomad (server and client), its data volume, reserved IP,
 * firewall and project. It bootstraps itself with cloud-init and joins the tailnet.
 */
export class HydraNode extends pulumi.ComponentResource implements NodeEndpoints {
    readonly droplet: digitalocean.Droplet;
    readonly volume: digitalocean.Volume;
    readonly reservedIp: digitalocean.ReservedIp;
    readonly firewall: digitalocean.Firewall;
    /** The estate's DigitalOcean project; the first node's, which the others join. */
    readonly project?: digitalocean.Project;
    /** The cloud-init document (secret: it carries the tailnet auth key). */
    readonly userData: pulumi.Output<string>;

    readonly publicIpv4: pulumi.Output<string>;
    readonly publicIpv6: pulumi.Output<string | undefined>;
    readonly nodeAddress: pulumi.Output<string>;
    readonly tailnetHostname: pulumi.Output<string>;
    readonly tailnetAddress: pulumi.Output<string | undefined>;
    readonly nomadAddress: pulumi.Output<string>;

    constructor(name: string, args: HydraNodeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hydra:node:HydraNode", name, {}, opts);
        const parent = { parent: this };
        const n = args.node;

        const gossipKey = args.consul.enabled
            ? (args.consul.gossipKey ?? new random.RandomId(`${name}-consul-gossip`, { byteLength: 32 }, parent).b64Std)
            : undefined;
        const volumeName = `${n.name}-data`;
        const tls = args.nomad.tls;
        // The agent's TLS material (nomad.tls), written by the first boot.
        const tlsFiles =
            tls?.serverCert && tls.serverKey
                ? pulumi
                      .all([tls.caCert, tls.serverCert, tls.serverKey])
                      .apply(([caCert, serverCert, serverKey]) => ({ caCert, serverCert, serverKey, serverName: tls.serverName }))
                : pulumi.output(undefined);
        const userData = (key: string, gossip: string | undefined, token: string | undefined, dropIn: string | undefined, files: NodeTls | undefined): string =>
            renderUserData(this.userDataOptions(args, volumeName, key, gossip, token, dropIn, files));
        const dropIn = args.cluster?.dropIn;
        // Everything that replaces the droplet when it changes: the user-data (less the key), image, region.
        const bootInputs = pulumi.all([gossipKey, args.nomad.token, dropIn, tlsFiles]).apply(([gossip, token, cluster, files]) => ({
            userData: createHash("sha256")
                .update(userData(KEY_PLACEHOLDER, gossip, token, cluster, files))
                .digest("hex"),
            image: n.image,
            region: n.region,
        }));
        const authKey = this.tailnetAuthKey(name, args.tailscale, bootInputs);

        const sshKeys = n.sshPublicKeys.map((publicKey, i) => new digitalocean.SshKey(`${name}-ssh-${i}`, { name: `${n.name}-${i}`, publicKey }, parent));

        // The data outlives everything else: protected, and kept even if someone unprotects and destroys.
        this.volume = new digitalocean.Volume(
            `${name}-data`,
            {
                name: volumeName,
                region: n.region,
                size: n.volumeSizeGb,
                initialFilesystemType: "ext4",
                initialFilesystemLabel: "data",
                description: `Hydra data (${n.name}:${n.dataDir})`,
            },
            { ...parent, protect: true, retainOnDelete: true },
        );

        this.userData = pulumi.secret(
            pulumi
                .all([authKey, gossipKey, args.nomad.token, dropIn, tlsFiles])
                .apply(([key, gossip, token, cluster, files]) => userData(key, gossip, token, cluster, files)),
        );

        this.droplet = new digitalocean.Droplet(
            `${name}-droplet`,
            {
                name: n.name,
                region: n.region,
                size: n.size,
                image: n.image,
                ipv6: n.ipv6,
                monitoring: n.monitoring,
                tags: n.tags,
                sshKeys: sshKeys.map((k) => k.fingerprint),
                userData: this.userData,
                // Attached at creation, so cloud-init can mount it on first boot.
                volumeIds: [this.volume.id],
                gracefulShutdown: true,
            },
            // A volume attaches to one droplet at a time: the old one must go first.
            { ...parent, deleteBeforeReplace: true },
        );
        const dropletId = this.droplet.id.apply((id) => Number(id));

        this.reservedIp = new digitalocean.ReservedIp(`${name}-ip`, { region: n.region }, parent);
        new digitalocean.ReservedIpAssignment(`${name}-ip-assignment`, { ipAddress: this.reservedIp.ipAddress, dropletId }, parent);

        const cloudflareRanges = args.webBehindCloudflare
            ? cloudflare.getIpRangesOutput({}, parent).apply((r) => [...r.ipv4Cidrs, ...r.ipv6Cidrs])
            : pulumi.output<string[] | undefined>(undefined);
        const recovery = args.firewall.recoverySshFrom;
        if (recovery) {
            pulumi.log.warn(`firewall.recoverySshFrom is set: SSH is open from ${recovery}. Unset it once the node is back on the tailnet.`, this);
        }
        const rules = cloudflareRanges.apply((ranges) =>
            firewallRules({ cloudflareRanges: ranges, sshFrom: args.firewall.sshFrom, recoverySshFrom: recovery }),
        );
        this.firewall = new digitalocean.Firewall(
            `${name}-firewall`,
            {
                name: `${n.name}-firewall`,
                dropletIds: [dropletId],
                inboundRules: rules.inbound,
                outboundRules: rules.outbound,
            },
            parent,
        );

        const resources = [this.droplet.dropletUrn, this.reservedIp.reservedIpUrn, this.volume.volumeUrn];
        if (args.projectId === undefined) {
            this.project = new digitalocean.Project(
                `${name}-project`,
                {
                    name: args.project?.name ?? "hydra",
                    purpose: "Web Application",
                    environment: args.project?.environment ?? "Production",
                    description: "Hydra home-server estate",
                    resources,
                },
                parent,
            );
        } else {
            new digitalocean.ProjectResources(`${name}-project-resources`, { project: args.projectId, resources }, parent);
        }

        this.publicIpv4 = this.droplet.ipv4Address;
        this.publicIpv6 = this.droplet.ipv6Address.apply((a) => a || undefined);
        this.nodeAddress = this.reservedIp.ipAddress;
        this.tailnetHostname = pulumi.output(args.tailscale.hostname);
        this.tailnetAddress = pulumi.output(args.tailscale.address);
        this.nomadAddress = pulumi.output(args.nomad.address);

        this.registerOutputs({
            publicIpv4: this.publicIpv4,
            publicIpv6: this.publicIpv6,
            reservedIp: this.nodeAddress,
            tailnetHostname: this.tailnetHostname,
            tailnetAddress: this.tailnetAddress,
            nomadAddress: this.nomadAddress,
        });
    }

    private userDataOptions(
        args: HydraNodeArgs,
        volumeName: string,
        key: string,
        gossip?: string,
        token?: string,
        dropIn?: string,
        tls?: NodeTls,
    ): UserDataOptions {
        const n = args.node;
        return {
            hostname: n.name,
            domain: args.domain,
            adminUser: n.adminUser,
            sshPublicKeys: n.sshPublicKeys,
            timezone: n.timezone,
            locale: n.locale,
            tailscale: { authKey: key, hostname: args.tailscale.hostname, tags: args.tailscale.tags },
            nomad: {
                version: args.nomad.version,
                datacenter: args.nomad.datacenter,
                region: args.nomad.region,
                acl: args.nomad.acl,
                bootstrapToken: token,
                reservedMemoryMb: args.nomad.reservedMemoryMb,
                memoryOversubscription: args.memoryOversubscription,
                ...(args.cluster ? { cluster: { role: args.cluster.role, publicNetwork: args.cluster.publicNetwork, dropIn } } : {}),
                tls,
            },
            consul: args.consul.enabled && gossip ? { version: args.consul.version, gossipKey: gossip } : undefined,
            publicInterface: n.publicInterface,
            dataDir: n.dataDir,
            dataDevice: volumeDevice(volumeName),
            dataFolders: args.dataFolders,
        };
    }

    /**
     * The pasted auth key, or a one-off pre-authorised key minted with the Tailscale API key.
     * A minted key is single-use: it is minted again whenever the droplet is replaced (a
     * keeper over what replaces it), so a new droplet never boots with a spent key.
     */
    private tailnetAuthKey(name: string, ts: TailscaleConfig, bootInputs: pulumi.Input<Record<string, string>>): pulumi.Output<string> {
        if (ts.authKey) {
            return ts.authKey;
        }
        if (!ts.apiKey || !ts.tailnet) {
            // validateConfig guarantees one of the two; this guards direct use of the component.
            throw new Error(`${name}: set tailscaleAuthKey, or tailscaleApiKey with tailscale.tailnet`);
        }
        const provider = new tailscale.Provider(`${name}-tailscale`, { apiKey: ts.apiKey, tailnet: ts.tailnet }, { parent: this });
        const boot = new random.RandomId(`${name}-boot`, { byteLength: 4, keepers: bootInputs }, { parent: this });
        const key = new tailscale.TailnetKey(
            `${name}-auth-key`,
            {
                description: pulumi.interpolate`hydra node ${ts.hostname} boot ${boot.hex}`,
                reusable: false,
                ephemeral: false,
                preauthorized: true,
                // Used once at first boot; a later expiry must not replace the droplet.
                expiry: 24 * 3600,
                recreateIfInvalid: "never",
                tags: ts.tags.length ? ts.tags : undefined,
            },
            // A new boot id is a new droplet: it needs a fresh key.
            { parent: this, provider, replaceOnChanges: ["description"] },
        );
        return pulumi.secret(key.key);
    }
}
