// `npm run build`, after tsc: serializes the compiled providers once (see ./provider-code).
import { nomadAclPolicyProvider, nomadAclTokenProvider, nomadNamespaceProvider } from "./acl-provider";
import { nomadJobProvider } from "./job-provider";
import { writeProviderCode } from "./provider-code";
import { nomadVariableProvider } from "./variable-provider";

// Only the compiled providers: the texts must be those of the modules they sit next to.
if (!__filename.endsWith(".js")) {
    throw new Error("run the compiled bin/nomad/write-provider-code.js (npm run build)");
}
writeProviderCode(__dirname, {
    job: ["NomadJob", nomadJobProvider],
    variable: ["NomadVariable", nomadVariableProvider],
    namespace: ["NomadNamespace", nomadNamespaceProvider],
    aclPolicy: ["NomadAclPolicy", nomadAclPolicyProvider],
    aclToken: ["NomadAclToken", nomadAclTokenProvider],
}).catch((e: unknown) => {
    console.error(e);
    process.exit(1);
});
