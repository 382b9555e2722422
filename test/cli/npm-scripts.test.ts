import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Runs an npm script in its own process group, killed whole after `timeoutMs` (no benchmark left running). */
function npmRun(args: string[], timeoutMs: number): Promise<{ code: number | null; stderr: string }> {
  const child = spawn('npm', ['run', ...args], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), timeoutMs);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe('npm scripts', () => {
  it('`npm run bench -- <options>` hands the options to the benchmark', async () => {
    // An unknown option makes the benchmark's strict parser stop before any timing starts.
    const { code, stderr } = await npmRun(['bench', '--', '--no-such-option'], 60_000);
    expect(stderr).toContain("Unknown option '--no-such-option'");
    expect(code).not.toBe(0);
  }, 90_000);
});
