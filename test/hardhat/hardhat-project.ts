import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { TEST_KEYS_DIR } from '../test-keys.js';

/** A real Hardhat project whose config loads the plugin from its TypeScript sources. */
export const HARDHAT_PROJECT = fileURLToPath(new URL('./project/', import.meta.url));
const HARDHAT_CLI = join(
  dirname(createRequire(import.meta.url).resolve('hardhat/package.json')),
  'internal/cli/cli.js',
);

/**
 * `hardhat test` in HARDHAT_PROJECT with the shared test keyset: whether it passed and its output (a
 * failing run keeps its output, so the caller's assertions show it).
 */
export function hardhatTest(
  cacheDir: string,
  env: Record<string, string> = {},
): Promise<{ ok: boolean; out: string }> {
  return promisify(execFile)(process.execPath, ['--import', 'tsx', HARDHAT_CLI, 'test'], {
    cwd: HARDHAT_PROJECT,
    env: { ...process.env, FHE_KEYS_DIR: TEST_KEYS_DIR, FHE_CACHE_DIR: cacheDir, ...env },
    timeout: 1_400_000,
    maxBuffer: 16 * 1024 * 1024,
  }).then(
    (result) => ({ ok: true, out: result.stdout }),
    (error: { stdout?: string; stderr?: string }) => ({
      ok: false,
      out: `${error.stdout ?? ''}\n${error.stderr ?? ''}`,
    }),
  );
}
