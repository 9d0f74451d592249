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
                // The API's own health route (mr-karan/doggo: cmd/api/api.go, GET /api/ping/).
                services: [{ name: "doggo-web", port: "http", check: { type: "http", path: "/api/ping/" } }],
                routes: [{ hostname: ctx.hostname(), visibility: "public", port: "http" }],
            },
        ];
    },
});
