import { toFunctionSelector } from 'viem';
import { describe, expect, it } from 'vitest';
import { missingHostOpError, missingHostOpsIn } from '../../src/hardhat/missing-host-ops.js';

describe('missing host-contract functions', () => {
  it('finds FHE.sum / FHE.isIn calls in runtime bytecode by their PUSH4 selector', () => {
    const sum = toFunctionSelector('fheSum(bytes32[],uint8)').slice(2);
    const add = toFunctionSelector('fheAdd(bytes32,bytes32,bytes1)').slice(2);
    expect(missingHostOpsIn(`0x6080604052${`63${add}`}`)).toEqual([]);
    expect(missingHostOpsIn(`0x6080604052${`63${sum}`}5b`).map((op) => op.library)).toEqual(['FHE.sum']);
  });

  it('reports them as FHE_HOST_OP_MISSING with what to do', () => {
    const error = missingHostOpError(
      '0x00000000000000000000000000000000000000c0',
      [{ signature: 'fheIsIn(bytes32,bytes32[],uint8)', contract: 'FHEVMExecutor', library: 'FHE.isIn' }],
      new Error('reverted'),
    );
    expect(error).toMatchObject({ code: 'FHE_HOST_OP_MISSING', hint: expect.stringContaining('FHE.eq') });
    expect(error.message).toContain('FHE.isIn (FHEVMExecutor.fheIsIn)');
  });
});
