import type { RelayerEncryptedInput } from '@zama-fhe/relayer-sdk/node';
import { type Address, getAddress, type Hex, hexToBytes, isAddress } from 'viem';
import { FhekitError } from '../errors.js';
import { bitsOf, FheType, inputBitsOf } from '../fhevm/fhe-types.js';
import { MAX_INPUT_BITS } from '../fhevm/limits.js';
import { encodeInputProof } from '../inputs/ciphertext-verification.js';
import type { AcceptedInput, DirectInputRequest } from '../inputs/input-service.js';

/**
 * `createEncryptedInput` without a client-side ZK proof: the values go to the in-process input
 * service, which encrypts them with the stack's keys and signs them exactly like a verified proven list,
 * so `FHE.fromExternal` and InputVerifier run unchanged. What the Zama mock replaces with cleartext, this
 * keeps real (every value is a real ciphertext); only the proof is skipped. `FHE_INPUTS=proven` turns
 * SDK proofs back on.
 */
export function createDirectEncryptedInput(
  accept: (request: DirectInputRequest) => Promise<AcceptedInput>,
  target: { contractAddress: Address; userAddress: Address; chainId: bigint },
): RelayerEncryptedInput {
  const values: { type: FheType; value: bigint }[] = [];
  const push = (type: FheType, value: bigint, shown: unknown) => {
    if (value < 0n || value >= 1n << BigInt(bitsOf(type))) {
      throw new FhekitError('INPUT_VALUE_OUT_OF_RANGE', `${String(shown)} does not fit the input type.`, {
        hint: `Pass a value from 0 to 2^${bitsOf(type)} - 1.`,
      });
    }
    const bits = values.reduce((sum, v) => sum + inputBitsOf(v.type), inputBitsOf(type));
    if (bits > MAX_INPUT_BITS) {
      throw new FhekitError(
        'INPUT_TOO_MANY_BITS',
        `The input would hold ${bits} bits; at most ${MAX_INPUT_BITS}.`,
        {
          hint: 'Split the values over several encrypted inputs.',
        },
      );
    }
    values.push({ type, value });
    return builder;
  };
  const integer = (type: FheType) => (value: number | bigint) => push(type, BigInt(value), value);
  const builder: RelayerEncryptedInput = {
    addBool: (value) => push(FheType.Bool, BigInt(value === true ? 1 : value === false ? 0 : value), value),
    add8: integer(FheType.Uint8),
    add16: integer(FheType.Uint16),
    add32: integer(FheType.Uint32),
    add64: integer(FheType.Uint64),
    add128: integer(FheType.Uint128),
    add256: integer(FheType.Uint256),
    addAddress: (value) => {
      if (!isAddress(value, { strict: false })) {
        throw new FhekitError('INPUT_VALUE_OUT_OF_RANGE', `${value} is not an address.`, {
          hint: 'Pass a 0x-prefixed 20-byte address.',
        });
      }
      return push(FheType.Uint160, BigInt(getAddress(value)), value);
    },
    getBits: () => values.map((v) => inputBitsOf(v.type)) as ReturnType<RelayerEncryptedInput['getBits']>,
    generateZKProof: () => {
      throw new FhekitError('FHE_DIRECT_INPUT_NO_PROOF', 'Direct inputs have no ZK proof to generate.', {
        hint: 'Run with FHE_INPUTS=proven to build inputs with the SDK’s proofs.',
      });
    },
    encrypt: async () => {
      const accepted = await accept({
        values,
        contractAddress: target.contractAddress,
        userAddress: target.userAddress,
        contractChainId: target.chainId,
        extraData: '0x00',
      });
      return {
        handles: accepted.handles.map((handle) => hexToBytes(handle)),
        inputProof: hexToBytes(
          encodeInputProof(accepted.handles, accepted.signatures, accepted.extraData) as Hex,
        ),
      };
    },
  };
  return builder;
}
