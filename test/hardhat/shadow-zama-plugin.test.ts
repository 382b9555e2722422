import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FhevmType } from '../../src/hardhat/fhevm-types.js';
import { shadowZamaPlugin } from '../../src/hardhat/shadow-zama-plugin.js';

/** A project with a stand-in @fhevm/hardhat-plugin whose loading is observable (a global flag). */
function projectWithZamaPlugin(): { dir: string; require: NodeJS.Require } {
  const dir = mkdtempSync(join(tmpdir(), 'fhekit-shadow-'));
  const pkg = join(dir, 'node_modules/@fhevm/hardhat-plugin');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(
    join(pkg, 'package.json'),
    JSON.stringify({ name: '@fhevm/hardhat-plugin', main: 'index.js' }),
  );
  writeFileSync(
    join(pkg, 'index.js'),
    'globalThis.zamaPluginLoaded = true; exports.FhevmType = { ebool: 0 };',
  );
  writeFileSync(join(dir, 'package.json'), '{}');
  return { dir, require: createRequire(join(dir, 'package.json')) };
}

describe('shadowZamaPlugin', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    delete (globalThis as { zamaPluginLoaded?: boolean }).zamaPluginLoaded;
  });

  it('makes later imports of @fhevm/hardhat-plugin return fhekit exports without loading it', () => {
    const project = projectWithZamaPlugin();
    dirs.push(project.dir);
    expect(shadowZamaPlugin(project.require, { FhevmType })).toBe(true);
    const imported = project.require('@fhevm/hardhat-plugin') as { FhevmType: typeof FhevmType };
    expect(imported.FhevmType).toBe(FhevmType);
    expect(imported.FhevmType.euint32).toBe(4);
    expect((globalThis as { zamaPluginLoaded?: boolean }).zamaPluginLoaded).toBeUndefined();
    // Loading fhekit/hardhat twice (e.g. a second hre in one process) keeps the shadow.
    expect(shadowZamaPlugin(project.require, { FhevmType })).toBe(true);
  });

  it('refuses with FHE_ZAMA_PLUGIN_LOADED when the Zama plugin already ran', () => {
    const project = projectWithZamaPlugin();
    dirs.push(project.dir);
    project.require('@fhevm/hardhat-plugin');
    expect(() => shadowZamaPlugin(project.require, { FhevmType })).toThrow(
      expect.objectContaining({
        code: 'FHE_ZAMA_PLUGIN_LOADED',
        hint: expect.stringContaining('fhekit/hardhat'),
      }),
    );
  });

  it('does nothing when the Zama plugin is not installed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fhekit-shadow-'));
    dirs.push(dir);
    expect(shadowZamaPlugin(createRequire(join(dir, 'package.json')), { FhevmType })).toBe(false);
  });
});
