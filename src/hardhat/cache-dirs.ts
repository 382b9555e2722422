import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** fhekit's per-user cache (`FHE_CACHE_DIR`, else `$XDG_CACHE_HOME/fhekit`, else `~/.cache/fhekit`). */
export function cacheRoot(env: NodeJS.ProcessEnv): string {
  if (env.FHE_CACHE_DIR) return resolve(env.FHE_CACHE_DIR);
  return join(env.XDG_CACHE_HOME ? resolve(env.XDG_CACHE_HOME) : join(homedir(), '.cache'), 'fhekit');
}

/** The keyset Hardhat runs use: `FHE_KEYS_DIR`, else `<cache>/keys` (generated once, shared by projects). */
export function keysDir(env: NodeJS.ProcessEnv): string {
  return env.FHE_KEYS_DIR ? resolve(env.FHE_KEYS_DIR) : join(cacheRoot(env), 'keys');
}
