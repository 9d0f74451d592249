// Address ranges the estate reasons about, each written down once.

/** Tailscale hands out addresses from the CGNAT range and its own IPv6 ULA prefix. */
export const TAILNET_RANGES = ["100.64.0.0/10", "fd7a:115c:a1e0::/48"] as const;

/** Every address. */
export const ANYWHERE = ["0.0.0.0/0", "::/0"] as const;
