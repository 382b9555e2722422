import { type Address, getAddress, type Hex, isAddress, isHex } from 'viem';
import { FhekitError } from '../errors.js';
import { type FheType, isFheType } from '../fhevm/fhe-types.js';
import type { DirectInputRequest, InputRequest } from '../inputs/input-service.js';
import type { UserDecryptRequest } from '../kms/local-kms.js';

/**
 * Relayer request bodies (docs/fhevm-protocol.md §Relayer API), decoded into the typed requests of inputs/
 * and kms/. Anything missing or malformed is a RELAYER_* FhekitError listing the offending fields.
 */

type Json = Record<string, unknown>;
export interface FieldIssue {
  field: string;
  issue: string;
}

class Reader {
  readonly missing: string[] = [];
  readonly invalid: FieldIssue[] = [];
  constructor(private readonly body: Json) {}

  /** A field of the body; records it as missing when absent. */
  raw(field: string, from: Json = this.body, label = field): unknown {
    const value = from[field];
    if (value === undefined || value === null) this.missing.push(label);
    return value;
  }
  private bad(field: string, issue: string): undefined {
    this.invalid.push({ field, issue });
    return undefined;
  }

  hex(field: string, options: { optional0x?: boolean; bytes?: number } = {}): Hex | undefined {
    const value = this.raw(field);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') return this.bad(field, 'must be a hex string');
    const hex = (options.optional0x && !value.startsWith('0x') ? `0x${value}` : value) as Hex;
    if (!isHex(hex, { strict: true }) || hex.length % 2 !== 0)
      return this.bad(field, 'must be 0x-prefixed even-length hex');
    if (options.bytes !== undefined && hex.length !== 2 + 2 * options.bytes) {
      return this.bad(field, `must be ${options.bytes} bytes`);
    }
    return hex;
  }

  address(field: string, value: unknown = this.raw(field)): Address | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string' || !isAddress(value, { strict: false }))
      return this.bad(field, 'must be an address');
    return getAddress(value);
  }

  uint(field: string, value: unknown = this.raw(field)): bigint | undefined {
    if (value === undefined || value === null) return undefined;
    if (
      (typeof value === 'string' && /^(0x[0-9a-fA-F]+|[0-9]+)$/.test(value)) ||
      Number.isSafeInteger(value)
    ) {
      const n = BigInt(value as string | number);
      if (n >= 0n) return n;
    }
    return this.bad(field, 'must be an unsigned integer (decimal or 0x-hex string)');
  }

  array(field: string): unknown[] | undefined {
    const value = this.raw(field);
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) return this.bad(field, 'must be an array');
    return value;
  }

  object(field: string): Json | undefined {
    const value = this.raw(field);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'object' || Array.isArray(value)) return this.bad(field, 'must be an object');
    return value as Json;
  }

  /** Throws if anything was missing or invalid; otherwise every read value is defined. */
  done(): void {
    if (this.missing.length > 0) {
      throw new RelayerRequestError(
        'RELAYER_MISSING_FIELDS',
        `Missing fields: ${this.missing.join(', ')}.`,
        this.missing.map((field) => ({ field, issue: 'required' })),
      );
    }
    if (this.invalid.length > 0) {
      throw new RelayerRequestError(
        'RELAYER_VALIDATION_FAILED',
        `Invalid fields: ${this.invalid.map((i) => `${i.field} ${i.issue}`).join('; ')}.`,
        this.invalid,
      );
    }
  }
}

/** A protocol-level request error; `details` go into the API's `error.details`. */
export class RelayerRequestError extends FhekitError {
  constructor(
    code: 'RELAYER_MISSING_FIELDS' | 'RELAYER_VALIDATION_FAILED' | 'RELAYER_MALFORMED_JSON',
    message: string,
    readonly details: FieldIssue[] = [],
  ) {
    super(code, message, { hint: 'Send the JSON body @zama-fhe/relayer-sdk 0.4 sends.' });
  }
}

export function parseJsonBody(text: string): Json {
  try {
    const body: unknown = JSON.parse(text);
    if (typeof body === 'object' && body !== null && !Array.isArray(body)) return body as Json;
  } catch {
    // reported below
  }
  throw new RelayerRequestError('RELAYER_MALFORMED_JSON', 'The request body is not a JSON object.');
}

export function readInputProofRequest(body: Json): InputRequest {
  const r = new Reader(body);
  const list = r.hex('ciphertextWithInputVerification', { optional0x: true });
  const request = {
    contractChainId: r.uint('contractChainId'),
    contractAddress: r.address('contractAddress'),
    userAddress: r.address('userAddress'),
    extraData: r.hex('extraData'),
  };
  r.done();
  return {
    ciphertextWithZkProof: Buffer.from(list!.slice(2), 'hex'),
    contractChainId: request.contractChainId!,
    contractAddress: request.contractAddress!,
    userAddress: request.userAddress!,
    extraData: request.extraData!,
  };
}

