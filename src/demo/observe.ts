import { auditRecords, verifyAuditChain, type ChainVerdict } from '../gateway/index.js';
import type { DemoGateway } from './gateway.js';
import { MODEL_NAME } from './registry.js';

/** What the gateway itself recorded about the traffic: its metrics and its audit chain. */
export interface GatewayObservation {
  /** Audit records by `action decision` (e.g. `infer allow`, `chat deny`). */
  byAction: Record<string, number>;
  /** Refused requests by error code (GATEWAY_EXTRACTION_BLOCKED, GATEWAY_UNAUTHENTICATED...). */
  deniedByCode: Record<string, number>;
  /** PRADA alarms: the gateway's metric, and the alarm records in its audit chain (with who raised them). */
  extractionAlarms: number;
  alarmedPrincipals: string[];
  /** Chat requests the guard refused (HTTP 400 on the guarded route). */
  guardBlocked: number;
  audit: ChainVerdict;
}

/** Flushes the audit log and reads the gateway's own account of what happened. */
export async function observeGateway(d: DemoGateway): Promise<GatewayObservation> {
  await d.gw.audit.flush();
  const byAction: Record<string, number> = {};
  const deniedByCode: Record<string, number> = {};
  const alarmed = new Set<string>();
  let guardBlocked = 0;
  for await (const r of auditRecords(d.gw.store)) {
    const k = `${r.action} ${r.decision}`;
    byAction[k] = (byAction[k] ?? 0) + 1;
    if (r.action === 'extraction.alarm') alarmed.add(r.actor);
    if (r.action === 'chat' && r.status === 400) guardBlocked++;
    if (r.decision === 'deny') {
      let code = `HTTP ${r.status}`;
      try {
        const detail = JSON.parse(r.detail) as { code?: unknown };
        if (typeof detail.code === 'string') code = detail.code;
      } catch {
        // a detail that is not JSON keeps the status as its reason
      }
      if (r.action === 'chat' && r.status === 400) code = 'GUARD_PROMPT_BLOCKED';
      deniedByCode[code] = (deniedByCode[code] ?? 0) + 1;
    }
  }
  return {
    byAction,
    deniedByCode,
    extractionAlarms: d.gw.metrics.extractionAlarms.get({ model: MODEL_NAME }),
    alarmedPrincipals: [...alarmed],
    guardBlocked,
    audit: await verifyAuditChain(d.gw.store),
  };
}
