// The estate's shared rules, each in one place: config, job checks and the policy pack all use these.
import * as assert from "assert";
import { imageProblem, isTailnetAddress, secretTemplate, variablePath } from "../vocabulary";

const DIGEST = "sha256:" + "a".repeat(64);

describe("vocabulary: the image-pin rule", () => {
    it("accepts version tags and sha256/sha512 digests", () => {
        for (const i of [
            "nginx:1.27.2",
            "ghcr.io/mr-karan/doggo-api:v0.3.7",
            "registry.local:5000/team/app:2025.08.0",
            `nginx@${DIGEST}`,
            `nginx:1.27@${DIGEST}`,
            `nginx@sha512:${"b".repeat(128)}`,
        ]) {
            assert.strictEqual(imageProblem(i), undefined, i);
        }
    });

    it("refuses latest in any case, untagged, malformed and interpolated references", () => {
        assert.match(imageProblem("nginx:latest")!, /^image "nginx:latest" uses the "latest" tag/);
        assert.match(imageProblem("nginx:LATEST")!, /uses the "latest" tag/);
        assert.match(imageProblem("nginx")!, /^image "nginx" has no tag, which means "latest"/);
        assert.match(imageProblem("registry.local:5000/nginx")!, /has no tag/);
        assert.match(imageProblem("nginx@sha256:abc")!, /malformed digest/);
        assert.match(imageProblem(`nginx@sha1:${"a".repeat(40)}`)!, /malformed digest/);
        assert.match(imageProblem("nginx:-bad")!, /malformed tag/);
        assert.match(imageProblem("${NOMAD_META_image}")!, /interpolated when the job runs/);
        assert.match(imageProblem("nginx 1.2")!, /whitespace/);
        assert.strictEqual(imageProblem(""), "has no image");
        assert.strictEqual(imageProblem(undefined), "has no image");
    });
});

describe("vocabulary: the tailnet's ranges", () => {
    it("holds Tailscale's CGNAT range and its IPv6 prefix, and nothing else", () => {
        for (const a of ["100.64.0.0", "100.101.102.103", "100.127.255.255", "fd7a:115c:a1e0::1", "FD7A:115C:A1E0:ab12::5"]) {
            assert.ok(isTailnetAddress(a), a);
        }
        for (const a of ["100.63.255.255", "100.128.0.1", "203.0.113.10", "10.0.0.1", "fd7a:115c:a1e1::1", "not-an-address", ""]) {
            assert.ok(!isTailnetAddress(a), a);
        }
    });
});

describe("vocabulary: variables and templates", () => {
    it("reads a job's secret from its own variable, by reference", () => {
        assert.strictEqual(variablePath("gitea"), "nomad/jobs/gitea");
        assert.strictEqual(secretTemplate("gitea", "secret_key"), '{{ with nomadVar "nomad/jobs/gitea" }}{{ .secret_key.Value }}{{ end }}');
        assert.throws(() => secretTemplate("gitea", "secret-key"), /must be a template identifier/);
    });
});