/**
 * fhekit's own `POST /fhekit/direct-input` body: `{ values: [{ type, value }], contractAddress,
 * userAddress, contractChainId, extraData? }` with `type` a FheType code and `value` a decimal or 0x string.
 */
export function readDirectInputRequest(body: Json): DirectInputRequest {
  const r = new Reader(body);
  const values = (r.array('values') ?? []).map((entry, i) => {
    const item = typeof entry === 'object' && entry !== null ? (entry as Json) : {};
    const type = item.type;
    if (typeof type !== 'number' || !isFheType(type))
      r.invalid.push({ field: `values[${i}].type`, issue: 'must be a FheType code' });
    return { type: type as FheType, value: r.uint(`values[${i}].value`, item.value ?? null) ?? 0n };
  });
  const request = {
    contractChainId: r.uint('contractChainId'),
    contractAddress: r.address('contractAddress'),
    userAddress: r.address('userAddress'),
  };
  const extraData = body.extraData === undefined ? '0x00' : r.hex('extraData');
  r.done();
  return {
    values,
    contractChainId: request.contractChainId!,
    contractAddress: request.contractAddress!,
    userAddress: request.userAddress!,
    extraData: extraData!,
  };
}

export function readPublicDecryptRequest(body: Json): Hex[] {
  const r = new Reader(body);
  const handles = r.array('ciphertextHandles');
  r.done();
  return handles!.map((handle, i) => {
    if (typeof handle !== 'string') {
      throw new RelayerRequestError('RELAYER_VALIDATION_FAILED', `ciphertextHandles[${i}] is not a string.`, [
        { field: `ciphertextHandles[${i}]`, issue: 'must be a 32-byte hex string' },
      ]);
    }
    return (handle.startsWith('0x') ? handle : `0x${handle}`) as Hex;
  });
}

/** `POST /fhekit/sign-decryption`: handles and the clear values to sign for them, one each. */
export function readSignDecryptionRequest(body: Json): { handles: Hex[]; values: bigint[] } {
  const r = new Reader(body);
  const values = (r.array('values') ?? []).map((value, i) => r.uint(`values[${i}]`, value ?? null) ?? 0n);
  r.done();
  const handles = readPublicDecryptRequest(body);
  if (handles.length !== values.length) {
    throw new RelayerRequestError(
      'RELAYER_VALIDATION_FAILED',
      `${handles.length} handles but ${values.length} values.`,
      [{ field: 'values', issue: 'must have one value per handle' }],
    );
  }
  return { handles, values };
}

/** `user-decrypt` and (with `delegated`) `delegated-user-decrypt` bodies. */
export function readUserDecryptRequest(body: Json, delegated: boolean): UserDecryptRequest {
  const r = new Reader(body);
  const pairs = r.array('handleContractPairs') ?? [];
  const handleContractPairs = pairs.map((pair, i) => {
    const p = (typeof pair === 'object' && pair !== null ? pair : {}) as Json;
    const handle =
      typeof p.handle === 'string' && p.handle.startsWith('0x') ? p.handle : `0x${String(p.handle)}`;
    return {
      handle: handle as Hex,
      contractAddress: r.address(`handleContractPairs[${i}].contractAddress`, p.contractAddress)!,
    };
  });
  // v1 and user-decrypt nest the validity; delegated-user-decrypt has it at the top level.
  const validity = delegated ? body : (r.object('requestValidity') ?? {});
  const validityPath = delegated ? '' : 'requestValidity.';
  const contractAddresses = (r.array('contractAddresses') ?? []).map(
    (c, i) => r.address(`contractAddresses[${i}]`, c)!,
  );
  const request = {
    handleContractPairs,
    contractAddresses,
    contractsChainId: r.uint('contractsChainId'),
    startTimestamp: r.uint(
      'startTimestamp',
      r.raw('startTimestamp', validity, `${validityPath}startTimestamp`),
    ),
    durationDays: r.uint('durationDays', r.raw('durationDays', validity, `${validityPath}durationDays`)),
    userAddress: r.address(delegated ? 'delegateAddress' : 'userAddress'),
    delegatorAddress: delegated ? r.address('delegatorAddress') : undefined,
    signature: r.hex('signature', { optional0x: true, bytes: 65 }),
    publicKey: r.hex('publicKey', { optional0x: true }),
    extraData: r.hex('extraData'),
  };
  if (validity.startTimestamp === undefined)
    r.missing.push(delegated ? 'startTimestamp' : 'requestValidity.startTimestamp');
  if (validity.durationDays === undefined)
    r.missing.push(delegated ? 'durationDays' : 'requestValidity.durationDays');
  r.done();
  return request as UserDecryptRequest;
}
