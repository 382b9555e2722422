import { type Address, decodeErrorResult, getAddress, type Hex, isHex } from 'viem';
import { inputVerifierAbi } from '../chain/abis.js';
import type { FhevmContractError } from './fhevm-types.js';

/** Where an encrypted input was bound: the contract and user `createEncryptedInput` was given. */
export interface InputBinding {
  contractAddress: Address;
  userAddress: Address;
}

/** Revert data and transaction hash, wherever Hardhat, EDR or ethers put them in the error chain. */
export function revertDataOf(error: unknown): { data: Hex; txHash: Hex | undefined } | undefined {
  const seen = new Set<unknown>();
  let txHash: Hex | undefined;
  let data: Hex | undefined;
  const visit = (value: unknown): void => {
    if (value === null || typeof value !== 'object' || seen.has(value)) return;
    seen.add(value);
    const record = value as Record<string, unknown>;
    for (const key of ['txHash', 'transactionHash']) {
      const hash = record[key];
      if (txHash === undefined && typeof hash === 'string' && isHex(hash) && hash.length === 66)
        txHash = hash;
    }
    const candidate = record.data;
    if (data === undefined && typeof candidate === 'string' && isHex(candidate) && candidate.length >= 10) {
      data = candidate;
    }
    for (const key of ['data', 'error', 'cause', 'info', 'receipt']) visit(record[key]);
  };
  visit(error);
  return data === undefined ? undefined : { data, txHash };
}

/**
 * `tryParseFhevmError`: an `InputVerifier.InvalidSigner` revert (an input proof used by another contract
 * or signer than it was made for) explained with both bindings; any other error is not one of these.
 */
export function explainInputVerifierError(
  data: Hex,
  tx: { from?: Address; to?: Address } | undefined,
  input: InputBinding | undefined,
): FhevmContractError | undefined {
  let name: string;
  try {
    name = decodeErrorResult({ abi: inputVerifierAbi, data }).errorName;
  } catch {
    return undefined;
  }
  if (name !== 'InvalidSigner') return undefined;
  const txContract = tx?.to && getAddress(tx.to);
  const txUser = tx?.from && getAddress(tx.from);
  const differences = [
    input && txContract && input.contractAddress !== txContract
      ? `the transaction calls ${txContract}, the input was made for contract ${input.contractAddress}`
      : undefined,
    input && txUser && input.userAddress !== txUser
      ? `the transaction is signed by ${txUser}, the input was made for user ${input.userAddress}`
      : undefined,
  ].filter((line): line is string => line !== undefined);
  const shortMessage =
    differences.length > 0
      ? `Encrypted input used out of its binding: ${differences.join('; ')}.`
      : 'The input proof does not verify for this transaction: an encrypted input is bound to the contract and the user it was created for.';
  return {
    type: 'InputVerifier',
    name: 'InvalidSigner',
    ...(txContract ? { txContractAddress: txContract } : {}),
    ...(txUser ? { txUserAddress: txUser } : {}),
    ...(input ? { inputContractAddress: input.contractAddress, inputUserAddress: input.userAddress } : {}),
    shortMessage,
    longMessage: `${shortMessage}\nCreate the input with the contract that consumes it and the signer that sends the transaction:\n  const input = fhevm.createEncryptedInput(await contract.getAddress(), signer.address);\n  await contract.connect(signer).someFunction(...);`,
  };
}
