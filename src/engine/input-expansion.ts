import { FhekitError } from '../errors.js';
import { blocksOf, FheType } from '../fhevm/fhe-types.js';
import type { Block, RadixCiphertext } from './block.js';
import { decodeCompactListCiphertexts } from './codec/compact-list-codec.js';
import type { KeyswitchKey } from './evaluation-keys.js';
import { PARAMS } from './params.js';
import type { Bootstrapper } from './pbs/bootstrap.js';
import { type Lut, lutOf } from './pbs/lut.js';

const MSG = PARAMS.messageModulus;
const LOW = lutOf((x) => x % MSG);
const HIGH = lutOf((x) => Math.floor(x / MSG) % MSG);
const LOW_BOOL = lutOf((x) => (x % MSG !== 0 ? 1 : 0));
const HIGH_BOOL = lutOf((x) => (Math.floor(x / MSG) % MSG !== 0 ? 1 : 0));

/**
 * Expands an SDK input list into values under the compute keys, like tfhe-rs casting expansion:
 * keyswitch from the PKE key to the small key (casting KSK), then one PBS per block extracting its
 * digit (the low or high half of a packed pair; booleans normalized to 0/1). `types` are the list's
 * value types in push order (node-tfhe `get_kind_of`, or the input proof's handle types).
 */
export function expandCompactList(
  bootstrapper: Bootstrapper,
  castingKsk: KeyswitchKey,
  listBytes: Uint8Array,
  types: FheType[],
): RadixCiphertext[] {
  const list = decodeCompactListCiphertexts(listBytes);
  const { packed } = list;
  const blockTypes = types.flatMap((t) => Array<FheType>(blocksOf(t)).fill(t));
  const expected = packed ? Math.ceil(blockTypes.length / 2) : blockTypes.length;
  if (list.count !== expected) {
    throw new FhekitError(
      'FHE_INPUT_LIST_MISMATCH',
      `The input list holds ${list.count} ciphertexts, but the declared types need ${expected}.`,
      { hint: 'Pass the value types of the list in push order (e.g. from node-tfhe get_kind_of).' },
    );
  }
  // One keyswitch per list LWE; a packed one is rotated twice (low and high digit).
  const blocks: Block[] = [];
  const perLwe = packed ? 2 : 1;
  for (let j = 0; j < list.count; j++) {
    const lwe = list.lwe(j);
    const types = blockTypes.slice(j * perLwe, (j + 1) * perLwe);
    const luts = types.map((type, k): Lut => {
      const high = packed && k === 1;
      return type === FheType.Bool ? (high ? HIGH_BOOL : LOW_BOOL) : high ? HIGH : LOW;
    });
    bootstrapper.bootstrapEachWith(lwe, luts, castingKsk).forEach((out, k) => {
      blocks.push({ lwe: out, degree: types[k] === FheType.Bool ? 1 : MSG - 1, noiseLevel: 1 });
    });
  }
  const values: RadixCiphertext[] = [];
  let next = 0;
  for (const type of types) {
    values.push({ blocks: blocks.slice(next, next + blocksOf(type)) });
    next += blocksOf(type);
  }
  return values;
}
