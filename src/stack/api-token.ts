import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const API_TOKEN_FILE_NAME = 'api-token';

/**
 * The stack's secret for the relayer's clear-text routes: 32 random bytes (hex) in `<stateDir>/api-token`,
 * readable only by the owner (file 0600, state dir 0700), made once and kept across restarts. A request
 * signed for the SDK proves nothing about who sends it; reading this file proves the sender is the local user.
 */
export function ensureApiToken(stateDir: string): string {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  chmodSync(stateDir, 0o700);
  const path = join(stateDir, API_TOKEN_FILE_NAME);
  if (existsSync(path)) {
    chmodSync(path, 0o600);
    const token = readFileSync(path, 'utf8').trim();
    if (/^[0-9a-f]{64}$/.test(token)) return token;
  }
  const token = randomBytes(32).toString('hex');
  writeFileSync(path, `${token}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return token;
}
