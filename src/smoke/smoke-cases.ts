import { bitsOf, FheType, nameOf } from '../fhevm/fhe-types.js';
import { BINARY_OPS, FheOp, opName } from '../fhevm/operations.js';
import { plaintextResult } from '../fhevm/plaintext-semantics.js';

/** The two encrypted inputs every type gets (one proof carries them all); chosen to hit carries and wrap-around. */
export const INPUT_A: Record<FheType, bigint> = {
  [FheType.Bool]: 1n,
  [FheType.Uint8]: 201n,
  [FheType.Uint16]: 50_021n,
  [FheType.Uint32]: 3_000_000_123n,
  [FheType.Uint64]: (1n << 63n) + 12_345n,
  [FheType.Uint128]: (1n << 127n) + 99n,
  [FheType.Uint160]: 0xd8da6bf26964af9d7eed9e03e53415d37aa96045n,
  [FheType.Uint256]: (1n << 255n) + 7n,
};
export const INPUT_B: Record<FheType, bigint> = {
  [FheType.Bool]: 0n,
  [FheType.Uint8]: 37n,
  [FheType.Uint16]: 1_234n,
  [FheType.Uint32]: 123_456_789n,
  [FheType.Uint64]: 987_654_321_012n,
  [FheType.Uint128]: (1n << 64n) + 5n,
  [FheType.Uint160]: 0xd8da6bf26964af9d7eed9e03e53415d37aa96045n,
  [FheType.Uint256]: (1n << 128n) + 3n,
};

/** What the HandleOps fixture is asked to do; `a`/`b` are the type's encrypted inputs. */
export type SmokeCall =
  | { kind: 'binary'; op: FheOp; type: FheType; scalar?: bigint }
  | { kind: 'unary'; op: FheOp; type: FheType }
  | { kind: 'select'; type: FheType }
  | { kind: 'cast'; type: FheType; to: FheType }
  | { kind: 'trivialEncrypt'; type: FheType; value: bigint }
  | { kind: 'rand'; type: FheType; bound?: bigint };

export interface SmokeCase {
  name: string;
  call: SmokeCall;
  /** Whether a decrypted value is right (rand cases can only check the range). */
  check(value: bigint): boolean;
  expected: string;
}

function exact(name: string, call: SmokeCall, value: bigint): SmokeCase {
  return { name, call, check: (v) => v === value, expected: value.toString() };
}

function binary(op: FheOp, type: FheType, scalar?: bigint): SmokeCase {
  const b = scalar ?? INPUT_B[type];
  const name = `${opName(op)} ${nameOf(type)}${scalar === undefined ? '' : ` scalar ${scalar}`}`;
  const call: SmokeCall =
    scalar === undefined ? { kind: 'binary', op, type } : { kind: 'binary', op, type, scalar };
  return exact(name, call, plaintextResult(op, type, INPUT_A[type], b));
}

/** Div and rem take only a scalar divisor (everyOp adds them as such). */
const ALL_BINARY = BINARY_OPS.filter((op) => op !== FheOp.Div && op !== FheOp.Rem);

/** Every op on the type with both operands encrypted, plus the scalar forms (div/rem only exist as scalar). */
function everyOp(type: FheType): SmokeCase[] {
  const mask = (1n << BigInt(bitsOf(type))) - 1n;
  return [
    ...ALL_BINARY.map((op) => binary(op, type)),
    ...[FheOp.Add, FheOp.Sub, FheOp.Mul, FheOp.BitAnd, FheOp.Shl, FheOp.Rotr, FheOp.Lt, FheOp.Max].map((op) =>
      binary(op, type, 3n),
    ),
    binary(FheOp.Div, type, 7n),
    binary(FheOp.Rem, type, 7n),
    exact(`Neg ${nameOf(type)}`, { kind: 'unary', op: FheOp.Neg, type }, -INPUT_A[type] & mask),
    exact(`Not ${nameOf(type)}`, { kind: 'unary', op: FheOp.Not, type }, ~INPUT_A[type] & mask),
    selectCase(type),
  ];
}

