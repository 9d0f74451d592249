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
    job: nomadJobProvider,
    variable: nomadVariableProvider,
    namespace: nomadNamespaceProvider,
    aclPolicy: nomadAclPolicyProvider,
    aclToken: nomadAclTokenProvider,
}).catch((e: unknown) => {
    console.error(e);
    process.exit(1);
});
