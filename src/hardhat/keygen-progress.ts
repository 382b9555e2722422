import type { KeygenProgress } from '../keys/ensure-keyset.js';

/** Plain lines on stderr while the keyset is generated (first run only; later runs reuse it). */
export function printKeygenProgress(dir: string): (progress: KeygenProgress) => void {
  let announced = false;
  return (progress) => {
    if (!announced) {
      announced = true;
      process.stderr.write(`fhekit: generating the FHE keyset in ${dir} (once, a minute or two)…\n`);
    }
    if (progress.event === 'start') {
      process.stderr.write(
        `  ${progress.step.label} (about ${Math.ceil(progress.step.expectedMs / 1000)} s)…\n`,
      );
    } else {
      process.stderr.write(`  ${progress.step.label}: done in ${(progress.elapsedMs / 1000).toFixed(1)} s\n`);
    }
  };
}
