import { FheType } from './fhe-types.js';

/** fhEVM operation codes (coprocessor `FheOperation` = FHEVMExecutor `Operators` ordinal). */
export const FheOp = {
  Add: 0,
  Sub: 1,
  Mul: 2,
  Div: 3,
  Rem: 4,
  BitAnd: 5,
  BitOr: 6,
  BitXor: 7,
  Shl: 8,
  Shr: 9,
  Rotl: 10,
  Rotr: 11,
  Eq: 12,
  Ne: 13,
  Ge: 14,
  Gt: 15,
  Le: 16,
  Lt: 17,
  Min: 18,
  Max: 19,
  Neg: 20,
  Not: 21,
  Cast: 23,
  TrivialEncrypt: 24,
  IfThenElse: 25,
  Rand: 26,
  RandBounded: 27,
} as const;
export type FheOp = (typeof FheOp)[keyof typeof FheOp];

const NAME_BY_CODE = new Map<number, string>(Object.entries(FheOp).map(([name, code]) => [code, name]));

export function isFheOp(code: number): code is FheOp {
  return NAME_BY_CODE.has(code);
}

/** add … max (codes 0–19): the ops of two operands, an encrypted lhs and an encrypted or scalar rhs. */
export const BINARY_OPS: readonly FheOp[] = Object.values(FheOp).filter((op) => op <= FheOp.Max);

const COMPARISONS: ReadonlySet<FheOp> = new Set([FheOp.Eq, FheOp.Ne, FheOp.Ge, FheOp.Gt, FheOp.Le, FheOp.Lt]);

/** eq, ne, ge, gt, le, lt: their result is an ebool whatever the operands' type. */
export function isComparison(op: FheOp): boolean {
  return COMPARISONS.has(op);
}

/** `Add`, `IfThenElse`, … for logs and metrics labels. */
export function opName(op: FheOp): string {
  return NAME_BY_CODE.get(op)!;
}

const UINTS = [FheType.Uint8, FheType.Uint16, FheType.Uint32, FheType.Uint64, FheType.Uint128] as const;

/** Operand types FHEVMExecutor accepts per op (its `supportedTypes` masks; docs/fhevm-protocol.md §Operations). */
const SUPPORTED: Partial<Record<FheOp, readonly FheType[]>> = {
  [FheOp.Add]: UINTS,
  [FheOp.Sub]: UINTS,
  [FheOp.Mul]: UINTS,
  [FheOp.Div]: UINTS,
  [FheOp.Rem]: UINTS,
  [FheOp.BitAnd]: [FheType.Bool, ...UINTS, FheType.Uint256],
  [FheOp.BitOr]: [FheType.Bool, ...UINTS, FheType.Uint256],
  [FheOp.BitXor]: [FheType.Bool, ...UINTS, FheType.Uint256],
  [FheOp.Shl]: [...UINTS, FheType.Uint256],
  [FheOp.Shr]: [...UINTS, FheType.Uint256],
  [FheOp.Rotl]: [...UINTS, FheType.Uint256],
  [FheOp.Rotr]: [...UINTS, FheType.Uint256],
  [FheOp.Eq]: [FheType.Bool, ...UINTS, FheType.Uint160, FheType.Uint256],
  [FheOp.Ne]: [FheType.Bool, ...UINTS, FheType.Uint160, FheType.Uint256],
  [FheOp.Ge]: UINTS,
  [FheOp.Gt]: UINTS,
  [FheOp.Le]: UINTS,
  [FheOp.Lt]: UINTS,
  [FheOp.Min]: UINTS,
  [FheOp.Max]: UINTS,
  [FheOp.Neg]: [...UINTS, FheType.Uint256],
  [FheOp.Not]: [FheType.Bool, ...UINTS, FheType.Uint256],
  [FheOp.IfThenElse]: [FheType.Bool, ...UINTS, FheType.Uint160, FheType.Uint256],
  [FheOp.Cast]: [FheType.Bool, ...UINTS, FheType.Uint256],
  [FheOp.Rand]: [FheType.Bool, ...UINTS, FheType.Uint256],
  [FheOp.RandBounded]: [...UINTS, FheType.Uint256],
};

/** The operand types FHEVMExecutor accepts for `op` (none for an op it does not know). */
export function supportedTypes(op: FheOp): readonly FheType[] {
  return SUPPORTED[op] ?? [];
}
