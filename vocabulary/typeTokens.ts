// The type tokens of the estate's components, `hydra:<area>:<Name>`; written once, used by code and tests.
export const TYPE_TOKENS = {
    app: "hydra:app:HydraApp",
    job: "hydra:app:NomadService",
    proxy: "hydra:proxy:CaddyProxy",
    dns: "hydra:dns:HydraDns",
    node: "hydra:node:HydraNode",
} as const;
