import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { ensureKeyset, KEYGEN_STEPS } from '../keys/ensure-keyset.js';
import { createStepProgress } from '../ui/step-progress.js';

function formatBytes(bytes: number): string {
  if (bytes >= 1 << 20) return `${(bytes / (1 << 20)).toFixed(1)} MiB`;
  if (bytes >= 1 << 10) return `${(bytes / (1 << 10)).toFixed(1)} KiB`;
  return `${bytes} B`;
}

export default class GenerateKeys extends BaseCommand {
  static override summary = 'Generate (or verify and reuse) the FHE keyset the local stack uses.';
  static override description =
    'Client key, compressed server key, compact public key and the 2048-bit CRS for input proofs, with fhEVM parameters, plus a manifest with the sha256 of every file. A valid cached keyset is reused instantly; a damaged one is reported, never silently replaced.';
  static override enableJsonFlag = true;
  static override examples = [
    '<%= config.bin %> generate-keys',
    '<%= config.bin %> generate-keys --dir ./my-keys --force',
  ];
  static override flags = {
    dir: Flags.string({ summary: 'Keyset directory.', default: 'keys', env: 'FHE_KEYS_DIR' }),
    force: Flags.boolean({
      summary: 'Regenerate even if a valid keyset exists.',
      default: false,
      env: 'FHE_FORCE',
    }),
  };

  async run() {
    const { flags } = await this.parse(GenerateKeys);
    const progress = this.jsonEnabled()
      ? undefined
      : createStepProgress(KEYGEN_STEPS, { interactive: this.interactive });
    try {
      const result = await ensureKeyset({
        dir: flags.dir,
        force: flags.force,
        onProgress: (p) => {
          const index = KEYGEN_STEPS.indexOf(p.step);
          if (p.event === 'start') progress?.start(index);
          else progress?.done(index, formatBytes(p.bytes));
        },
      });
      progress?.stop();
      const files = Object.entries(result.manifest.files);
      this.log(
        result.reused
          ? `Reused the keyset in ${result.dir} (${files.length} files verified against manifest.json).`
          : `Wrote a new keyset to ${result.dir}.`,
      );
      for (const [file, entry] of files)
        this.log(`  ${file.padEnd(28)} ${formatBytes(entry.bytes).padStart(10)}  ${entry.description}`);
      for (const path of result.tightenedPermissions)
        this.warn(`${path} was readable by other users; it is now owner-only.`);
      return result;
    } finally {
      progress?.stop();
    }
  }
}
