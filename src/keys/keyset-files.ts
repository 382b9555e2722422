/** The files of a keyset directory, in generation order. `manifest.json` is written last. */
export const KEYSET_FILES = {
  clientKey: { file: 'client-key.bin', description: 'TfheClientKey (secret: decrypts everything)' },
  publicKey: { file: 'public-key.bin', description: 'TfheCompactPublicKey, served to client SDKs' },
  serverKey: {
    file: 'server-key.compressed.bin',
    description: 'TfheCompressedServerKey (tfhe-rs evaluation keys)',
  },
  crs: { file: 'crs-2048.bin', description: 'CompactPkeCrs for 2048-bit ZK input proofs' },
  evaluationKeys: {
    file: 'eval-keys.bin',
    description: "fhekit's own keyswitching, casting and bootstrapping keys (src/engine)",
  },
} as const;

export type KeysetPart = keyof typeof KEYSET_FILES;
export const MANIFEST_FILE = 'manifest.json';
