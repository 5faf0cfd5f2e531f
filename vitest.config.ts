import { defineConfig } from 'vitest/config';

// Native modules (sharp, onnxruntime) are safest in child processes, and these machines have 2 cores.
export default defineConfig({
  test: {
    pool: 'forks',
    projects: [
      { test: { name: 'shared', include: ['shared/test/**/*.test.ts'] } },
      {
        test: {
          name: 'plugin-core',
          include: ['plugins/core/test/**/*.test.ts'],
          // Sign-in and sign-out run against the real backend (PostgreSQL, Redis).
          globalSetup: ['backend/test/support/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: 'backend',
          include: ['backend/test/**/*.test.ts'],
          globalSetup: ['backend/test/support/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['e2e/**/*.test.ts'],
          globalSetup: ['backend/test/support/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: 'adobe-express',
          include: ['plugins/adobe-express/test/**/*.test.ts'],
          // The panel's browser tests talk to the real backend (PostgreSQL, Redis).
          globalSetup: ['backend/test/support/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: 'figma',
          include: ['plugins/figma/test/**/*.test.ts'],
          globalSetup: ['backend/test/support/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: 'gpu-worker',
          include: ['gpu-worker/test/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
