import { type Address, type Hex, type Log, numberToHex, parseEventLogs } from 'viem';
import { aclEventsAbi, fhevmExecutorEventsAbi } from '../chain/abis.js';
import { typeOfHandle } from '../fhevm/handles.js';
import { FheOp } from '../fhevm/operations.js';
import { AllowedEventType, type IngestedBlock, type NewComputation } from './store.js';

const BINARY_OPS = {
  FheAdd: FheOp.Add,
  FheSub: FheOp.Sub,
  FheMul: FheOp.Mul,
  FheDiv: FheOp.Div,
  FheRem: FheOp.Rem,
  FheBitAnd: FheOp.BitAnd,
  FheBitOr: FheOp.BitOr,
  FheBitXor: FheOp.BitXor,
  FheShl: FheOp.Shl,
  FheShr: FheOp.Shr,
  FheRotl: FheOp.Rotl,
  FheRotr: FheOp.Rotr,
  FheEq: FheOp.Eq,
  FheNe: FheOp.Ne,
  FheGe: FheOp.Ge,
  FheGt: FheOp.Gt,
  FheLe: FheOp.Le,
  FheLt: FheOp.Lt,
  FheMin: FheOp.Min,
  FheMax: FheOp.Max,
} as const;

type BlockRows = Pick<IngestedBlock, 'computations' | 'allowed' | 'delegations'>;

export interface HostEventAddresses {
  acl: Address;
  executor: Address;
}

/**
 * Turns one block's FHEVMExecutor and ACL logs into store rows (docs/fhevm-protocol.md §Host events). The
 * result handle is taken from the event, never recomputed. Logs from other addresses, VerifyInput
 * (its ciphertext comes from an input proof) and administrative events produce no rows.
 */
export function decodeHostLogs(logs: readonly Log[], addresses: HostEventAddresses): BlockRows {
  const rows: BlockRows = { computations: [], allowed: [], delegations: [] };
  const sorted = [...logs].sort((a, b) => Number(a.logIndex) - Number(b.logIndex));
  const fromExecutor = sorted.filter((log) => sameAddress(log.address, addresses.executor));
  const fromAcl = sorted.filter((log) => sameAddress(log.address, addresses.acl));

  for (const log of parseEventLogs({ abi: fhevmExecutorEventsAbi, logs: fromExecutor })) {
    const at = {
      txHash: log.transactionHash!,
      blockNumber: Number(log.blockNumber),
      logIndex: log.logIndex!,
    };
    const computation = (row: Omit<NewComputation, keyof typeof at | 'resultType'>): NewComputation => ({
      ...row,
      ...at,
      resultType: typeOfHandle(row.outputHandle),
    });
    const { eventName, args } = log;
    if (eventName in BINARY_OPS) {
      const binary = args as { lhs: Hex; rhs: Hex; scalarByte: Hex; result: Hex };
      const isScalar = Number.parseInt(binary.scalarByte.slice(2), 16) !== 0;
      rows.computations.push(
        computation({
          outputHandle: binary.result,
          op: BINARY_OPS[eventName as keyof typeof BINARY_OPS],
          operands: [{ handle: binary.lhs }, isScalar ? { scalar: binary.rhs } : { handle: binary.rhs }],
          isScalar,
          seed: null,
        }),
      );
      continue;
    }
    switch (log.eventName) {
      case 'FheNeg':
      case 'FheNot':
        rows.computations.push(
          computation({
            outputHandle: log.args.result,
            op: log.eventName === 'FheNeg' ? FheOp.Neg : FheOp.Not,
            operands: [{ handle: log.args.ct }],
            isScalar: false,
            seed: null,
          }),
        );
        break;
      case 'FheIfThenElse':
        rows.computations.push(
          computation({
            outputHandle: log.args.result,
            op: FheOp.IfThenElse,
            operands: [
              { handle: log.args.control },
              { handle: log.args.ifTrue },
              { handle: log.args.ifFalse },
            ],
            isScalar: false,
            seed: null,
          }),
        );
        break;
      case 'Cast':
        rows.computations.push(
          computation({
            outputHandle: log.args.result,
            op: FheOp.Cast,
            operands: [{ handle: log.args.ct }],
            isScalar: true,
            seed: null,
          }),
        );
        break;
      case 'TrivialEncrypt':
        rows.computations.push(
          computation({
            outputHandle: log.args.result,
            op: FheOp.TrivialEncrypt,
            operands: [{ scalar: numberToHex(log.args.pt, { size: 32 }) }],
            isScalar: true,
            seed: null,
          }),
        );
        break;
      case 'FheRand':
        rows.computations.push(
          computation({
            outputHandle: log.args.result,
            op: FheOp.Rand,
            operands: [],
            isScalar: true,
            seed: log.args.seed,
          }),
        );
        break;
      case 'FheRandBounded':
        rows.computations.push(
          computation({
            outputHandle: log.args.result,
            op: FheOp.RandBounded,
            operands: [{ scalar: numberToHex(log.args.upperBound, { size: 32 }) }],
            isScalar: true,
            seed: log.args.seed,
          }),
        );
        break;
    }
  }

  for (const log of parseEventLogs({ abi: aclEventsAbi, logs: fromAcl })) {
    const txHash = log.transactionHash!;
    switch (log.eventName) {
      case 'Allowed':
        rows.allowed.push({
          handle: log.args.handle,
          account: lowerHex(log.args.account),
          eventType: AllowedEventType.Allowed,
          txHash,
        });
        break;
      case 'AllowedForDecryption':
        for (const handle of log.args.handlesList) {
          rows.allowed.push({
            handle,
            account: '',
            eventType: AllowedEventType.AllowedForDecryption,
            txHash,
          });
        }
        break;
      case 'DelegatedForUserDecryption':
      case 'RevokedDelegationForUserDecryption':
        rows.delegations.push({
          delegator: lowerHex(log.args.delegator),
          delegate: lowerHex(log.args.delegate),
          contractAddress: lowerHex(log.args.contractAddress),
          delegationCounter: log.args.delegationCounter,
          oldExpiration: log.args.oldExpirationDate,
          newExpiration: log.eventName === 'DelegatedForUserDecryption' ? log.args.newExpirationDate : 0n,
          txHash,
          logIndex: log.logIndex!,
        });
        break;
    }
  }
  return rows;
}

const lowerHex = (address: Address): Hex => address.toLowerCase() as Hex;
const sameAddress = (a: Address, b: Address) => a.toLowerCase() === b.toLowerCase();
