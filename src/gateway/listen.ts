import { readFileSync } from 'node:fs';
import { createServer as createHttp, type Server } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Store } from '../core/store/index.js';
import type { AuditLog } from './audit/index.js';
import type { GatewayConfig } from './config.js';
import { gatewayError } from './errors.js';
import type { GatewayMetrics } from './metrics.js';
import type { ServedModel } from './models.js';
import type { GatewayMount } from './mount.js';
import { Gateway } from './server.js';

/** A running gateway. */
export interface RunningGateway {
  url: string;
  server: Server;
  store: Store;
  audit: AuditLog;
  metrics: GatewayMetrics;
  models: Map<string, ServedModel>;
  close(): Promise<void>;
}

/** Starts the gateway on config.host:config.port (HTTPS with TLS 1.3 only when tls is set; mTLS with clientCa). */
export async function startGateway(
  config: GatewayConfig,
  opts: { mounts?: GatewayMount[] } = {},
): Promise<RunningGateway> {
  const gw = await Gateway.create(config, opts);
  const tls = config.tls;
  let server: Server;
  try {
    server = tls
      ? createHttps(
          {
            cert: readFileSync(tls.cert),
            key: readFileSync(tls.key),
            minVersion: 'TLSv1.3',
            ...(tls.clientCa
              ? { ca: readFileSync(tls.clientCa), requestCert: true, rejectUnauthorized: true }
              : {}),
          },
          gw.handle,
        )
      : createHttp(gw.handle);
  } catch (e) {
    await gw.close();
    throw gatewayError('GATEWAY_CONFIG_INVALID', `cannot set up TLS: ${(e as Error).message}`, { cause: e });
  }
  server.keepAliveTimeout = 5000;
  server.requestTimeout = 60_000;
  server.headersTimeout = 20_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    await gw.close();
    throw gatewayError(
      'GATEWAY_CONFIG_INVALID',
      `cannot listen on ${config.host}:${config.port}: ${(e as Error).message}`,
    );
  }
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return {
    url: `${tls ? 'https' : 'http'}://${host}:${port}`,
    server,
    store: gw.store,
    audit: gw.audit,
    metrics: gw.metrics,
    models: gw.models,
    close: async () => {
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      });
      await gw.close();
    },
  };
}
