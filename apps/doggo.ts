import { defineApp } from "./app";

export const doggo = defineApp({
    name: "doggo",
    description: "DNS lookups on the web (doggo's API and UI), public",
    settings: { hostname: "doggo", image: "ghcr.io/mr-karan/doggo-api:v0.3.7" },
    jobs(ctx) {
        return [
            {
                name: "doggo",
                tasks: [{ name: "web", image: ctx.image(), resources: { cpu: 100, memoryMb: 64 } }],
                ports: [{ label: "http", to: 8080 }],
                services: [{ name: "doggo-web", port: "http", check: { type: "tcp" } }],
                routes: [{ hostname: ctx.hostname(), visibility: "public", port: "http" }],
            },
        ];
    },
});
