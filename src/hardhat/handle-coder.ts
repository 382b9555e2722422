import type { Address, Hex } from 'viem';
import { FheType } from '../fhevm/fhe-types.js';
import { binaryOpHandle, typeOfHandle } from '../fhevm/handles.js';
import { FheOp, isComparison } from '../fhevm/operations.js';
import { checkHandle } from './handle-input.js';

type BinaryOpName =
  | 'Add'
  | 'Sub'
  | 'Mul'
  | 'Div'
  | 'Rem'
  | 'BitAnd'
  | 'BitOr'
  | 'BitXor'
  | 'Shl'
  | 'Shr'
  | 'Rotl'
  | 'Rotr'
  | 'Eq'
  | 'Ne'
  | 'Ge'
  | 'Gt'
  | 'Le'
  | 'Lt';

/** `debugger.createHandleCoder()`: result handles of binary ops, predicted as FHEVMExecutor derives them. */
export type FhevmHandleCoder = {
  [K in BinaryOpName as `fhe${K}`]: (lhsBytes32Hex: string, rhsBytes32Hex: string, scalar: boolean) => string;
};

const BINARY_OPS: readonly BinaryOpName[] = [
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Rem',
  'BitAnd',
  'BitOr',
  'BitXor',
  'Shl',
  'Shr',
  'Rotl',
  'Rotr',
  'Eq',
  'Ne',
  'Ge',
  'Gt',
  'Le',
  'Lt',
];

export function createHandleCoder(aclAddress: Address, chainId: bigint): FhevmHandleCoder {
  const coder: Partial<Record<string, FhevmHandleCoder['fheAdd']>> = {};
  for (const name of BINARY_OPS) {
    coder[`fhe${name}`] = (lhs, rhs, scalar) => {
      const left = checkHandle(lhs);
      // A comparison's result is an ebool; every other binary op keeps its lhs type.
      const resultType = isComparison(FheOp[name]) ? FheType.Bool : typeOfHandle(left);
      return binaryOpHandle(
        FheOp[name],
        left,
        checkHandle(rhs) as Hex,
        scalar,
        resultType,
        aclAddress,
        chainId,
      );
    };
  }
  return coder as FhevmHandleCoder;
}
