// One enforced style: Prettier formats, ESLint checks what formatting cannot.
import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import importX from "eslint-plugin-import-x";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/", "bin/", "out/", ".tools/", ".pulumi-local/", ".nomad-dev/", "test/snapshots/", "**/*.js", "**/*.mjs"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    prettier,
    {
        files: ["**/*.ts"],
        plugins: { "import-x": importX },
        settings: {
            "import-x/extensions": [".ts"],
            "import-x/parsers": { "@typescript-eslint/parser": [".ts"] },
            "import-x/resolver": { node: { extensions: [".ts", ".js", ".json"] } },
        },
        rules: {
            curly: ["error", "all"],
            "max-lines": ["error", { max: 400, skipBlankLines: false, skipComments: false }],
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
            "import-x/no-cycle": ["error", { ignoreExternal: true }],
        },
    },
    {
        // These read the engine's and the SDK's untyped property bags and internal modules on purpose.
        files: ["render/mockRuntime.ts", "render/renderStack.ts", "policy/adapt.ts", "test/**/*.ts", "testkit/**/*.ts", "bench/**/*.ts"],
        rules: { "@typescript-eslint/no-explicit-any": "off", "@typescript-eslint/no-require-imports": "off" },
    },
);
