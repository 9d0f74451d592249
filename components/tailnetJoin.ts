// The bootstrap's tailnet part: join once with the one-off key, never block the boot forever.

export const TAILNET_INTERFACE = "tailscale0";
export const AUTH_KEY_FILE = "/etc/hydra/tailscale-authkey";
/** How long `tailscale up` may wait for the node to be running on the tailnet. */
export const JOIN_TIMEOUT_SECONDS = 180;

export interface TailnetJoinOptions {
    hostname: string;
    /** ACL tags to advertise: a tagged node's key does not expire (an untagged one's does after 180 days). */
    tags: string[];
}

/** The `tailscale up` command line; the key is read from a root-only file, never from the command line. */
export function tailscaleUpCommand(o: TailnetJoinOptions): string {
    return [
        "tailscale up",
        `--auth-key="file:${AUTH_KEY_FILE}"`,
        `--hostname=${o.hostname}`,
        // Tagged, so the node key does not expire and the node belongs to the tag, not a user.
        ...(o.tags.length ? [`--advertise-tags=${o.tags.join(",")}`] : []),
        // Pi-hole answers DNS on this node; the tailnet's DNS settings must not take over its resolver.
        "--accept-dns=false",
        // Without a timeout, `up` waits forever (for a spent key, or a tag the key may not use).
        `--timeout=${JOIN_TIMEOUT_SECONDS}s`,
    ].join(" ");
}

/** Joins the tailnet, or says loudly in the boot log why the node is unreachable and how to get in. */
export function tailnetJoinScript(o: TailnetJoinOptions): string {
    return `systemctl enable --now tailscaled
if ! ${tailscaleUpCommand(o)}; then
  log "FAILED to join the tailnet within ${JOIN_TIMEOUT_SECONDS}s: this node is not reachable over Tailscale."
  log "The auth key may be spent or expired, or its tags not allowed; see 'tailscale status' and the README's 'Recovery: when the tailnet join fails'."
  # The key file stays (root only) so an admin can retry: sudo /usr/local/sbin/hydra-bootstrap
  exit 1
fi
# Joined: the one-off key is spent, forget it.
shred -u "${AUTH_KEY_FILE}"
log "joined the tailnet as ${o.hostname} ($(tailscale ip -4 | head -n 1))"`;
}
