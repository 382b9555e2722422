import type { Address, Hex, LocalAccount } from 'viem';
import type { InputCiphertext } from '../coprocessor/store.js';
import { FhekitError } from '../errors.js';
import { inputBlobHash, inputHandle } from '../fhevm/handles.js';
import { type InputVerificationDomain, signCiphertextVerification } from './ciphertext-verification.js';
import type { InputExpander } from './expander.js';
import { readInputTypes } from './input-types.js';
import { checkInputSize, checkInputValues, DEFAULT_INPUT_LIMITS, type InputLimits } from './limits.js';
import { inputProofMetadata } from './metadata.js';
import type { InputProofVerifier } from './toy-key-verifier.js';

/** The part of the coprocessor store inputs write to (CoprocessorStore satisfies it). */
export interface InputStore {
  insertInputCiphertexts(inputs: readonly InputCiphertext[]): Promise<void>;
}

/** What a client submits: the SDK's `input-proof` request, decoded. */
export interface InputRequest {
  ciphertextWithZkProof: Uint8Array;
  contractAddress: Address;
  userAddress: Address;
  contractChainId: bigint;
  extraData: Hex;
}

export interface AcceptedInput {
  handles: Hex[];
  /** One CiphertextVerification signature per coprocessor signer. */
  signatures: Hex[];
  extraData: Hex;
  timings: { verifyMs: number; expandMs: number; signMs: number };
}

export interface InputServiceOptions {
  hostChainId: bigint;
  aclAddress: Address;
  domain: InputVerificationDomain;
  /** The coprocessor signers registered in InputVerifier (usually one). */
  signers: readonly LocalAccount[];
  verifier: InputProofVerifier;
  expander: InputExpander;
  store: InputStore;
  limits?: Partial<InputLimits>;
}

export interface InputService {
  /**
   * Verifies the proof, expands and stores the values, and signs their handles. Any rejection is a
   * FhekitError (INPUT_*) thrown before anything is stored.
   */
  acceptInput(request: InputRequest): Promise<AcceptedInput>;
}

export function createInputService(options: InputServiceOptions): InputService {
  const limits = { ...DEFAULT_INPUT_LIMITS, ...options.limits };
  return {
    async acceptInput(request) {
      if (request.contractChainId !== options.hostChainId) {
        throw new FhekitError(
          'INPUT_WRONG_CHAIN',
          `Input is for chain ${request.contractChainId}; this stack's host chain is ${options.hostChainId}.`,
          { hint: 'Create the SDK instance with this stack’s chain id.' },
        );
      }
      checkInputSize(request.ciphertextWithZkProof.length, limits);
      const types = readInputTypes(request.ciphertextWithZkProof);
      checkInputValues(types, limits);
      const metadata = inputProofMetadata(
        request.contractAddress,
        request.userAddress,
        options.aclAddress,
        request.contractChainId,
      );
      const verifyStarted = performance.now();
      await options.verifier.verify(request.ciphertextWithZkProof, metadata);
      const verifyMs = performance.now() - verifyStarted;

      const expandStarted = performance.now();
      const ciphertexts = await options.expander.expand(request.ciphertextWithZkProof, types);
      const expandMs = performance.now() - expandStarted;

      const blobHash = inputBlobHash(request.ciphertextWithZkProof);
      const handles = types.map((type, index) =>
        inputHandle(blobHash, index, options.aclAddress, request.contractChainId, type),
      );
      const signStarted = performance.now();
      const signatures = await Promise.all(
        options.signers.map((signer) =>
          signCiphertextVerification(signer, options.domain, {
            ctHandles: handles,
            userAddress: request.userAddress,
            contractAddress: request.contractAddress,
            contractChainId: request.contractChainId,
            extraData: request.extraData,
          }),
        ),
      );
      const signMs = performance.now() - signStarted;

      await options.store.insertInputCiphertexts(
        handles.map((handle, index) => ({
          handle,
          type: types[index]!,
          bytes: ciphertexts[index]!,
          blobHash,
          index,
        })),
      );
      return { handles, signatures, extraData: request.extraData, timings: { verifyMs, expandMs, signMs } };
    },
  };
}
