import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { FheType } from './fhe-types.js';
import { BINARY_OPS, FheOp, opName } from './operations.js';

/**
 * HCU (homomorphic complexity units): what the host chain's HCULimit contract charges per op, and the
 * per-transaction limits it enforces. Read from the `HCULimit.sol` source shipped in
 * `@fhevm/host-contracts` (the contract whose bytecode is deployed), so they cannot drift from the chain.
 */
export interface HcuLimits {
  /** Sum of the HCU of every op in one transaction (the contract reverts at or above it). */
  perTransaction: number;
  /** Longest chain of dependent ops in one transaction, summed along the chain. */
  depthPerTransaction: number;
}

interface HcuTable {
  /** `checkHCUFor<Name>` → prices by priced type, scalar and encrypted branches. */
  prices: Map<string, { scalar: Map<FheType, number>; encrypted: Map<FheType, number> }>;
  limits: HcuLimits;
}

const TYPE_CODES: Record<string, FheType> = {
  Bool: FheType.Bool,
  Uint8: FheType.Uint8,
  Uint16: FheType.Uint16,
  Uint32: FheType.Uint32,
  Uint64: FheType.Uint64,
  Uint128: FheType.Uint128,
  Uint160: FheType.Uint160,
  Uint256: FheType.Uint256,
};

let table: HcuTable | undefined;

function hcuTable(): HcuTable {
  if (table) return table;
  const path = createRequire(import.meta.url).resolve('@fhevm/host-contracts/contracts/HCULimit.sol');
  const source = readFileSync(path, 'utf8');
  const constant = (name: string) => {
    const match = new RegExp(`${name}\\s*=\\s*([\\d_]+)`).exec(source);
    if (!match?.[1]) throw new Error(`HCULimit.sol has no ${name}`);
    return Number(match[1].replaceAll('_', ''));
  };
  const prices: HcuTable['prices'] = new Map();
  // In each `checkHCUFor<Name>`, the `scalarByte == 0x01` branch and the other one map `FheType.X` to `opHCU = N`.
  for (const body of source.split(/function checkHCUFor/).slice(1)) {
    const name = /^(\w+)/.exec(body)?.[1] ?? '';
    const scalarAt = body.indexOf('scalarByte == 0x01');
    const elseAt =
      scalarAt < 0 ? -1 : body.indexOf('} else {', body.indexOf('revert UnsupportedOperation', scalarAt));
    const read = (text: string) => {
      const map = new Map<FheType, number>();
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
  table = {
    prices,
    limits: {
      perTransaction: constant('MAX_HOMOMORPHIC_COMPUTE_UNITS_PER_TX'),
      depthPerTransaction: constant('MAX_HOMOMORPHIC_COMPUTE_UNITS_DEPTH_PER_TX'),
    },
  };
  return table;
}

export function hcuLimits(): HcuLimits {
  return hcuTable().limits;
}

/** The HCULimit function that prices `op`: `checkHCUForFheAdd`, but `Cast`, `TrivialEncrypt`, `IfThenElse`. */
function pricingFunction(op: FheOp): string {
  const name = opName(op);
  return op === FheOp.Cast || op === FheOp.TrivialEncrypt || op === FheOp.IfThenElse ? name : `Fhe${name}`;
}

/** Binary ops the executor prices by their lhs operand's type (the rest by the result type). */
const PRICED_BY_LHS: ReadonlySet<FheOp> = new Set(BINARY_OPS);

/**
 * The HCU HCULimit charges for one op. Binary ops are priced by the lhs type (a comparison's result is
 * a Bool, its price is the operands'); Neg, Not, select, casts (the target type), trivial encryptions
 * and random values by the result type. 0 for a combination the contract does not price.
 */
export function opHcu(op: FheOp, scalar: boolean, lhsType: FheType | null, resultType: FheType): number {
  const price = hcuTable().prices.get(pricingFunction(op));
  const pricedType = PRICED_BY_LHS.has(op) ? (lhsType ?? resultType) : resultType;
  return (scalar ? price?.scalar : price?.encrypted)?.get(pricedType) ?? 0;
}
