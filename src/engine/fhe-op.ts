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

/** `Add`, `IfThenElse`, … for logs and metrics labels. */
export function opName(op: FheOp): string {
  return NAME_BY_CODE.get(op)!;
}
