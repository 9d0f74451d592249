// The type tokens of the estate's components, `hydra:<area>:<Name>`; written once, used by code and tests.
export const TYPE_TOKENS = {
    app: "hydra:app:HydraApp",
    job: "hydra:app:NomadService",
    proxy: "hydra:proxy:CaddyProxy",
    dns: "hydra:dns:HydraDns",
    node: "hydra:node:HydraNode",
    cluster: "hydra:node:HydraCluster",
    access: "hydra:nomad:NomadAccess",
} as const;

/** The resource types the estate registers and its tools (render, the policy pack, tests) look for. */
export const RESOURCE_TYPES = {
    firewall: "digitalocean:index/firewall:Firewall",
    droplet: "digitalocean:index/droplet:Droplet",
    reservedIp: "digitalocean:index/reservedIp:ReservedIp",
    volume: "digitalocean:index/volume:Volume",
    sshKey: "digitalocean:index/sshKey:SshKey",
    zone: "cloudflare:index/zone:Zone",
    zoneSetting: "cloudflare:index/zoneSetting:ZoneSetting",
    dnsRecord: "cloudflare:index/dnsRecord:DnsRecord",
    nomadJob: "pulumi-nodejs:dynamic/nomad:NomadJob",
    nomadVariable: "pulumi-nodejs:dynamic/nomad:NomadVariable",
    nomadNamespace: "pulumi-nodejs:dynamic/nomad:NomadNamespace",
    nomadAclPolicy: "pulumi-nodejs:dynamic/nomad:NomadAclPolicy",
    nomadAclToken: "pulumi-nodejs:dynamic/nomad:NomadAclToken",
    randomPassword: "random:index/randomPassword:RandomPassword",
    randomId: "random:index/randomId:RandomId",
    tailnetKey: "tailscale:index/tailnetKey:TailnetKey",
} as const;
