import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeys, parseGatewayConfig, startGateway, type RunningGateway } from '../../src/gateway/index.js';
import { EXAMPLE_MODEL, digit } from './gateway-helpers.js';

// TLS 1.3 only, and mutual TLS: a client certificate from the configured CA is required to connect,
// and a mapped CN authenticates without a bearer token. Certificates: test/fixtures/gateway-tls (NOTICE).
const FIX = resolve(import.meta.dirname, '../fixtures/gateway-tls');
const pem = (f: string) => readFileSync(join(FIX, f));
const dir = mkdtempSync(join(tmpdir(), 'warden-gw-tls-'));
let gw: RunningGateway;
let key: string;

interface Answer {
  status: number;
  body: string;
  protocol?: string | null;
}

function send(
  path: string,
  opts: { cert?: string; key?: string; bearer?: string; maxVersion?: 'TLSv1.2' | 'TLSv1.3'; body?: unknown },
) {
  return new Promise<Answer>((ok, fail) => {
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const req = request(
      `${gw.url}${path}`,
      {
        method: payload ? 'POST' : 'GET',
        ca: pem('ca.pem'),
        ...(opts.cert ? { cert: pem(opts.cert), key: pem(opts.key!) } : {}),
        ...(opts.maxVersion ? { maxVersion: opts.maxVersion } : {}),
        headers: opts.bearer ? { authorization: `Bearer ${opts.bearer}` } : {},
        agent: false,
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () =>
          ok({
            status: res.statusCode ?? 0,
            body,
            protocol: (res.socket as import('node:tls').TLSSocket).getProtocol?.(),
          }),
        );
      },
    );
    req.on('error', fail);
    req.end(payload);
  });
}

beforeAll(async () => {
  gw = await startGateway(
    parseGatewayConfig({
      port: 0,
      host: '127.0.0.1',
      store: `sqlite:${join(dir, 'tls.db')}`,
      tls: { cert: join(FIX, 'server.pem'), key: join(FIX, 'server.key'), clientCa: join(FIX, 'ca.pem') },
      auth: { mtlsRoles: { 'svc-a': 'data_scientist' } },
      models: { mnist: { path: EXAMPLE_MODEL } },
    }),
  );
  key = (await new ApiKeys(gw.store).create('viewer-over-tls', 'viewer')).key;
});
afterAll(async () => {
  await gw.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('gateway TLS', () => {
  it('serves TLS 1.3 to a client with a CA-signed certificate, which authenticates by its CN', async () => {
    const r = await send('/v2/models/mnist/infer', { cert: 'client.pem', key: 'client.key', body: digit(0) });
    expect(r.status).toBe(200);
    expect(r.protocol).toBe('TLSv1.3');
    expect(gw.url.startsWith('https://')).toBe(true);
  });

  it('a bearer credential still decides when present', async () => {
    const r = await send('/v2/models/mnist/infer', {
      cert: 'client.pem',
      key: 'client.key',
      bearer: key,
      body: digit(0),
    });
    expect(r.status).toBe(403); // the viewer key, not the certificate's role
  });

  it('refuses a connection without a client certificate, with a rogue one, or over TLS 1.2', async () => {
    await expect(send('/v2/health/live', {})).rejects.toThrow();
    await expect(send('/v2/health/live', { cert: 'rogue.pem', key: 'rogue.key' })).rejects.toThrow();
    await expect(
      send('/v2/health/live', { cert: 'client.pem', key: 'client.key', maxVersion: 'TLSv1.2' }),
    ).rejects.toThrow();
  });
});
