import { CoprocessorSignersVerifier, FhevmHandle, ZKProof } from '@zama-fhe/relayer-sdk/node';
import { FheBool, FheUint8 } from 'node-tfhe';
import { type Address, getAddress, type Hex, recoverTypedDataAddress } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { beforeAll, describe, expect, it } from 'vitest';
import type { InputCiphertext } from '../../src/coprocessor/store.js';
import { isFhekitError } from '../../src/errors.js';
import { FheType } from '../../src/fhevm/fhe-types.js';
import { SERIALIZATION_LIMIT } from '../../src/fhevm/limits.js';
import { encodeInputProof, inputVerificationTypedData } from '../../src/inputs/ciphertext-verification.js';
import { createNodeTfheInputExpander } from '../../src/inputs/expander.js';
import {
  createInputService,
  type InputRequest,
  type InputService,
  type InputServiceOptions,
} from '../../src/inputs/input-service.js';
import type { InputLimits } from '../../src/inputs/limits.js';
import { inputProofMetadata } from '../../src/inputs/metadata.js';
import { createToyKeyProofVerifier } from '../../src/inputs/toy-key-verifier.js';
import { type InputValue, provenInput } from './helpers/proven-inputs.js';
import { loadTestKeys, type TestKeys } from './helpers/test-keys.js';

const HOST_CHAIN_ID = 31337n;
const ACL: Address = '0x50157CFfD6bBFA2DECe204a89ec419c23ef5755D';
const CONTRACT: Address = '0x1111111111111111111111111111111111111111';
const USER: Address = '0x2222222222222222222222222222222222222222';
const DOMAIN = {
  gatewayChainId: 10901n,
  inputVerificationAddress: getAddress('0x812b06e1CDCE800494b79fFE4f925A504a9A9810'),
};
const VALUES: InputValue[] = [
  { type: FheType.Uint8, value: 200n },
  { type: FheType.Bool, value: 1n },
];

class MemoryInputStore {
  readonly rows = new Map<Hex, InputCiphertext>();
  async insertInputCiphertexts(inputs: readonly InputCiphertext[]) {
    for (const input of inputs) this.rows.set(input.handle, input);
  }
}

