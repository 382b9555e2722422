import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));
/**
 * Commands and their flag definitions are where the environment is read (each flag's FHE_* variable);
 * the Hardhat plugin's entry is its command layer (it has no flags, only FHE_* variables).
 */
const COMMAND_LAYER = ['commands/', 'cli/', 'hardhat/index.ts'];
/**
 * The one process-wide setting read below the command layer: `FHE_KERNEL` picks the PBS kernels for
 * every evaluator and worker thread of the process (like UV_THREADPOOL_SIZE for libuv), so the suite,
 * the benches and every command agree without each threading it through (`FHE_KERNEL=wasm npm test`).
 */
const PROCESS_SETTINGS = [{ file: 'engine/kernels.ts', variable: 'FHE_KERNEL' }];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('configuration comes from the command layer', () => {
  it('library modules read no environment variables (they get options, e.g. a logger, from the command)', () => {
    const reads = sourceFiles(SRC)
      .map((path) => relative(SRC, path))
      .filter((file) => !COMMAND_LAYER.some((layer) => file.startsWith(layer)))
      .flatMap((file) =>
        readFileSync(join(SRC, file), 'utf8')
          .split('\n')
          .map((line, index) => ({ file, line: index + 1, text: line.trim() }))
          // Handing the environment on to a child process as a whole is not reading configuration.
          .filter(({ text }) => /process\.env\b/.test(text) && !/\.\.\.process\.env\b/.test(text))
          .filter(
            ({ text }) =>
              !PROCESS_SETTINGS.some(
                (setting) => setting.file === file && text.includes(`process.env.${setting.variable}`),
              ),
          ),
      );
    expect(reads).toEqual([]);
  });
});
