/**
 * `npm run test:load`: only the load tests (LOAD_TESTS in vitest.config.ts) — fifty
 * concurrent stories and a registration flood against the real AS and RS. Same
 * timeouts and workers as the main suite.
 */
import { defineConfig } from 'vitest/config';
import { LOAD_TESTS, PROCESS_TEST_SETTINGS } from './vitest.config.ts';

export default defineConfig({ test: { include: LOAD_TESTS, ...PROCESS_TEST_SETTINGS } });
