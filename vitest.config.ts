/**
 * Test runner settings: the e2e tests spawn real processes, so they get
 * generous timeouts and at most two files at once on a 2-core machine.
 * The production topology's tests (e2e/topology/) need nginx, redis-server and
 * openssl on the machine, so they are their own leg: `npm run test:topology`
 * (vitest.topology.config.ts), run by .ci/run after the main suite.
 */
import { configDefaults, defineConfig } from 'vitest/config';

export const TOPOLOGY_TESTS = 'e2e/topology/**/*.test.ts';

/** What both legs share. */
export const PROCESS_TEST_SETTINGS = { testTimeout: 60_000, hookTimeout: 60_000, maxWorkers: 2, pool: 'forks' } as const;

export default defineConfig({
    test: {
        include: ['e2e/**/*.test.ts'],
        exclude: [...configDefaults.exclude, TOPOLOGY_TESTS],
        ...PROCESS_TEST_SETTINGS
    }
});
