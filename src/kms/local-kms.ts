import type { TfheClientKey } from 'node-tfhe';
import {
  type Address,
  encodeAbiParameters,
  getAddress,
  type Hex,
  isAddressEqual,
  type PrivateKeyAccount,
} from 'viem';
import { FhekitError } from '../errors.js';
import { inputBitsOf } from '../fhevm/fhe-types.js';
import { type ParsedHandle, parseHandle } from '../fhevm/handles.js';
import { MAX_DECRYPTION_BITS } from '../fhevm/limits.js';
import { decryptWithClientKey } from '../tfhe/client-ciphertexts.js';
import { type AclHistory, describeDelegation, describeGrants } from './acl-history.js';
import type { AclReader } from './acl-reader.js';
import { type CiphertextSource, isKnownHandle, waitForCiphertexts } from './ciphertext-source.js';
import {
  type DecryptionDomain,
  PUBLIC_DECRYPT_EXTRA_DATA,
  recoverUserDecryptSigner,
  signPublicDecryptVerification,
  type UserDecryptAuthorization,
} from './kms-eip712.js';
import {
  checkUserPublicKey,
  signcryptUserDecryption,
  type UserDecryptShare,
} from './user-decrypt-signcryption.js';

/** Gateway limits on one decryption request (`Decryption.sol`). */
const MAX_CONTRACTS = 10;
const MAX_DURATION_DAYS = 365n;
const SECONDS_PER_DAY = 86_400n;
export const DEFAULT_DECRYPT_TIMEOUT_MS = 10 * 60_000;

export interface LocalKmsOptions {
  hostChainId: bigint;
  domain: DecryptionDomain;
  /**
   * The KMS signers registered in KMSVerifier. SDK user decryption needs exactly one (the SDK treats
   * a single signer as a centralized KMS; several would need threshold shares).
   */
  signers: readonly PrivateKeyAccount[];
  clientKey: TfheClientKey;
  acl: AclReader;
  ciphertexts: CiphertextSource;
  /** The coprocessor's record of ACL events: refusals then say who was allowed (optional). */
  aclHistory?: AclHistory;
  /**
   * How long a decryption waits for a handle the coprocessor has not computed yet (default 10 min):
   * it may be queued behind minutes of work.
   */
  waitTimeoutMs?: number;
  /** Clock in seconds, for request validity (e.g. the host chain's latest block time). */
  now?: () => bigint | Promise<bigint>;
}

export interface PublicDecryption {
  handles: Hex[];
  values: bigint[];
  /** abi.encode(values…): every fhEVM type is one static 32-byte word. */
  decryptedResult: Hex;
  /** One PublicDecryptVerification signature per KMS signer; `FHE.checkSignatures` accepts them. */
  signatures: Hex[];
  extraData: Hex;
}

export interface UserDecryptRequest extends UserDecryptAuthorization {
  handleContractPairs: readonly { handle: Hex; contractAddress: Address }[];
  contractsChainId: bigint;
  /** The account whose permissions are checked; for a delegated request, the delegate signing it. */
  userAddress: Address;
  signature: Hex;
}

export interface UserDecryption {
  handles: Hex[];
  values: bigint[];
}

export interface LocalKms {
  publicDecrypt(handles: readonly string[]): Promise<PublicDecryption>;
  /** Plaintexts for an authorised user (or delegate), in clear: fhekit's own client call. */
  userDecrypt(request: UserDecryptRequest): Promise<UserDecryption>;
  /** The same, answered as relayer-sdk expects: plaintexts signcrypted to the request's ML-KEM key. */
  userDecryptShares(request: UserDecryptRequest): Promise<UserDecryptShare[]>;
  /**
   * The developer's debugger on a local stack (its API token holder): clear values of any handles,
   * without the ACL, as the Hardhat plugin's `debugger.decrypt*` promise.
   */
  debugDecrypt(handles: readonly string[]): Promise<bigint[]>;
  /** PublicDecryptVerification signatures over (handles, abi-encoded values), for oracle-style tests. */
  signDecryption(handles: readonly Hex[], values: readonly bigint[]): Promise<Hex[]>;
}

