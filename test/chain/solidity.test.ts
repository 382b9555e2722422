import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileFixtureContracts } from '../../src/chain/fixtures.js';
import { compileSolidity, pickContract } from '../../src/chain/solidity.js';
import { FhekitError } from '../../src/errors.js';
import { SOLC_CACHE_DIR } from './fixture-chain.js';

const dir = mkdtempSync(join(tmpdir(), 'fhekit-solc-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('compileSolidity', () => {
  it('compiles the fixtures (importing @fhevm/solidity) under the 24 KB code size limit', async () => {
    const result = await compileFixtureContracts(SOLC_CACHE_DIR);
    expect([...result.contracts.keys()].sort()).toEqual(['ConfidentialToken', 'EncryptedERC20', 'HandleOps']);
    for (const contract of result.contracts.values()) {
      expect(contract.bytecode.startsWith('0x60')).toBe(true);
      expect((contract.deployedBytecode.length - 2) / 2).toBeLessThan(24_576);
    }
  });

  it('serves a second compile from the cache, and recompiles when an imported file changes', async () => {
    const cacheDir = join(dir, 'cache');
    writeFileSync(
      join(dir, 'Lib.sol'),
      'pragma solidity ^0.8.24; library Lib { function one() internal pure returns (uint) { return 1; } }',
    );
    writeFileSync(
      join(dir, 'Main.sol'),
      'pragma solidity ^0.8.24; import "./Lib.sol"; contract Main { function f() external pure returns (uint) { return Lib.one(); } }',
    );
    const first = await compileSolidity(['Main.sol'], { baseDir: dir, cacheDir });
    const second = await compileSolidity(['Main.sol'], { baseDir: dir, cacheDir });
    expect([first.fromCache, second.fromCache]).toEqual([false, true]);
    expect(pickContract(second, 'Main')).toEqual(pickContract(first, 'Main'));

    writeFileSync(
      join(dir, 'Lib.sol'),
      'pragma solidity ^0.8.24; library Lib { function one() internal pure returns (uint) { return 2; } }',
    );
    const third = await compileSolidity(['Main.sol'], { baseDir: dir, cacheDir });
    expect(third.fromCache).toBe(false);
    expect(pickContract(third, 'Main').bytecode).not.toBe(pickContract(first, 'Main').bytecode);
  });

  it('reports compiler errors with solc’s message as a FhekitError', async () => {
    writeFileSync(
      join(dir, 'Broken.sol'),
      'pragma solidity ^0.8.24; contract Broken { function f() external { undefinedThing(); } }',
    );
    const error = await compileSolidity(['Broken.sol'], { baseDir: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FhekitError);
    expect((error as FhekitError).code).toBe('FHE_SOLIDITY_COMPILE');
    expect((error as FhekitError).message).toContain('undefinedThing');
  });

  it('names a missing source or import', async () => {
    const missing = await compileSolidity(['Nope.sol'], { baseDir: dir }).catch((e: unknown) => e);
    expect((missing as FhekitError).code).toBe('FHE_SOURCE_NOT_FOUND');

    writeFileSync(
      join(dir, 'Importer.sol'),
      'pragma solidity ^0.8.24; import "@nowhere/pkg/X.sol"; contract Importer {}',
    );
    const error = await compileSolidity(['Importer.sol'], { baseDir: dir }).catch((e: unknown) => e);
    expect((error as FhekitError).code).toBe('FHE_SOLIDITY_COMPILE');
    expect((error as FhekitError).message).toContain('@nowhere/pkg/X.sol');
  });

  it('compiles off the main thread: timers keep firing during a cold compile', async () => {
    writeFileSync(join(dir, 'Tiny.sol'), 'pragma solidity ^0.8.24; contract Tiny { uint public x; }');
    let ticks = 0;
    const timer = setInterval(() => ticks++, 20);
    const started = Date.now();
    await compileSolidity(['Tiny.sol'], { baseDir: dir });
    clearInterval(timer);
    // solc-js takes about a second to load; on the main thread not a single tick would fire meanwhile.
    expect(ticks).toBeGreaterThan((Date.now() - started) / 20 / 4);
  });

  it('refuses a project copy of @fhevm/solidity that the host contracts do not support', async () => {
    const project = join(dir, 'project');
    const library = join(project, 'node_modules', '@fhevm', 'solidity');
    mkdirSync(join(library, 'lib'), { recursive: true });
    writeFileSync(
      join(library, 'package.json'),
      JSON.stringify({ name: '@fhevm/solidity', version: '0.13.2' }),
    );
    writeFileSync(join(library, 'lib', 'FHE.sol'), 'pragma solidity ^0.8.24; library FHE {}');
    writeFileSync(
      join(project, 'App.sol'),
      'pragma solidity ^0.8.24; import "@fhevm/solidity/lib/FHE.sol"; contract App {}',
    );
    const error = await compileSolidity(['App.sol'], { baseDir: project }).catch((e: unknown) => e);
    expect((error as FhekitError).code).toBe('FHE_FHEVM_SOLIDITY_INCOMPATIBLE');
    expect((error as FhekitError).message).toContain('0.13.2');
  });
});
