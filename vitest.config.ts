import { defineConfig } from 'vitest/config';

// Two suites: the fast default one (Bool/8/16-bit FHE, chain, store, API), and the opt-in
// `wide` one (32-bit and wider FHE cases, minutes each) run by `npm run test:wide`.
export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 600_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'fast',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['**/*.wide.test.ts'],
        },
      },
      {
        extends: true,
        test: { name: 'wide', include: ['src/**/*.wide.test.ts', 'test/**/*.wide.test.ts'] },
      },
    ],
  },
});
