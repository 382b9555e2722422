import { ensureKeyset } from '../src/keys/ensure-keyset.js';
import { TEST_KEYS_DIR } from './test-keys.js';

/**
 * One keyset per checkout for the whole test run, cached in a git-ignored folder: generating it
 * (mostly the CRS) takes about a minute, reusing it takes a sha256 pass.
 */
export default async function setup() {
  const started = Date.now();
  const result = await ensureKeyset({ dir: TEST_KEYS_DIR });
  if (!result.reused) console.log(`test keyset generated in ${((Date.now() - started) / 1000).toFixed(1)}s`);
}
