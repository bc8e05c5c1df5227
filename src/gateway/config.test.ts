import { describe, expect, it } from 'vitest';
import { isWardenError } from '../core/index.js';
import { parseGatewayConfig } from './config.js';

const refused = (raw: unknown): string => {
  try {
    parseGatewayConfig(raw);
  } catch (e) {
    if (isWardenError(e) && e.code === 'GATEWAY_CONFIG_INVALID') return e.message;
    throw e;
  }
  throw new Error('accepted');
};

describe('gateway config', () => {
  it('defaults: monitors placed by core count, V8 heap growth 100%', () => {
    const c = parseGatewayConfig({});
    expect(c.monitors).toEqual({ thread: 'auto', sharedExtraction: true });
    expect(c.heapGrowingPercent).toBe(100);
    expect(c.audit.thread).toBe(true);
  });

  it('takes explicit monitor placement and heap growth, and names the field of a bad value', () => {
    expect(parseGatewayConfig({ monitors: { thread: false }, heapGrowingPercent: 0 })).toMatchObject({
      monitors: { thread: false },
      heapGrowingPercent: 0,
    });
    expect(refused({ monitors: { thread: 'sometimes' } })).toMatch(/monitors\.thread/);
    expect(refused({ heapGrowingPercent: -1 })).toMatch(/heapGrowingPercent/);
    expect(refused({ heapGrowingPercent: 1.5 })).toMatch(/heapGrowingPercent/);
  });
});
