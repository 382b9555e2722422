import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Hex } from 'viem';
import { FheType } from '../fhevm/fhe-types.js';
import type { CoprocessorEvent, FhevmTransactionHCUInfo } from './fhevm-types.js';

/** HCU of one op by (scalar?, priced type), as the deployed HCULimit contract charges it. */
type PriceTable = Map<string, { scalar: Map<number, number>; encrypted: Map<number, number> }>;

const TYPE_CODES: Record<string, number> = {
  Bool: FheType.Bool,
  Uint8: FheType.Uint8,
  Uint16: FheType.Uint16,
  Uint32: FheType.Uint32,
  Uint64: FheType.Uint64,
  Uint128: FheType.Uint128,
  Uint160: FheType.Uint160,
  Uint256: FheType.Uint256,
};

let prices: PriceTable | undefined;

/**
 * Reads the prices from the `HCULimit.sol` source shipped in `@fhevm/host-contracts` (the contract
 * whose bytecode is deployed), so they cannot drift from what the chain enforces: in each
 * `checkHCUFor<Op>`, the `scalarByte == 0x01` branch and the other one map `FheType.X` to `opHCU = N`.
 */
function priceTable(): PriceTable {
  if (prices) return prices;
  const path = createRequire(import.meta.url).resolve('@fhevm/host-contracts/contracts/HCULimit.sol');
  const source = readFileSync(path, 'utf8');
  prices = new Map();
  const functions = source.split(/function checkHCUFor/).slice(1);
  for (const body of functions) {
    const name = /^(\w+)/.exec(body)?.[1] ?? '';
    const scalarAt = body.indexOf('scalarByte == 0x01');
    const elseAt =
      scalarAt < 0 ? -1 : body.indexOf('} else {', body.indexOf('revert UnsupportedOperation', scalarAt));
    const read = (text: string) => {
      const map = new Map<number, number>();
      for (const [, type, hcu] of text.matchAll(/FheType\.(\w+)\)\s*\{\s*opHCU\s*=\s*(\d+)/g)) {
        const code = type === undefined ? undefined : TYPE_CODES[type];
        if (code !== undefined) map.set(code, Number(hcu));
      }
      return map;
    };
    prices.set(
      name,
      scalarAt < 0
        ? { scalar: read(body), encrypted: read(body) }
        : { scalar: read(body.slice(scalarAt, elseAt)), encrypted: read(body.slice(elseAt)) },
    );
  }
  return prices;
}

const typeOfHandle = (handle: string) => Number.parseInt(handle.slice(2 + 30 * 2, 2 + 31 * 2), 16);

/** The contract function that prices an event (`FheIfThenElse` → `IfThenElse`, others as named). */
const pricedBy = (eventName: string) => (eventName === 'FheIfThenElse' ? 'IfThenElse' : eventName);

/**
 * HCU of a transaction from its FHEVMExecutor events: the sum over ops (`globalHCU`), and the longest
 * dependency chain (`maxHCUDepth`: an op's depth is its price plus the deepest operand made in the same
 * transaction). Binary ops are priced by the lhs type, unary ops and select by the operand type,
 * casts, trivial encryptions and random values by the result type.
 */
export function computeTransactionHcu(
  transactionHash: Hex,
  events: readonly CoprocessorEvent[],
): FhevmTransactionHCUInfo {
  const table = priceTable();
  const depth: Record<Hex, number> = {};
  let globalHCU = 0;
  let maxHCUDepth = 0;
  for (const event of events) {
    const args = event.args as Record<string, unknown>;
    const result = args.result as Hex | undefined;
    const price = table.get(pricedBy(event.eventName));
    if (!result || !price) continue;
    const operands = ['lhs', 'rhs', 'ct', 'control', 'ifTrue', 'ifFalse']
      .map((name) => args[name])
      .filter((v): v is Hex => typeof v === 'string');
    const scalar = args.scalarByte === '0x01';
    const encryptedOperands = operands.filter((h) => !(scalar && h === args.rhs));
    const pricedType = typeOfHandle(
      (args.lhs as string) ?? (args.ct as string) ?? (args.ifTrue as string) ?? result,
    );
    const hcu = (scalar ? price.scalar : price.encrypted).get(pricedType) ?? 0;
    globalHCU += hcu;
    const d = hcu + Math.max(0, ...encryptedOperands.map((h) => depth[h] ?? 0));
    depth[result] = d;
    maxHCUDepth = Math.max(maxHCUDepth, d);
  }
  return { transactionHash, globalHCU, maxHCUDepth, HCUDepthByHandle: depth };
}
