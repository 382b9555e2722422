import {
  ml_kem_pke_get_pk,
  ml_kem_pke_keygen,
  ml_kem_pke_pk_to_u8vec,
  new_client,
  new_server_id_addr,
  process_user_decryption_resp_from_js,
} from 'node-tkms';
import { type Address, bytesToHex, concat, getAddress, type Hex, numberToHex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import { FheType } from '../../src/fhevm/fhe-types.js';
import { signcryptUserDecryption } from '../../src/kms/user-decrypt-signcryption.js';

const DOMAIN = {
  gatewayChainId: 10901n,
  decryptionAddress: getAddress('0x5ffdaAB0373E62E2ea2944776209aEf29E631A64'),
};

function handleOf(n: number, type: FheType): Hex {
  return concat([
    numberToHex(n, { size: 21 }),
    '0xff',
    numberToHex(31337n, { size: 8 }),
    numberToHex(type, { size: 1 }),
    '0x00',
  ]);
}

/** Exactly what relayer-sdk 0.4.3's userDecrypt does with the relayer's answer (relayer/userDecrypt.ts). */
function sdkProcess(
  kmsSigner: Address,
  user: Address,
  handles: Hex[],
  keys: ReturnType<typeof userKeys>,
  response: unknown,
) {
  const client = new_client([new_server_id_addr(1, kmsSigner)], user, 'default');
  const chainId = new Uint8Array(32);
  new DataView(chainId.buffer).setUint32(28, Number(DOMAIN.gatewayChainId), false);
  const plaintexts = process_user_decryption_resp_from_js(
    client,
    {
      signature: '00'.repeat(65),
      client_address: user,
      enc_key: keys.publicKey.slice(2),
      ciphertext_handles: handles.map((h) => h.slice(2)),
      eip712_verifying_contract: DOMAIN.decryptionAddress,
    },
    {
      name: 'Decryption',
      version: '1',
      chain_id: chainId,
      verifying_contract: DOMAIN.decryptionAddress,
      salt: null,
    },
    response,
    keys.pk,
    keys.sk,
    true,
  );
  return plaintexts.map((p) => BigInt(bytesToHex(p.bytes)));
}

function userKeys() {
  const sk = ml_kem_pke_keygen();
  const pk = ml_kem_pke_get_pk(sk);
  return { sk, pk, publicKey: bytesToHex(ml_kem_pke_pk_to_u8vec(pk)) };
}

describe('user-decryption signcryption for the relayer-sdk TKMS client', () => {
  const kms = privateKeyToAccount(generatePrivateKey());
  const user = privateKeyToAccount(generatePrivateKey()).address;
  const handles = [handleOf(1, FheType.Uint8), handleOf(2, FheType.Bool), handleOf(3, FheType.Uint64)];
  const values = [200n, 1n, 2n ** 63n + 5n];

  it('produces shares the SDK’s own TKMS verifier accepts and decrypts', async () => {
    const keys = userKeys();
    const share = await signcryptUserDecryption({
      signer: kms,
      domain: DOMAIN,
      userAddress: user,
      publicKey: keys.publicKey,
      plaintexts: handles.map((handle, i) => ({
        handle,
        type: [FheType.Uint8, FheType.Bool, FheType.Uint64][i],
        value: values[i],
      })),
    });
    expect(sdkProcess(kms.address, user, handles, keys, [share])).toEqual(values);
  });

  it('is refused by the SDK when signed by a key that is not the registered KMS signer', async () => {
    const keys = userKeys();
    const share = await signcryptUserDecryption({
      signer: privateKeyToAccount(generatePrivateKey()),
      domain: DOMAIN,
      userAddress: user,
      publicKey: keys.publicKey,
      plaintexts: [{ handle: handles[0], type: FheType.Uint8, value: 200n }],
    });
    expect(() => sdkProcess(kms.address, user, [handles[0]], keys, [share])).toThrow();
  });
});
