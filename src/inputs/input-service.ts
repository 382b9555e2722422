import { createHash } from 'node:crypto';
import type { Address, Hex, LocalAccount } from 'viem';
import type { InputCiphertext } from '../coprocessor/store.js';
import { FhekitError } from '../errors.js';
import { bitsOf, type FheType, nameOf } from '../fhevm/fhe-types.js';
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

/** Plaintext values a trusted local caller asks the stack to encrypt and sign (`--inputs direct`). */
export interface DirectInputRequest {
  values: readonly { type: FheType; value: bigint }[];
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
  /**
   * Encrypts one plaintext as stored ciphertext bytes. Given only when the stack runs with direct
   * inputs; without it `acceptDirectInput` refuses.
   */
  encryptDirect?: (type: FheType, value: bigint) => Uint8Array;
}

export interface InputService {
  /**
   * Verifies the proof, expands and stores the values, and signs their handles. Any rejection is a
   * FhekitError (INPUT_*) thrown before anything is stored.
   */
  acceptInput(request: InputRequest): Promise<AcceptedInput>;
  /**
   * Encrypts, stores and signs plaintext values exactly like the values of a verified proven list, with
   * no proof: the on-chain path (`FHE.fromExternal`, InputVerifier) is the same. Only for callers that
   * hold the stack's local secret; INPUT_DIRECT_DISABLED unless the stack was started with direct inputs.
   */
  acceptDirectInput(request: DirectInputRequest): Promise<AcceptedInput>;
}

export function createInputService(options: InputServiceOptions): InputService {
  const limits = { ...DEFAULT_INPUT_LIMITS, ...options.limits };

  function checkChain(contractChainId: bigint): void {
    if (contractChainId !== options.hostChainId) {
      throw new FhekitError(
        'INPUT_WRONG_CHAIN',
        `Input is for chain ${contractChainId}; this stack's host chain is ${options.hostChainId}.`,
        { hint: 'Create the SDK instance with this stack’s chain id.' },
      );
    }
  }

  /** Signs the handles for (user, contract) and stores their ciphertexts: the end of both input paths. */
  async function signAndStore(
    request: Omit<InputRequest, 'ciphertextWithZkProof'>,
    blobHash: Hex,
    types: readonly FheType[],
    ciphertexts: readonly Uint8Array[],
  ): Promise<{ handles: Hex[]; signatures: Hex[]; signMs: number }> {
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
    return { handles, signatures, signMs };
  }

  return {
    async acceptInput(request) {
      checkChain(request.contractChainId);
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
      const { handles, signatures, signMs } = await signAndStore(request, blobHash, types, ciphertexts);
      return { handles, signatures, extraData: request.extraData, timings: { verifyMs, expandMs, signMs } };
    },

    async acceptDirectInput(request) {
      const encrypt = options.encryptDirect;
      if (encrypt === undefined) {
        throw new FhekitError(
          'INPUT_DIRECT_DISABLED',
          'This stack does not accept direct (unproven) inputs.',
          {
            hint: 'Start it with `--inputs direct` (FHE_INPUTS=direct), or encrypt with the SDK (proven inputs).',
          },
        );
      }
      checkChain(request.contractChainId);
      const types = request.values.map((v) => v.type);
      checkInputValues(types, limits);
      const expandStarted = performance.now();
      const ciphertexts = request.values.map(({ type, value }) => {
        checkPlaintextFits(type, value);
        return encrypt(type, value);
      });
      const expandMs = performance.now() - expandStarted;
      // The blob these handles come from: the fresh (randomised) ciphertexts, so every call is unique. No
      // proof binds this blob, so it is their SHA-256 (native) rather than the megabyte of ciphertexts itself
      // (keccak in JavaScript: ~0.1 s for one input of each type).
      const digest = createHash('sha256');
      for (const ciphertext of ciphertexts) digest.update(ciphertext);
      const blobHash = inputBlobHash(digest.digest());
      const { handles, signatures, signMs } = await signAndStore(request, blobHash, types, ciphertexts);
      return {
        handles,
        signatures,
        extraData: request.extraData,
        timings: { verifyMs: 0, expandMs, signMs },
      };
    },
  };
}

function checkPlaintextFits(type: FheType, value: bigint): void {
  if (value < 0n || value >= 1n << BigInt(bitsOf(type))) {
    throw new FhekitError('INPUT_VALUE_OUT_OF_RANGE', `${value} does not fit an ${nameOf(type)}.`, {
      hint: `Pass a value from 0 to 2^${bitsOf(type)} - 1.`,
    });
  }
}
