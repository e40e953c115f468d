// ESLint (flat config) for the web app and the JavaScript tests; `make lint` runs it with
// prettier --check (.prettierrc), which owns the layout: no style rules here.
import js from '@eslint/js';
import vue from 'eslint-plugin-vue';
import globals from 'globals';

export default [
  { ignores: ['web/dist/**', 'node_modules/**', 'build/**'] },
  js.configs.recommended,
  ...vue.configs['flat/recommended'],
  {
    files: ['web/**/*.{js,mjs,vue}'],
    languageOptions: { ecmaVersion: 2024, sourceType: 'module', globals: { ...globals.browser } },
  },
  // Build scripts of the web app run on Node.
  {
    files: ['web/*.mjs', 'eslint.config.mjs'],
    languageOptions: { globals: { ...globals.node } },
  },
  // The API and browser tests: CommonJS on Node; page.evaluate() bodies run in the page.
  {
    files: ['tests/**/*.js', 'bench/**/*.js'],
    languageOptions: {
      ecmaVersion: 2024,
      sourceType: 'commonjs',
      globals: { ...globals.node, ...globals.browser },
    },
  },
  {
    rules: {
      'no-unused-vars': ['error', { args: 'none', caughtErrors: 'none', ignoreRestSiblings: true }],
      'no-empty': ['error', { allowEmptyCatch: true }],
      // Layout is prettier's; these presentation rules of the Vue preset would fight it.
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/multiline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'vue/html-indent': 'off',
      'vue/html-closing-bracket-newline': 'off',
      'vue/first-attribute-linebreak': 'off',
      'vue/attributes-order': 'off',
      // Page components are named after their page (Lab, Audit): one word is the house name.
      'vue/multi-word-component-names': 'off',
      // An optional string prop without a default is undefined, which the templates handle.
      'vue/require-default-prop': 'off',
    },
  },
];
