import { bitsOf, FheType } from './fhe-types.js';
import { FheOp } from './operations.js';

/** fhEVM plaintext semantics, unsigned values of `type` (docs/fhevm-protocol.md §Plaintext semantics). */
export function plaintextResult(op: FheOp, type: FheType, a: bigint, b = 0n, c = 0n): bigint {
  const bits = BigInt(bitsOf(type));
  const mask = (1n << bits) - 1n;
  const bool = (x: boolean) => (x ? 1n : 0n);
  switch (op) {
    case FheOp.Add:
      return (a + b) & mask;
    case FheOp.Sub:
      return (a - b) & mask;
    case FheOp.Mul:
      return (a * b) & mask;
    case FheOp.Div:
      return a / b;
    case FheOp.Rem:
      return a % b;
    case FheOp.BitAnd:
      return a & b;
    case FheOp.BitOr:
      return a | b;
    case FheOp.BitXor:
      return a ^ b;
    case FheOp.Shl:
      return (a << (b % bits)) & mask;
    case FheOp.Shr:
      return a >> (b % bits);
    case FheOp.Rotl: {
      const k = b % bits;
      return ((a << k) | (a >> ((bits - k) % bits))) & mask;
    }
    case FheOp.Rotr: {
      const k = b % bits;
      return ((a >> k) | (a << ((bits - k) % bits))) & mask;
    }
    case FheOp.Eq:
      return bool(a === b);
    case FheOp.Ne:
      return bool(a !== b);
    case FheOp.Ge:
      return bool(a >= b);
    case FheOp.Gt:
      return bool(a > b);
    case FheOp.Le:
      return bool(a <= b);
    case FheOp.Lt:
      return bool(a < b);
    case FheOp.Min:
      return a < b ? a : b;
    case FheOp.Max:
      return a > b ? a : b;
    case FheOp.Neg:
      return -a & mask;
    case FheOp.Not:
      return type === FheType.Bool ? 1n - a : ~a & mask;
    case FheOp.IfThenElse:
      return a !== 0n ? b : c;
  }
  throw new Error(`no plaintext semantics for op ${op}`);
}
