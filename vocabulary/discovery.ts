// Service discovery: Nomad's own (the default) or Consul's, as templates see it.

export type ServiceProvider = "nomad" | "consul";

/** The template function that lists a service's instances. */
export function discoveryFunction(provider: ServiceProvider): string {
    return provider === "consul" ? "service" : "nomadService";
}
