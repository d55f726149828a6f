// Lint rules that catch the mistakes a reviewer would otherwise have to: floating promises in
// Pulumi programs and runbooks, `any` leaking across module boundaries, tests switched off.
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/**", "dist/**", "out/**", "bin/**", "eslint.config.mjs"] },
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/explicit-module-boundary-types": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "no-restricted-properties": [
        "error",
        { object: "it", property: "skip", message: "A missing tool must fail with the package name, not skip." },
        { object: "it", property: "only", message: "Do not commit focused tests." },
        { object: "describe", property: "skip", message: "A missing tool must fail with the package name, not skip." },
        { object: "describe", property: "only", message: "Do not commit focused tests." },
        { object: "test", property: "skip", message: "A missing tool must fail with the package name, not skip." }
      ]
    }
  },
  {
    // Renderers in the brief's backup/ and monitoring/ folders are pure: they never import a Pulumi component
    // back (the components import them). Types are fine: they vanish at run time.
    files: ["backup/**/*.ts", "monitoring/**/*.ts"],
    ignores: ["**/*.test.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": ["error", {
        patterns: [{ group: ["**/component", "**/platform", "**/program", "**/tiers/component-registry", "@pulumi/*"], allowTypeImports: true, message: "backup/ and monitoring/ hold pure renderers: import no Pulumi component or SDK (types only)." }],
      }],
    },
  },
  {
    files: ["**/*.test.ts", "test/**/*.ts", "bench/**/*.ts"],
    rules: { "@typescript-eslint/explicit-module-boundary-types": "off" }
  }
);
