import { readFileSync } from 'node:fs';
import { WardenError } from '../../core/index.js';
import {
  inspectModel,
  verifyReport,
  type VerifyOutcome,
  type VerifyReport,
} from '../../artifacts/sign/index.js';
import { OutputFormatSchema, render } from '../../report/index.js';
import { EXIT, type ExitCode } from '../exit.js';
import { positiveInt } from '../flags.js';
import { readArg } from './sign.js';

/** Flags of `warden verify` as commander parses them. */
export interface VerifyFlags {
  publicKey?: string;
  certificateChain?: string[];
  sigstore?: boolean;
  identity?: string;
  issuer?: string;
  trustedRoot?: string;
  signature?: string;
  ignorePaths?: string[];
  ignoreUnsignedFiles?: boolean;
  concurrency?: string;
  format?: string;
  json?: boolean;
  color?: boolean;
}

function readPublicKey(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new WardenError('CONFIG_INVALID', `cannot read public key ${path}: ${(e as Error).message}`, {
      kind: 'usage',
    });
  }
}

const MATERIAL = { key: 'key', 'certificate-chain': 'certificate chain', sigstore: 'Sigstore certificate' };

/** The one-line answer of plain `warden verify` (no --format), kept for scripts that read it. */
function plainText(modelPath: string, o: VerifyOutcome): void {
  const first = o.failures[0];
  if (first) {
    const same = o.failures.filter((f) => f.code === first.code).map((f) => f.message);
    process.stderr.write(`warden: verification failed: ${first.code}: ${same.join('; ')}\n`);
    return;
  }
  const s = o.signed!;
  process.stdout.write(
    `verified ${modelPath}: ${s.resources} resources signed with a ${MATERIAL[s.material]}, ` +
      `root digest sha256:${s.rootDigest}\n` +
      (s.material === 'sigstore' ? `signer: ${s.signer}\n` : ''),
  );
}

/** The signature's claims under a table or markdown report (JSON carries them as `verification`). */
function claims(v: VerifyReport['verification'], markdown: boolean): string {
  const p = v.provenance;
  const lines = [
    `signature: ${v.signaturePath} - ${v.verified ? 'VERIFIED' : 'NOT VERIFIED'}`,
    ...(v.signer ? [`signer: ${v.signer}`, `root digest: ${v.rootDigest}`] : []),
    ...(p?.source
      ? [`provenance: source sha256:${p.source.digest.sha256}${p.source.name ? ` (${p.source.name})` : ''}`]
      : []),
    ...(p?.scanReport
      ? [
          `provenance: scan report sha256:${p.scanReport.digest.sha256}${p.scanReport.verdict ? ` (verdict ${p.scanReport.verdict})` : ''}`,
        ]
      : []),
    ...(p?.converter ? [`provenance: converted by ${p.converter.name} ${p.converter.version}`] : []),
  ];
  return markdown ? `\n${lines.map((l) => `- ${l}`).join('\n')}\n` : `${lines.join('\n')}\n`;
}

/** Exit 0 verified, 1 verification failed (code and reason on stderr), 2 usage or input error. */
export async function runVerify(modelPath: string, flags: VerifyFlags): Promise<ExitCode> {
  const usage = (msg: string) => new WardenError('USAGE', msg, { kind: 'usage' });
  const ways = [flags.publicKey !== undefined, !!flags.certificateChain?.length, flags.sigstore === true];
  if (ways.filter(Boolean).length !== 1)
    throw usage('verify needs exactly one of --public-key, --certificate-chain or --sigstore');
  if (flags.sigstore && (!flags.identity || !flags.issuer))
    throw usage('--sigstore needs --identity (the signer e-mail or URI) and --issuer (its OIDC issuer URL)');
  if (!flags.sigstore && (flags.identity || flags.issuer || flags.trustedRoot))
    throw usage('--identity, --issuer and --trusted-root need --sigstore');
  const format = flags.json ? 'json' : flags.format;
  const parsed = format === undefined ? undefined : OutputFormatSchema.safeParse(format);
  if (parsed && !parsed.success)
    throw new WardenError('USAGE', `--format must be one of ${OutputFormatSchema.options.join(', ')}`, {
      kind: 'usage',
    });
  const startedAt = new Date().toISOString();
  const outcome = await inspectModel(modelPath, {
    publicKey: flags.publicKey ? readPublicKey(flags.publicKey) : undefined,
    certificateChain: flags.certificateChain?.map((p) => readArg(p, 'certificate chain')),
    sigstore: flags.sigstore
      ? {
          identity: flags.identity!,
          issuer: flags.issuer!,
          ...(flags.trustedRoot ? { trustedRoot: readArg(flags.trustedRoot, 'trusted root') } : {}),
        }
      : undefined,
    signaturePath: flags.signature,
    ignorePaths: flags.ignorePaths,
    ignoreUnsignedFiles: flags.ignoreUnsignedFiles ?? false,
    concurrency: positiveInt('--concurrency', flags.concurrency),
  });
  if (!parsed) plainText(modelPath, outcome);
  else {
    const report = verifyReport(modelPath, outcome, { startedAt, finishedAt: new Date().toISOString() });
    const color = flags.color !== false && process.stdout.isTTY === true && !process.env.NO_COLOR;
    let text = render(report, parsed.data, { color, width: process.stdout.columns ?? 120 });
    if (parsed.data === 'table' || parsed.data === 'markdown')
      text += claims(report.verification, parsed.data === 'markdown');
    process.stdout.write(text);
  }
  return outcome.failures.length ? EXIT.findings : EXIT.ok;
}