/** A few representative ops: what wide types add on top of the small-type coverage. */
function someOps(type: FheType): SmokeCase[] {
  const mul = type === FheType.Uint32 || type === FheType.Uint64 ? [binary(FheOp.Mul, type)] : [];
  return [
    binary(FheOp.Add, type),
    binary(FheOp.Sub, type),
    ...mul,
    binary(FheOp.Eq, type),
    binary(FheOp.Ge, type),
    binary(FheOp.Min, type),
    binary(FheOp.Shl, type, 3n),
    binary(FheOp.Div, type, 7n),
    selectCase(type),
  ];
}

function selectCase(type: FheType): SmokeCase {
  // The control is the ebool input A (true).
  return exact(`IfThenElse ${nameOf(type)}`, { kind: 'select', type }, INPUT_A[type]);
}

function castCase(type: FheType, to: FheType): SmokeCase {
  const value = INPUT_A[type] & ((1n << BigInt(bitsOf(to))) - 1n);
  return exact(`Cast ${nameOf(type)} → ${nameOf(to)}`, { kind: 'cast', type, to }, value);
}

function randCase(type: FheType, bound?: bigint): SmokeCase {
  const limit = bound ?? 1n << BigInt(bitsOf(type));
  return {
    name: bound === undefined ? `Rand ${nameOf(type)}` : `RandBounded ${nameOf(type)} < ${bound}`,
    call: bound === undefined ? { kind: 'rand', type } : { kind: 'rand', type, bound },
    check: (v) => v >= 0n && v < limit,
    expected: `< ${limit}`,
  };
}

/** The default run: every op on ebool and euint8, a sample on euint16. */
export function smallTypeCases(): SmokeCase[] {
  const bool = FheType.Bool;
  return [
    binary(FheOp.BitAnd, bool),
    binary(FheOp.BitOr, bool),
    binary(FheOp.BitXor, bool),
    binary(FheOp.Eq, bool),
    binary(FheOp.Ne, bool),
    exact('Not ebool', { kind: 'unary', op: FheOp.Not, type: bool }, 0n),
    selectCase(bool),
    ...everyOp(FheType.Uint8),
    castCase(FheType.Uint8, FheType.Uint16),
    exact('TrivialEncrypt euint8', { kind: 'trivialEncrypt', type: FheType.Uint8, value: 42n }, 42n),
    randCase(FheType.Uint8),
    randCase(FheType.Uint8, 16n),
    binary(FheOp.Add, FheType.Uint16),
    binary(FheOp.Mul, FheType.Uint16),
    binary(FheOp.Lt, FheType.Uint16),
    binary(FheOp.Shr, FheType.Uint16),
    binary(FheOp.Rem, FheType.Uint16, 7n),
    selectCase(FheType.Uint16),
    castCase(FheType.Uint16, FheType.Uint8),
  ];
}

/** `--wide`: 32-bit and wider types, eaddress equality and selection. */
export function wideTypeCases(): SmokeCase[] {
  const address = FheType.Uint160;
  return [
    ...[FheType.Uint32, FheType.Uint64, FheType.Uint128].flatMap(someOps),
    // euint256 has no arithmetic in the fhEVM (add/sub/mul/compare are U8..U128): bitwise, shifts, eq, select.
    binary(FheOp.Shl, FheType.Uint256, 3n),
    binary(FheOp.Eq, FheType.Uint256),
    binary(FheOp.BitXor, FheType.Uint256),
    selectCase(FheType.Uint256),
    binary(FheOp.Eq, address),
    selectCase(address),
    castCase(FheType.Uint64, FheType.Uint32),
    randCase(FheType.Uint64),
  ];
}

/** Types whose A/B inputs the cases use (and so must be encrypted). */
export function inputTypes(cases: readonly SmokeCase[]): FheType[] {
  const types = new Set<FheType>([FheType.Bool]);
  for (const { call } of cases)
    if (call.kind !== 'trivialEncrypt' && call.kind !== 'rand') types.add(call.type);
  return [...types].sort((a, b) => a - b);
}
