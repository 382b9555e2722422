import { fileURLToPath } from 'node:url';

/** The keyset every test uses; made (once) by test/global-setup.ts. */
export const TEST_KEYS_DIR = fileURLToPath(new URL('../.cache/test-keys', import.meta.url));
