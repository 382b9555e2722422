import { describe, expect, it } from 'vitest';
import { formatRunReport } from '../../src/hardhat/run-report.js';

describe('formatRunReport in parity mode', () => {
  it('counts the mismatches and lists each with both values', () => {
    const lines = formatRunReport(
      {
        computed: 3,
        reused: 0,
        failed: 0,
        pbs: 12,
        fheSeconds: 1.5,
        compute: 'parity',
        parity: {
          mismatches: 1,
          latest: [
            { handle: `0x${'ab'.repeat(32)}`, op: 'FheAdd', type: 'Uint8', expected: 7n, actual: 9n, at: 0 },
          ],
        },
      },
      2,
    ).join('\n');
    expect(lines).toContain('parity compute (real TFHE checked against the plaintext semantics) report');
    expect(lines).toMatch(/parity mismatches\s+1/);
    expect(lines).toContain(`FheAdd → Uint8 0x${'ab'.repeat(32)}: engine 9, plaintext semantics 7`);
  });
});
