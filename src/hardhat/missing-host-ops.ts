import { type Hex, toFunctionSelector } from 'viem';
import { FhekitError } from '../errors.js';

/** Host-contract functions newer `@fhevm/solidity` releases call that `@fhevm/host-contracts@0.10.0` lacks. */
const MISSING = [
  { signature: 'fheSum(bytes32[],uint8)', contract: 'FHEVMExecutor', library: 'FHE.sum' },
  { signature: 'fheIsIn(bytes32,bytes32[],uint8)', contract: 'FHEVMExecutor', library: 'FHE.isIn' },
  {
    signature: 'getContextSignersAndThresholdFromExtraData(bytes)',
    contract: 'KMSVerifier',
    library: 'FHE.isPublicDecryptionResultValid',
  },
].map((op) => ({ ...op, selector: toFunctionSelector(op.signature).slice(2) }));

export type MissingHostOp = Omit<(typeof MISSING)[number], 'selector'>;

/** The missing functions a contract's runtime bytecode calls (a `PUSH4 <selector>` in its code). */
export function missingHostOpsIn(bytecode: Hex): MissingHostOp[] {
  const code = bytecode.toLowerCase();
  return MISSING.filter((op) => code.includes(`63${op.selector}`)).map(({ selector: _, ...op }) => op);
}

/**
 * A transaction to `contract` reverted without data and its code calls functions the deployed host
 * contracts do not have: the likely cause, as a FhekitError that says what to do.
 */
export function missingHostOpError(
  contract: string,
  ops: readonly MissingHostOp[],
  cause: unknown,
): FhekitError {
  const names = ops.map((op) => `${op.library} (${op.contract}.${op.signature.split('(')[0]})`).join(', ');
  return new FhekitError(
    'FHE_HOST_OP_MISSING',
    `The call to ${contract} reverted; that contract uses ${names}, which the deployed host contracts (@fhevm/host-contracts 0.10.0, matching @fhevm/solidity 0.11) do not implement.`,
    {
      hint: 'Avoid these @fhevm/solidity 0.13 functions (FHE.sum → a loop of FHE.add, FHE.isIn → FHE.eq + FHE.or, FHE.checkSignatures instead of isPublicDecryptionResultValid), or pin @fhevm/solidity to 0.11.x.',
      cause,
    },
  );
}
