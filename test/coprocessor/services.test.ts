import { describe, expect, it } from 'vitest';
import { parseMetricsAddr } from '../../src/coprocessor/services.js';

describe('parseMetricsAddr', () => {
  it('takes host:port, IPv6 in brackets, and refuses anything else with FHE_METRICS_ADDR_INVALID', () => {
    expect(parseMetricsAddr('0.0.0.0:9100')).toEqual({ host: '0.0.0.0', port: 9100 });
    expect(parseMetricsAddr('[::1]:0')).toEqual({ host: '::1', port: 0 });
    for (const bad of ['9100', ':9100', 'localhost:', 'localhost:99999', 'localhost:http']) {
      expect(() => parseMetricsAddr(bad)).toThrow(
        expect.objectContaining({ code: 'FHE_METRICS_ADDR_INVALID' }),
      );
    }
  });
});
