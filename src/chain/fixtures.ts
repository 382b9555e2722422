import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CompileResult, compileSolidity } from './solidity.js';

/** fhekit's package root (where `fixtures/` ships), from `src/chain/` or the built `dist/src/chain/`. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!isFhekitRoot(dir)) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('fhekit package root not found above its own module');
    dir = parent;
  }
  return dir;
}

function isFhekitRoot(dir: string): boolean {
  const manifest = join(dir, 'package.json');
  return (
    existsSync(manifest) &&
    (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'fhekit'
  );
}

export const FIXTURE_CONTRACTS_DIR = join(packageRoot(), 'fixtures', 'contracts');

/**
 * Compiles the shipped test contracts: `HandleOps` (every FHEVMExecutor operation, every type) and
 * `ConfidentialToken` (ERC-7984-style transfers). Cached under `cacheDir` when given.
 */
export function compileFixtureContracts(cacheDir?: string): Promise<CompileResult> {
  const files = readdirSync(FIXTURE_CONTRACTS_DIR)
    .filter((name) => name.endsWith('.sol'))
    .sort()
    .map((name) => join('contracts', name));
  return compileSolidity(files, { baseDir: join(packageRoot(), 'fixtures'), cacheDir });
}