export function createLocalKms(options: LocalKmsOptions): LocalKms {
  const waitTimeoutMs = options.waitTimeoutMs ?? DEFAULT_DECRYPT_TIMEOUT_MS;
  const now = options.now ?? (() => BigInt(Math.floor(Date.now() / 1000)));

  function parseRequestHandles(handles: readonly string[]): ParsedHandle[] {
    if (handles.length === 0) {
      throw new FhekitError('KMS_NO_HANDLES', 'The request names no handle.', {
        hint: 'Pass at least one handle.',
      });
    }
    const parsed = handles.map(parseHandle);
    for (const { handle, chainId } of parsed) {
      if (chainId !== options.hostChainId) {
        throw new FhekitError(
          'KMS_WRONG_CHAIN',
          `Handle ${handle} belongs to chain ${chainId}, not ${options.hostChainId}.`,
          {
            hint: 'Decrypt handles produced on this stack’s chain.',
          },
        );
      }
    }
    const bits = parsed.reduce((sum, h) => sum + inputBitsOf(h.type), 0);
    if (bits > MAX_DECRYPTION_BITS) {
      throw new FhekitError(
        'KMS_TOO_MANY_BITS',
        `The request covers ${bits} bits; at most ${MAX_DECRYPTION_BITS}.`,
        {
          hint: 'Split the handles over several requests.',
        },
      );
    }
    return parsed;
  }

  /** Why a handle is not publicly decryptable: never seen by this stack, or not made decryptable. */
  async function refusal(handle: Hex): Promise<FhekitError> {
    if (!(await isKnownHandle(options.ciphertexts, handle))) {
      return new FhekitError(
        'KMS_UNKNOWN_HANDLE',
        `Handle ${handle} is not publicly decryptable, and this stack has no ciphertext or computation for it.`,
        {
          hint: 'Use a handle returned by a transaction on this stack’s chain (or by its input verification).',
        },
      );
    }
    return new FhekitError(
      'KMS_NOT_ALLOWED_FOR_DECRYPTION',
      `Handle ${handle} is not publicly decryptable.`,
      {
        hint: 'The contract must call FHE.makePubliclyDecryptable(handle) first.',
      },
    );
  }

  async function decrypt(parsed: readonly ParsedHandle[]): Promise<bigint[]> {
    const bytes = await waitForCiphertexts(
      options.ciphertexts,
      parsed.map((h) => h.handle),
      { timeoutMs: waitTimeoutMs },
    );
    return parsed.map((h, i) => decryptWithClientKey(h.type, bytes[i]!, options.clientKey));
  }

  const sign = (handles: readonly Hex[], decryptedResult: Hex) =>
    Promise.all(
      options.signers.map((signer) =>
        signPublicDecryptVerification(signer, options.domain, handles, decryptedResult),
      ),
    );
  const encodeValues = (values: readonly bigint[]) =>
    encodeAbiParameters(
      values.map(() => ({ type: 'uint256' })),
      values,
    );

  return {
    async publicDecrypt(handles) {
      const parsed = parseRequestHandles(handles);
      for (const { handle } of parsed) {
        if (!(await options.acl.isAllowedForDecryption(handle))) throw await refusal(handle);
      }
      const values = await decrypt(parsed);
      const ordered = parsed.map((h) => h.handle);
      const decryptedResult = encodeValues(values);
      const signatures = await sign(ordered, decryptedResult);
      return { handles: ordered, values, decryptedResult, signatures, extraData: PUBLIC_DECRYPT_EXTRA_DATA };
    },

    userDecrypt: authorizeAndDecrypt,

    debugDecrypt: async (handles) => decrypt(parseRequestHandles(handles)),

    signDecryption: async (handles, values) => sign(handles, encodeValues(values)),

    async userDecryptShares(request) {
      if (options.signers.length !== 1) {
        throw new FhekitError(
          'KMS_SIGNCRYPTION_NEEDS_ONE_SIGNER',
          `The KMS has ${options.signers.length} signers.`,
          {
            hint: 'SDK user decryption from this local KMS works with exactly one KMS signer.',
          },
        );
      }
      checkUserPublicKey(request.publicKey);
      const { handles, values } = await authorizeAndDecrypt(request);
      const share = await signcryptUserDecryption({
        signer: options.signers[0]!,
        domain: options.domain,
        userAddress: request.userAddress,
        publicKey: request.publicKey,
        plaintexts: handles.map((handle, i) => ({
          handle,
          type: parseHandle(handle).type,
          value: values[i]!,
        })),
      });
      return [share];
    },
  };

  async function authorizeAndDecrypt(request: UserDecryptRequest): Promise<UserDecryption> {
    if (request.contractsChainId !== options.hostChainId) {
      throw new FhekitError(
        'KMS_WRONG_CHAIN',
        `Request is for chain ${request.contractsChainId}, not ${options.hostChainId}.`,
        {
          hint: 'Create the SDK instance with this stack’s chain id.',
        },
      );
    }
    checkValidity(request, await now());
    const contracts = request.contractAddresses;
    if (contracts.length === 0 || contracts.length > MAX_CONTRACTS) {
      throw new FhekitError(
        'KMS_BAD_CONTRACTS',
        `The request lists ${contracts.length} contracts; 1 to ${MAX_CONTRACTS}.`,
        {
          hint: 'List every contract whose handles you decrypt, at most 10.',
        },
      );
    }
    const parsed = parseRequestHandles(request.handleContractPairs.map((p) => p.handle));

    const signer = await recoverUserDecryptSigner(
      options.domain.decryptionAddress,
      options.hostChainId,
      request,
      request.signature,
    ).catch(() => undefined);
    if (signer === undefined || !isAddressEqual(signer, request.userAddress)) {
      throw new FhekitError(
        'KMS_BAD_USER_SIGNATURE',
        `The request is not signed by ${request.userAddress}.`,
        {
          hint: 'Sign the EIP-712 message from `instance.createEIP712(...)` with the user’s wallet.',
        },
      );
    }

    const owner = request.delegatorAddress ?? request.userAddress;
    for (const { handle, contractAddress } of request.handleContractPairs) {
      if (!contracts.some((c) => isAddressEqual(c, contractAddress))) {
        throw new FhekitError(
          'KMS_BAD_CONTRACTS',
          `Contract ${contractAddress} is not in the signed contract list.`,
          {
            hint: 'Sign a request that lists every contract of the handle/contract pairs.',
          },
        );
      }
      if (isAddressEqual(owner, contractAddress)) {
        throw new FhekitError('KMS_NOT_ALLOWED', 'The user address must differ from the contract address.', {
          hint: 'Decrypt as the account the contract granted access to.',
        });
      }
      await checkUserAllowed(options.acl, options.aclHistory, handle, owner, contractAddress, request);
    }
    return { handles: parsed.map((h) => h.handle), values: await decrypt(parsed) };
  }
}

