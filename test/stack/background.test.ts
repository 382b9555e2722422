import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startStackInBackground, stopBackgroundStack } from '../../src/stack/background.js';

/**
 * Stands in for `fhe dev up` in the detached child: publishes its stack record and waits, unless it
 * was told to background itself again (what a real `fhe dev up` does when it sees FHE_BACKGROUND).
 */
const CHILD = `
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
const stateDir = process.argv[2];
if (process.env.FHE_BACKGROUND) {
  console.log('FHE_BACKGROUND reached the detached child: it would detach once more');
  process.exit(3);
}
const record = { pid: process.pid, startedAt: new Date().toISOString(), rpcUrl: 'http://127.0.0.1:1',
  apiUrl: 'http://127.0.0.1:2', chainId: 31337, addresses: {} };
writeFileSync(join(stateDir, 'stack.json'), JSON.stringify(record));
setTimeout(() => {}, 60_000);
`;

describe('startStackInBackground', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'fhekit-background-'));
  const saved = process.env.FHE_BACKGROUND;
  afterEach(async () => {
    if (saved === undefined) delete process.env.FHE_BACKGROUND;
    else process.env.FHE_BACKGROUND = saved;
    await stopBackgroundStack(stateDir);
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('runs the child in the foreground even when FHE_BACKGROUND=1 started the parent', async () => {
    const script = join(stateDir, 'child.mjs');
    writeFileSync(script, CHILD);
    process.env.FHE_BACKGROUND = '1';
    const record = await startStackInBackground({ stateDir, command: [script, stateDir], timeoutMs: 20_000 });
    expect(record.chainId).toBe(31337);
  });
});
