// ESLint with typescript-eslint's type-checked rules over the sources, tests, benches and the page (web/) (`make lint`, which
// `make test` runs). A rule turned off or changed below says why on its line.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "build/**", "node_modules/**", "shim/**", "scripts/**", "eslint.config.js"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    files: ["**/*.ts"],
    languageOptions: {
      parserOptions: { project: "./tsconfig.json", tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // node:test's test()/describe()/it() return promises that the runner itself awaits and reports.
      "@typescript-eslint/no-floating-promises": [
        "error",
        { allowForKnownSafeCalls: [{ from: "package", package: "node:test", name: ["test", "describe", "it", "suite"] }] },
      ],
      // A caught error is passed on as it came (it is an Error in practice, but typed unknown).
      "@typescript-eslint/prefer-promise-reject-errors": ["error", { allowThrowingUnknown: true }],
      // A `let` read by a closure made before its one assignment (a callback wired before the object it calls exists).
      "prefer-const": ["error", { ignoreReadBeforeAssign: true }],
      // Off: an async method without await is how a promise-returning interface method is written synchronously
      // (a throw becomes a rejection instead of escaping the caller), which the fakes and in-memory stores need.
      "@typescript-eslint/require-await": "off",
      // A leading underscore marks a binding kept on purpose (a destructured field left out of a copy, a parameter an
      // interface requires); tsc's noUnusedLocals/noUnusedParameters catch the rest.
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
    },
  },
  // The page (web/) is type-checked against the DOM by its own tsconfig.
  {
    files: ["web/**/*.ts"],
    languageOptions: {
      parserOptions: { project: "./web/tsconfig.json", tsconfigRootDir: import.meta.dirname },
    },
  },
);
