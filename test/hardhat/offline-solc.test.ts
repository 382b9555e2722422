import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createOfflineSolcResolver } from '../../src/hardhat/offline-solc.js';

const bundled = (createRequire(import.meta.url)('solc/package.json') as { version: string }).version;
const noDownload = async () => {
  throw new Error('getaddrinfo ENOTFOUND binaries.soliditylang.org');
};

describe('offline solc', () => {
  const dirs: string[] = [];
  const originalPath = process.env.PATH;
  afterEach(() => {
    process.env.PATH = originalPath;
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const resolver = (said: string[]) => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'fhekit-solc-'));
    dirs.push(cacheDir);
    // A project with no solc of its own and a Hardhat without cached compilers.
    return createOfflineSolcResolver({
      projectRequire: createRequire(join(cacheDir, 'package.json')),
      cacheDir,
      say: (line) => said.push(line),
    });
  };

  it('uses the solc-js build fhekit ships for its version, without downloading, and says so once', async () => {
    const said: string[] = [];
    const resolve = resolver(said);
    const build = await resolve(bundled, noDownload);
    expect(build).toMatchObject({ version: bundled, isSolcJs: true });
    expect(build.longVersion).toMatch(
      new RegExp(`^${bundled.replaceAll('.', '\\.')}\\+commit\\.[0-9a-f]{8}$`),
    );
    expect(build.compilerPath).toMatch(/soljson\.js$/);
    await resolve(bundled, noDownload);
    expect(said).toHaveLength(1);
    expect(said[0]).toContain(`solc ${bundled} cached; compiling with solc-js`);
  });

  it('fails with FHE_SOLC_UNAVAILABLE naming the version when neither download nor npm works', async () => {
    const resolve = resolver([]);
    process.env.PATH = '/nonexistent';
    await expect(resolve('0.8.19', noDownload)).rejects.toMatchObject({
      code: 'FHE_SOLC_UNAVAILABLE',
      hint: expect.stringContaining('solc@0.8.19'),
    });
  });
});
