import type { Hex } from 'viem';
import { typeOfHandle } from '../fhevm/handles.js';
import { opHcu } from '../fhevm/hcu.js';
import { FheOp } from '../fhevm/operations.js';
import type { CoprocessorEvent, FhevmTransactionHCUInfo } from './fhevm-types.js';

/** The op an FHEVMExecutor event reports (`FheAdd` → Add, `Cast`, `TrivialEncrypt`); none for `VerifyInput`. */
function opOfEvent(eventName: string): FheOp | undefined {
  const name = eventName.startsWith('Fhe') ? eventName.slice(3) : eventName;
  return Object.hasOwn(FheOp, name) ? FheOp[name as keyof typeof FheOp] : undefined;
}

/**
 * HCU of a transaction from its FHEVMExecutor events: the sum over ops (`globalHCU`), and the longest
 * dependency chain (`maxHCUDepth`: an op's depth is its price plus the deepest operand made in the same
 * transaction), with the prices of the deployed HCULimit contract (`opHcu`).
 */
export function computeTransactionHcu(
  transactionHash: Hex,
  events: readonly CoprocessorEvent[],
): FhevmTransactionHCUInfo {
  const depth: Record<Hex, number> = {};
  let globalHCU = 0;
  let maxHCUDepth = 0;
  for (const event of events) {
    const args = event.args as Record<string, unknown>;
    const result = args.result as Hex | undefined;
    const op = opOfEvent(event.eventName);
    if (!result || op === undefined) continue;
    const operands = ['lhs', 'rhs', 'ct', 'control', 'ifTrue', 'ifFalse']
      .map((name) => args[name])
      .filter((v): v is Hex => typeof v === 'string');
    const scalar = args.scalarByte === '0x01';
    const encryptedOperands = operands.filter((h) => !(scalar && h === args.rhs));
    const lhs = (args.lhs as Hex | undefined) ?? null;
    const hcu = opHcu(op, scalar, lhs && typeOfHandle(lhs), typeOfHandle(result));
    globalHCU += hcu;
    const d = hcu + Math.max(0, ...encryptedOperands.map((h) => depth[h] ?? 0));
    depth[result] = d;
    maxHCUDepth = Math.max(maxHCUDepth, d);
  }
  return { transactionHash, globalHCU, maxHCUDepth, HCUDepthByHandle: depth };
}
