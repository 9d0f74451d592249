/** Who may reach a route: the internet (through the public proxy) or the tailnet only. */
export type Visibility = "public" | "internal";

/** Nomad host networks the node defines: the tailnet, or the public interface. */
export type HostNetwork = "tailscale" | "public";