describe('input service (real keys, real proof)', () => {
  const signer = privateKeyToAccount(generatePrivateKey());
  let keys: TestKeys;
  let list: Uint8Array;
  let base: Omit<InputServiceOptions, 'store'>;

  const request = (overrides: Partial<InputRequest> = {}): InputRequest => ({
    ciphertextWithZkProof: list,
    contractAddress: CONTRACT,
    userAddress: USER,
    contractChainId: HOST_CHAIN_ID,
    extraData: '0x00',
    ...overrides,
  });
  const service = (store: MemoryInputStore, limits?: Partial<InputLimits>): InputService =>
    createInputService({ ...base, store, limits });

  async function expectRejected(run: Promise<unknown>, code: string, store: MemoryInputStore) {
    const error = await run.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isFhekitError(error) && error.code).toBe(code);
    expect(store.rows.size).toBe(0);
  }

  beforeAll(() => {
    keys = loadTestKeys();
    list = provenInput(keys, VALUES, inputProofMetadata(CONTRACT, USER, ACL, HOST_CHAIN_ID));
    base = {
      hostChainId: HOST_CHAIN_ID,
      aclAddress: ACL,
      domain: DOMAIN,
      signers: [signer],
      verifier: createToyKeyProofVerifier(keys.publicKey, keys.crs),
      expander: createNodeTfheInputExpander(keys.clientKey),
    };
  });

  it('stores ciphertexts that decrypt to the pushed values, under the handles the SDK derives', async () => {
    const store = new MemoryInputStore();
    const accepted = await service(store).acceptInput(request());

    const zkProof = ZKProof.fromComponents({
      chainId: HOST_CHAIN_ID,
      aclContractAddress: ACL,
      contractAddress: CONTRACT,
      userAddress: USER,
      ciphertextWithZKProof: list,
      encryptionBits: [8, 2],
    });
    const sdkHandles = FhevmHandle.fromZKProof(zkProof).map((h) => h.toBytes32Hex());
    expect(accepted.handles).toEqual(sdkHandles);

    const [u8, bool] = accepted.handles.map((h) => store.rows.get(h)!);
    expect(u8.type).toBe(FheType.Uint8);
    expect(FheUint8.safe_deserialize(u8.bytes, SERIALIZATION_LIMIT).decrypt(keys.clientKey)).toBe(200);
    expect(bool.type).toBe(FheType.Bool);
    expect(FheBool.safe_deserialize(bool.bytes, SERIALIZATION_LIMIT).decrypt(keys.clientKey)).toBe(true);
    expect(bool.index).toBe(1);
    console.log('input timings (ms)', accepted.timings);

    // The signature recovers to the coprocessor signer, and the SDK's own verifier accepts it and builds
    // the same inputProof bytes we would.
    const recovered = await recoverTypedDataAddress({
      ...inputVerificationTypedData(DOMAIN, {
        ctHandles: accepted.handles,
        userAddress: USER,
        contractAddress: CONTRACT,
        contractChainId: HOST_CHAIN_ID,
        extraData: '0x00',
      }),
      signature: accepted.signatures[0],
    });
    expect(recovered).toBe(signer.address);
    const verifier = CoprocessorSignersVerifier.fromAddresses({
      coprocessorSigners: [signer.address],
      coprocessorSignerThreshold: 1,
      gatewayChainId: DOMAIN.gatewayChainId,
      verifyingContractAddressInputVerification: DOMAIN.inputVerificationAddress,
    });
    const inputProof = verifier.verifyAndComputeInputProof({
      handles: FhevmHandle.fromZKProof(zkProof),
      zkProof,
      signatures: accepted.signatures,
      extraData: '0x00',
    });
    expect(inputProof.proof).toBe(encodeInputProof(accepted.handles, accepted.signatures, '0x00'));
  });

  it('rejects a proof bound to another user, contract or ACL, storing nothing', async () => {
    const store = new MemoryInputStore();
    await expectRejected(
      service(store).acceptInput(request({ userAddress: CONTRACT })),
      'INPUT_PROOF_INVALID',
      store,
    );
    await expectRejected(
      createInputService({ ...base, store, aclAddress: USER }).acceptInput(request()),
      'INPUT_PROOF_INVALID',
      store,
    );
  });

  it('rejects a request for another chain', async () => {
    const store = new MemoryInputStore();
    await expectRejected(
      service(store).acceptInput(request({ contractChainId: 1n })),
      'INPUT_WRONG_CHAIN',
      store,
    );
  });

  it('rejects bytes that are not a proven list, or a tampered proof', async () => {
    const store = new MemoryInputStore();
    await expectRejected(
      service(store).acceptInput(request({ ciphertextWithZkProof: list.subarray(0, list.length - 100) })),
      'INPUT_MALFORMED',
      store,
    );
    // Flip one byte of the last ciphertext coefficient region: still parses, no longer matches the proof.
    const tampered = new Uint8Array(list);
    tampered[200] ^= 0x01;
    const error = await service(store)
      .acceptInput(request({ ciphertextWithZkProof: tampered }))
      .catch((e: unknown) => e);
    expect(isFhekitError(error) && ['INPUT_PROOF_INVALID', 'INPUT_MALFORMED'].includes(error.code)).toBe(
      true,
    );
    expect(store.rows.size).toBe(0);
  });

  it('rejects a valid list with bytes appended (non-canonical encoding), storing nothing', async () => {
    const store = new MemoryInputStore();
    const withTrailingByte = new Uint8Array(list.length + 1);
    withTrailingByte.set(list);
    await expectRejected(
      service(store).acceptInput(request({ ciphertextWithZkProof: withTrailingByte })),
      'INPUT_NOT_CANONICAL',
      store,
    );
    const twice = new Uint8Array(list.length * 2);
    twice.set(list);
    twice.set(list, list.length);
    await expectRejected(
      service(store).acceptInput(request({ ciphertextWithZkProof: twice })),
      'INPUT_NOT_CANONICAL',
      store,
    );
  });

  it('rejects a valid list given a tag (not covered by the proof, copied into every value), storing nothing', async () => {
    const store = new MemoryInputStore();
    // The list ends with its tag, `u32 version · u64 length · bytes`, which the SDK leaves empty.
    const tag = new TextEncoder().encode('any bytes');
    const tagged = new Uint8Array(list.length + tag.length);
    tagged.set(list);
    new DataView(tagged.buffer).setBigUint64(list.length - 8, BigInt(tag.length), true);
    tagged.set(tag, list.length);
    await expectRejected(
      service(store).acceptInput(request({ ciphertextWithZkProof: tagged })),
      'INPUT_NOT_CANONICAL',
      store,
    );
  });

  it('enforces size, value-count and bit limits before verifying', async () => {
    const store = new MemoryInputStore();
    await expectRejected(service(store, { maxBytes: 1000 }).acceptInput(request()), 'INPUT_TOO_LARGE', store);
    await expectRejected(
      service(store, { maxValues: 1 }).acceptInput(request()),
      'INPUT_TOO_MANY_VALUES',
      store,
    );
    await expectRejected(service(store, { maxBits: 8 }).acceptInput(request()), 'INPUT_TOO_MANY_BITS', store);
  });
});
