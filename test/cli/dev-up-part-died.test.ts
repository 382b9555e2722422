import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_KEYS_DIR } from '../test-keys.js';

const FHE = new URL('../../bin/dev.js', import.meta.url).pathname;

/** The pid of the anvil whose command line names this state dir. */
function anvilOf(stateDir: string): number | undefined {
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes('anvil') && cmdline.includes(stateDir)) return Number(entry);
    } catch {
      // the process ended meanwhile
    }
  }
  return undefined;
}

describe('fhe dev up when a part dies', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'fhekit-part-died-'));
  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

  it('exits non-zero within seconds of its anvil being killed, naming the part and the cause', async () => {
    const args = ['dev', 'up', '--state-dir', stateDir, '--keys-dir', TEST_KEYS_DIR];
    const ports = ['--rpc-port', '0', '--api-port', '0', '--metrics-port', '0'];
    const child = spawn(process.execPath, [FHE, ...args, ...ports], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const readyBy = Date.now() + 120_000;
      while (!output.includes('fhekit stack ready') && Date.now() < readyBy) {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(output).toContain('fhekit stack ready');
      const anvil = anvilOf(stateDir);
      expect(anvil).toBeDefined();

      process.kill(anvil!, 'SIGKILL');
      const killedAt = Date.now();
      const code = await Promise.race([
        exited,
        new Promise((resolve) => setTimeout(() => resolve('still running'), 15_000)),
      ]);
      expect(code).not.toBe('still running');
      expect(code).not.toBe(0);
      expect(Date.now() - killedAt).toBeLessThan(15_000);
      expect(output).toContain('FHE_STACK_PART_DIED');
      // oclif wraps long error lines: compare with the wrapping undone.
      const flat = output.replace(/\s*\n\s*›?\s*/g, ' ');
      expect(flat).toMatch(/anvil stopped unexpectedly: anvil exited \(signal SIGKILL\)/);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
