/** The files of a keyset directory, in generation order. `manifest.json` is written last. */
export const KEYSET_FILES = {
  clientKey: {
    file: 'client-key.bin',
    description: 'TfheClientKey (secret: decrypts everything)',
    secret: true,
  },
  publicKey: {
    file: 'public-key.bin',
    description: 'TfheCompactPublicKey, served to client SDKs',
    secret: false,
  },
  serverKey: {
    file: 'server-key.compressed.bin',
    description: 'TfheCompressedServerKey (tfhe-rs evaluation keys)',
    secret: false,
  },
  crs: { file: 'crs-2048.bin', description: 'CompactPkeCrs for 2048-bit ZK input proofs', secret: false },
  evaluationKeys: {
    file: 'eval-keys.bin',
    description: "fhekit's own keyswitching, casting and bootstrapping keys (src/engine)",
    secret: false,
  },
} as const;

export type KeysetPart = keyof typeof KEYSET_FILES;
export const MANIFEST_FILE = 'manifest.json';
