import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The stack's secret for the relayer's clear-text routes: 32 random bytes (hex) in the state dir's `api-token`,
 * readable only by the owner (file 0600, state dir 0700), made once and kept across restarts. A request
 * signed for the SDK proves nothing about who sends it; reading this file proves the sender is the local user.
 */
export function ensureApiToken(path: string): string {
  const stateDir = dirname(path);
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  chmodSync(stateDir, 0o700);
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
