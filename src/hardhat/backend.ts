import type { Address, Hex } from 'viem';
import type { SdkChainConfig } from '../chain/start-chain.js';
import type { AcceptedInput, DirectInputRequest } from '../inputs/input-service.js';
import type { FheRunReport } from './run-report.js';

/**
 * What `hre.fhevm` needs from the fhEVM backend behind the chain, whichever runs it: the in-process one
 * fhekit starts on Hardhat's own network, or a running `fhe dev up` stack.
 */
export interface FhevmBackend {
  /** `createInstance` config for `@zama-fhe/relayer-sdk` (without `network`, the caller's provider). */
  readonly sdkConfig: Omit<SdkChainConfig, 'network'> & { relayerUrl: string };
  /**
   * Resolves once every handle's ciphertext is stored (the listener has seen its transaction and the
   * engine computed it). Bounded; a failed or unknown handle is a FhekitError naming it.
   */
  waitForHandles(handles: readonly Hex[]): Promise<void>;
  /** Clear value of a handle with the keyset's client key, bypassing the ACL (the debugger). */
  debugDecrypt(handle: Hex): Promise<bigint>;
  /** KMS signatures over (handles, abi-encoded values) that `FHE.checkSignatures` accepts. */
  signDecryption(handles: readonly Hex[], values: readonly bigint[]): Promise<Hex[]>;
  /**
   * Encrypts and signs plaintext inputs in-process (no ZK proof); undefined when inputs go through the
   * SDK's proofs (`FHE_INPUTS=proven`, or a running stack).
   */
  acceptDirectInput?: (request: DirectInputRequest) => Promise<AcceptedInput>;
  /** FHE work done since the backend started (for the end-of-run report); a stack's includes other clients'. */
  report(): Promise<FheRunReport>;
  readonly addresses: { acl: Address; executor: Address; kmsVerifier: Address };
  stop(): Promise<void>;
}
