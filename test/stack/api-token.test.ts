import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureApiToken } from '../../src/stack/api-token.js';
import { stateDirLayout } from '../../src/state-dir.js';

describe('ensureApiToken', () => {
  const base = mkdtempSync(join(tmpdir(), 'fhekit-api-token-'));
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('writes a random 32-byte token readable only by the owner, and reads the same one back', () => {
    const stateDir = join(base, 'state');
    const path = stateDirLayout(stateDir).apiToken;
    const token = ensureApiToken(path);
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(stateDir).mode & 0o777).toBe(0o700);
    expect(readFileSync(path, 'utf8').trim()).toBe(token);
    expect(ensureApiToken(path)).toBe(token);
    expect(ensureApiToken(stateDirLayout(join(base, 'other')).apiToken)).not.toBe(token);
  });

  it('tightens loose permissions and replaces a malformed token', () => {
    const stateDir = join(base, 'loose');
    const path = stateDirLayout(stateDir).apiToken;
    const token = ensureApiToken(path);
    chmodSync(path, 0o644);
    chmodSync(stateDir, 0o755);
    expect(ensureApiToken(path)).toBe(token);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(stateDir).mode & 0o777).toBe(0o700);
    writeFileSync(path, 'guessable');
    expect(ensureApiToken(path)).toMatch(/^[0-9a-f]{64}$/);
  });
});
