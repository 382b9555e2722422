import type { Address, Hex } from 'viem';
import { bytesToHex } from 'viem';
import { describe, expect, it } from 'vitest';
import { FheType } from '../../src/fhevm/fhe-types.js';
import { createDirectEncryptedInput } from '../../src/hardhat/direct-input.js';
import type { DirectInputRequest } from '../../src/inputs/input-service.js';

const CONTRACT = '0x000000000000000000000000000000000000c0c0' as Address;
const USER = '0x00000000000000000000000000000000000a11ce' as Address;
const HANDLE = `0x${'ab'.repeat(32)}` as Hex;
const SIGNATURE = `0x${'cd'.repeat(65)}` as Hex;

describe('direct encrypted inputs (the Hardhat plugin without SDK proofs)', () => {
  it('hands the values with their types to the input service and encodes its answer as an inputProof', async () => {
    const requests: DirectInputRequest[] = [];
    // The input service is tested on its own (real keys, real signatures); here only the hand-off.
    const input = createDirectEncryptedInput(
      async (request) => {
        requests.push(request);
        return {
          handles: [HANDLE, HANDLE],
          signatures: [SIGNATURE],
          extraData: '0x00',
          timings: { verifyMs: 0, expandMs: 0, signMs: 0 },
        };
      },
      { contractAddress: CONTRACT, userAddress: USER, chainId: 31337n },
    );
    const { handles, inputProof } = await input
      .add64(2n ** 64n - 1n)
      .addBool(true)
      .encrypt();
    expect(requests).toEqual([
      {
        values: [
          { type: FheType.Uint64, value: 2n ** 64n - 1n },
          { type: FheType.Bool, value: 1n },
        ],
        contractAddress: CONTRACT,
        userAddress: USER,
        contractChainId: 31337n,
        extraData: '0x00',
      },
    ]);
    expect(handles.map((h) => bytesToHex(h))).toEqual([HANDLE, HANDLE]);
    // numHandles ‖ numSigners ‖ handles ‖ signatures ‖ extraData, as FHE.fromExternal reads it.
    expect(bytesToHex(inputProof)).toBe(`0x0201${HANDLE.slice(2).repeat(2)}${SIGNATURE.slice(2)}00`);
  });

  it('refuses values that do not fit, more than 2048 bits, and a proof request, with typed errors', () => {
    const input = createDirectEncryptedInput(
      async () => {
        throw new Error('not reached');
      },
      { contractAddress: CONTRACT, userAddress: USER, chainId: 31337n },
    );
    expect(() => input.add8(256)).toThrow(expect.objectContaining({ code: 'INPUT_VALUE_OUT_OF_RANGE' }));
    expect(() => input.addAddress('alice')).toThrow(
      expect.objectContaining({ code: 'INPUT_VALUE_OUT_OF_RANGE' }),
    );
    for (let i = 0; i < 8; i++) input.add256(1n);
    expect(() => input.add8(1)).toThrow(expect.objectContaining({ code: 'INPUT_TOO_MANY_BITS' }));
    expect(() => input.generateZKProof()).toThrow(
      expect.objectContaining({ code: 'FHE_DIRECT_INPUT_NO_PROOF' }),
    );
  });
});
