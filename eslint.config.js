import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', '.bankops/**', 'dist/**', 'coverage/**', 'grafana/dashboards/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { files: ['**/*.cjs'], languageOptions: { sourceType: 'commonjs', globals: { module: 'writable' } } },
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration through src/config only.' },
      ],
      // pino serializes an error's message, stack and cause only under `err`: `{ error }` prints "{}"
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "CallExpression[callee.property.name=/^(trace|debug|info|warn|error|fatal)$/] > ObjectExpression > Property[key.name='error']",
          message: 'Log an error under `err` (pino drops the message and stack of anything else).',
        },
      ],
    },
  },
  {
    files: ['src/config/**/*.ts', 'tests/**/*.ts', 'benchmarks/**/*.ts', 'vitest.config.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  // The Kafka client lives behind src/kafka, so that swapping it (or adding SASL/TLS) touches one folder.
  {
    files: ['**/*.{ts,js}'],
    ignores: [
      'src/kafka/**',
      // Tests of kafkajs itself: the broker speaks its protocol versions; our partitioner matches its own.
      'tests/integration/kafka.test.ts',
      'tests/unit/kafka-partition.test.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'kafkajs', message: 'Use src/kafka (the only user of the Kafka client).' }],
          patterns: [
            {
              group: ['**/kafka/kafkajs.js'],
              message: 'The kafkajs client behind a KafkaClient handle is for src/kafka only.',
            },
          ],
        },
      ],
    },
  },
);
