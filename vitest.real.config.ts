/**
 * `npm run test:real`: only the tests that run real software nobody here wrote —
 * oidc-provider and better-auth in demo-as's place, mcp-remote and the MCP
 * Inspector as clients — each fetched, pinned, on first use. Same timeouts and
 * workers as the main suite.
 */
import { defineConfig } from 'vitest/config';
import { PROCESS_TEST_SETTINGS, REAL_SOFTWARE_TESTS } from './vitest.config.ts';

export default defineConfig({ test: { include: REAL_SOFTWARE_TESTS, ...PROCESS_TEST_SETTINGS } });