function checkValidity(request: UserDecryptAuthorization, now: bigint): void {
  if (request.durationDays <= 0n || request.durationDays > MAX_DURATION_DAYS) {
    throw new FhekitError(
      'KMS_BAD_VALIDITY',
      `durationDays is ${request.durationDays}; it must be 1 to 365.`,
      {
        hint: 'Sign a new request with a validity of at most 365 days.',
      },
    );
  }
  if (request.startTimestamp > now) {
    throw new FhekitError('KMS_BAD_VALIDITY', 'The request starts in the future.', {
      hint: 'Use the current time (in seconds) as startTimestamp.',
    });
  }
  if (request.startTimestamp + request.durationDays * SECONDS_PER_DAY < now) {
    throw new FhekitError('KMS_REQUEST_EXPIRED', 'The user-decrypt authorisation has expired.', {
      hint: 'Sign a new request (instance.createEIP712) with a current startTimestamp.',
    });
  }
}

async function checkUserAllowed(
  acl: AclReader,
  history: AclHistory | undefined,
  handle: Hex,
  owner: Address,
  contractAddress: Address,
  request: UserDecryptRequest,
): Promise<void> {
  const [ownerAllowed, contractAllowed] = await Promise.all([
    acl.persistAllowed(handle, owner),
    acl.persistAllowed(handle, contractAddress),
  ]);
  if (!ownerAllowed || !contractAllowed) {
    const who = !ownerAllowed ? getAddress(owner) : `contract ${getAddress(contractAddress)}`;
    const seen = history ? ` ${await describeGrants(history, handle)}` : '';
    throw new FhekitError('KMS_NOT_ALLOWED', `ACL does not allow ${who} on handle ${handle}.`, {
      hint: `The contract must FHE.allow(handle, user) and FHE.allowThis(handle) (persistently) first.${seen}`,
    });
  }
  if (
    request.delegatorAddress !== undefined &&
    !(await acl.isHandleDelegatedForUserDecryption(owner, request.userAddress, contractAddress, handle))
  ) {
    throw new FhekitError(
      'KMS_NOT_DELEGATED',
      `${request.delegatorAddress} has not delegated ${handle} to ${request.userAddress}.`,
      {
        hint: `The delegator must call ACL.delegateForUserDecryption(delegate, contract, expiration) first.${
          history
            ? ` ${await describeDelegation(history, request.delegatorAddress, request.userAddress, contractAddress)}`
            : ''
        }`,
      },
    );
  }
}
