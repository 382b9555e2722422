import {
  type CompactCiphertextListExpander,
  ProvenCompactCiphertextList,
  set_server_key,
  type TfheClientKey,
  TfheServerKey,
} from 'node-tfhe';
import { FheType } from '../fhevm/fhe-types.js';
import { SERIALIZATION_LIMIT } from '../fhevm/limits.js';

/**
 * Turns a verified proven list into one compute ciphertext per value (node-tfhe `safe_serialize` bytes
 * of FheBool / FheUintN, the storage format). Pluggable: node-tfhe's casting below, or the engine's.
 */
export interface InputExpander {
  expand(list: Uint8Array, types: readonly FheType[]): Promise<Uint8Array[]>;
}

/** The engine's own expansion (casting keyswitch + PBS in our evaluator): about 0.25 s per block. */
export function engineInputExpander(engine: {
  expandInputs(list: Uint8Array, types: FheType[]): Uint8Array[];
}): InputExpander {
  return { expand: async (list, types) => engine.expandInputs(list, [...types]) };
}

export interface NodeTfheInputExpander extends InputExpander {
  /** Makes the server key now instead of on the first input. */
  prepare(): void;
}

/**
 * Expansion with node-tfhe's real server key: ~0.5 s per 2-bit block (one keyswitch + PBS in wasm).
 * The key is made from the client key (5-10 s) because node-tfhe cannot load a serialized one.
 */
export function createNodeTfheInputExpander(clientKey: TfheClientKey): NodeTfheInputExpander {
  let serverKey: TfheServerKey | undefined;
  const prepare = () => {
    serverKey ??= TfheServerKey.new(clientKey);
    return serverKey;
  };
  return {
    prepare,
    async expand(bytes, types) {
      // set_server_key is per thread and the toy-key verifier uses another key: set ours each time.
      set_server_key(prepare());
      const list = ProvenCompactCiphertextList.safe_deserialize(bytes, SERIALIZATION_LIMIT);
      try {
        const expander = list.expand_without_verification();
        try {
          return types.map((type, index) => serializeValue(expander, index, type));
        } finally {
          expander.free();
        }
      } finally {
        list.free();
      }
    },
  };
}

function serializeValue(expander: CompactCiphertextListExpander, index: number, type: FheType): Uint8Array {
  const value = getValue(expander, index, type);
  try {
    return value.safe_serialize(SERIALIZATION_LIMIT);
  } finally {
    value.free();
  }
}

function getValue(expander: CompactCiphertextListExpander, index: number, type: FheType) {
  switch (type) {
    case FheType.Bool:
      return expander.get_bool(index);
    case FheType.Uint8:
      return expander.get_uint8(index);
    case FheType.Uint16:
      return expander.get_uint16(index);
    case FheType.Uint32:
      return expander.get_uint32(index);
    case FheType.Uint64:
      return expander.get_uint64(index);
    case FheType.Uint128:
      return expander.get_uint128(index);
    case FheType.Uint160:
      return expander.get_uint160(index);
    case FheType.Uint256:
      return expander.get_uint256(index);
  }
}
