/**
 * Test runner settings: the e2e tests spawn real processes, so they get
 * generous timeouts and at most two files at once on a 2-core machine.
 * The production topology's tests (e2e/topology/) need nginx, redis-server and
 * openssl on the machine, so they are their own leg: `npm run test:topology`
 * (vitest.topology.config.ts). The tests with real software nobody here wrote,
 * fetched on first use (oidc-provider, better-auth, mcp-remote, the Inspector),
 * are another: `npm run test:real` (vitest.real.config.ts), and the load tests
 * a third: `npm run test:load` (vitest.load.config.ts). .ci/run runs each
 * after the main suite.
 */
import { configDefaults, defineConfig } from 'vitest/config';

export const TOPOLOGY_TESTS = 'e2e/topology/**/*.test.ts';

/** The tests that fetch and run real software (e2e/fetched-package.ts, real-as/). */
export const REAL_SOFTWARE_TESTS = [
    'e2e/oidc-provider-story.test.ts',
    'e2e/oidc-provider-static-client.test.ts',
    'e2e/rs-introspection.test.ts',
    'e2e/better-auth-story.test.ts',
    'e2e/mcp-remote.test.ts',
    'e2e/inspector-web.test.ts'
];

/**
 * The load tests: fifty concurrent stories (no token crosses clients) and a flood of 100 000 registrations (the
 * AS's state stays bounded). They hold the AS's and RS's bookkeeping to account under load, and take a third of
 * the suite's time on two cores, so they are their own leg: `npm run test:load` (vitest.load.config.ts).
 */
export const LOAD_TESTS = ['e2e/load.test.ts', 'e2e/as-flood.test.ts'];

/** What every leg shares. */
export const PROCESS_TEST_SETTINGS = { testTimeout: 60_000, hookTimeout: 60_000, maxWorkers: 2, pool: 'forks' } as const;

/** Tests of modules in this process: they start nothing, so they share one worker instead of one fresh worker per file. */
const UNIT_TESTS = 'e2e/unit/**/*.test.ts';

export default defineConfig({
    test: {
        ...PROCESS_TEST_SETTINGS,
        projects: [
            { extends: true, test: { name: 'unit', include: [UNIT_TESTS], isolate: false } },
            { extends: true, test: { name: 'e2e', include: ['e2e/**/*.test.ts'], exclude: [...configDefaults.exclude, UNIT_TESTS, TOPOLOGY_TESTS, ...REAL_SOFTWARE_TESTS, ...LOAD_TESTS] } }
        ]
    }
});
