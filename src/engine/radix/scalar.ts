import { PARAMS } from '../params.js';

const LOG_MSG = BigInt(Math.log2(PARAMS.messageModulus));
const MSG_MASK = BigInt(PARAMS.messageModulus - 1);

/** The 2-bit radix digits of a non-negative scalar, least significant first, truncated to `count` blocks. */
export function scalarBlocks(value: bigint, count: number): number[] {
  const digits: number[] = [];
  for (let i = 0; i < count; i++) {
    digits.push(Number(value & MSG_MASK));
    value >>= LOG_MSG;
  }
  return digits;
}
