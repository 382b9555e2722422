import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { API_TOKEN_FILE_NAME, ensureApiToken } from '../../src/stack/api-token.js';

describe('ensureApiToken', () => {
  const base = mkdtempSync(join(tmpdir(), 'fhekit-api-token-'));
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('writes a random 32-byte token readable only by the owner, and reads the same one back', () => {
    const stateDir = join(base, 'state');
    const token = ensureApiToken(stateDir);
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    const path = join(stateDir, API_TOKEN_FILE_NAME);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(stateDir).mode & 0o777).toBe(0o700);
    expect(readFileSync(path, 'utf8').trim()).toBe(token);
    expect(ensureApiToken(stateDir)).toBe(token);
    expect(ensureApiToken(join(base, 'other'))).not.toBe(token);
  });

  it('tightens loose permissions and replaces a malformed token', () => {
    const stateDir = join(base, 'loose');
    const token = ensureApiToken(stateDir);
    const path = join(stateDir, API_TOKEN_FILE_NAME);
    chmodSync(path, 0o644);
    chmodSync(stateDir, 0o755);
    expect(ensureApiToken(stateDir)).toBe(token);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(stateDir).mode & 0o777).toBe(0o700);
    writeFileSync(path, 'guessable');
    expect(ensureApiToken(stateDir)).toMatch(/^[0-9a-f]{64}$/);
  });
});
