import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isWardenError, seededRandom } from '../core/index.js';
import { gatewayFacts, loadGatewayConfig } from './gateway-config.js';

describe('gatewayFacts', () => {
  it('reads TLS, auth, RBAC, limits, validation and audit whatever the key spelling', () => {
    const f = gatewayFacts(
      {
        TLS: { cert_file: 'a.crt', 'min-version': 'TLSv1.3', client_ca: 'ca.crt' },
        authentication: { api_keys: { store: 'x' } },
        RBAC: ['viewer', { name: 'admin' }],
        routes: [{ path: '/v2', rateLimit: '100/s' }],
        models: [{ input_validation: { shape: [-1, 4] } }],
        audit_log: { path: 'audit.jsonl' },
        guard: { policy: 'guard.yaml' },
      },
      'g.yaml',
    );
    expect(f.tls).toEqual({ enabled: true, minVersion: 'TLSv1.3', clientCa: true });
    expect(f.auth).toEqual({ methods: ['apiKeys'], disabled: false });
    expect(f.rbac.roles).toEqual(['viewer', 'admin']);
    expect(f.rateLimits).toEqual(['routes[0].rateLimit']);
    expect(f.validation).toEqual(['models[0].input_validation']);
    expect(f.audit.enabled).toBe(true);
    expect(f.guard).toBe(true);
  });

  it('treats disabled and zero settings as absent', () => {
    const f = gatewayFacts(
      { auth: 'none', rate_limits: { rps: 0 }, audit: { enabled: false }, tls: false },
      'g',
    );
    expect(f.auth.disabled).toBe(true);
    expect(f.rateLimits).toEqual([]);
    expect(f.audit.enabled).toBe(false);
    expect(f.tls.enabled).toBe(false);
  });

  it('survives hostile documents: deep nesting and cycles of aliases are bounded', () => {
    let deep: unknown = { rateLimit: 5 };
    for (let i = 0; i < 500; i++) deep = { a: deep };
    expect(() => gatewayFacts(deep, 'deep')).not.toThrow();
    const wide = Object.fromEntries(
      Array.from({ length: 50_000 }, (_, i) => [`k${i}`, { validation: true }]),
    );
    expect(gatewayFacts(wide, 'wide').validation.length).toBeLessThanOrEqual(20_000);
  });
});

describe('loadGatewayConfig on mutated files (fuzz)', () => {
  it('returns facts or throws POSTURE_GATEWAY_CONFIG_INVALID, nothing else', () => {
    const dir = mkdtempSync(join(tmpdir(), 'warden-gw-fuzz-'));
    const seed = readFileSync(
      new URL('../../test/fixtures/posture/good/gateway.yaml', import.meta.url),
      'utf8',
    );
    const rnd = seededRandom(5);
    try {
      for (let i = 0; i < 200; i++) {
        const chars = [...seed];
        for (let k = 0; k < 1 + Math.floor(rnd() * 8); k++) {
          const at = Math.floor(rnd() * chars.length);
          if (rnd() < 0.5) chars[at] = '{}[]:&*!|>-\'\n "'.charAt(Math.floor(rnd() * 14));
          else chars.splice(at, 1 + Math.floor(rnd() * 10));
        }
        const file = join(dir, i % 2 ? `g${i}.yaml` : `g${i}.json`);
        writeFileSync(file, chars.join(''));
        try {
          loadGatewayConfig(file);
        } catch (e) {
          expect(isWardenError(e) && e.code).toBe('POSTURE_GATEWAY_CONFIG_INVALID');
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
