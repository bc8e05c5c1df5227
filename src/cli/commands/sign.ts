import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { VERSION, WardenError } from '../../core/index.js';
import {
  normalizeSha256,
  parseProvenance,
  scanReportEntry,
  signModel,
  signModelKeyless,
  type Provenance,
  type SignResult,
} from '../../artifacts/sign/index.js';
import { EXIT, type ExitCode } from '../exit.js';
import { positiveInt } from '../flags.js';

/** Flags of `warden sign` as commander parses them. */
export interface SignFlags {
  key?: string;
  sigstore?: boolean;
  identityToken?: string;
  fulcioUrl?: string;
  rekorUrl?: string;
  tsaUrl?: string;
  signature?: string;
  ignorePaths?: string[];
  certificate?: string;
  certificateChain?: string[];
  shardSize?: string;
  allowSymlinks?: boolean;
  concurrency?: string;
  provenance?: string;
  sourceDigest?: string;
  sourceName?: string;
  scanReport?: string;
  converter?: string;
}

/** Reads a file named on the command line; an unreadable one is a usage error (exit 2). */
export function readArg(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new WardenError('CONFIG_INVALID', `cannot read ${what} ${path}: ${(e as Error).message}`, {
      kind: 'usage',
    });
  }
}

/**
 * The provenance record from --provenance FILE.json, with --source-digest, --scan-report and
 * --converter on top; undefined when none is given. --converter defaults to this Warden when a
 * source digest is given, since `warden convert` is what turns checkpoints into signed files.
 */
export function provenanceFromFlags(flags: SignFlags): Provenance | undefined {
  let base: Record<string, unknown> = {};
  if (flags.provenance) {
    try {
      base = JSON.parse(readArg(flags.provenance, 'provenance file')) as Record<string, unknown>;
    } catch (e) {
      if (e instanceof WardenError) throw e;
      throw new WardenError('USAGE', `provenance file ${flags.provenance} is not JSON`, { kind: 'usage' });
    }
  }
  const rec: Record<string, unknown> = { ...base };
  if (flags.sourceDigest)
    rec.source = {
      ...(flags.sourceName ? { name: flags.sourceName } : {}),
      digest: { sha256: normalizeSha256(flags.sourceDigest, '--source-digest') },
    };
  else if (flags.sourceName)
    throw new WardenError('USAGE', '--source-name needs --source-digest', { kind: 'usage' });
  if (flags.scanReport) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(flags.scanReport);
    } catch (e) {
      throw new WardenError(
        'CONFIG_INVALID',
        `cannot read scan report ${flags.scanReport}: ${(e as Error).message}`,
        {
          kind: 'usage',
        },
      );
    }
    rec.scanReport = scanReportEntry(bytes, basename(flags.scanReport));
  }
  if (flags.converter) {
    const at = flags.converter.lastIndexOf('@');
    if (at <= 0 || at === flags.converter.length - 1)
      throw new WardenError('USAGE', '--converter must be NAME@VERSION', { kind: 'usage' });
    rec.converter = { name: flags.converter.slice(0, at), version: flags.converter.slice(at + 1) };
  } else if (flags.sourceDigest && rec.converter === undefined)
    rec.converter = { name: 'warden', version: VERSION };
  if (Object.keys(rec).length === 0 && !flags.provenance) return undefined;
  return parseProvenance(rec, flags.provenance ? `provenance ${flags.provenance}` : 'provenance', 'USAGE');
}

/** A URL flag: http(s) only, checked before hashing. */
function urlFlag(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new WardenError('USAGE', `${name} ${value} is not a URL`, { kind: 'usage' });
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:')
    throw new WardenError('USAGE', `${name} must be an http(s) URL`, { kind: 'usage' });
  return value.replace(/\/+$/, '');
}

export async function runSign(modelPath: string, flags: SignFlags): Promise<ExitCode> {
  const usage = (msg: string) => new WardenError('USAGE', msg, { kind: 'usage' });
  if (!!flags.sigstore === (flags.key !== undefined))
    throw usage('sign needs exactly one of --key (EC key, offline) or --sigstore (keyless, online)');
  if (flags.certificateChain?.length && !flags.certificate)
    throw usage('--certificate-chain needs --certificate');
  const keylessOnly = ['identityToken', 'fulcioUrl', 'rekorUrl', 'tsaUrl'] as const;
  if (!flags.sigstore && keylessOnly.some((k) => flags[k] !== undefined))
    throw usage('--identity-token, --fulcio-url, --rekor-url and --tsa-url need --sigstore');
  if (flags.sigstore && flags.certificate) throw usage('--certificate cannot be used with --sigstore');
  const provenance = provenanceFromFlags(flags);
  const common = {
    signaturePath: flags.signature,
    ignorePaths: flags.ignorePaths,
    shardSize: positiveInt('--shard-size', flags.shardSize),
    allowSymlinks: flags.allowSymlinks ?? false,
    concurrency: positiveInt('--concurrency', flags.concurrency),
    provenance,
  };
  let r: SignResult;
  if (flags.sigstore) {
    r = await signModelKeyless(modelPath, {
      ...common,
      identityToken: flags.identityToken,
      fulcioURL: urlFlag('--fulcio-url', flags.fulcioUrl),
      rekorURL: urlFlag('--rekor-url', flags.rekorUrl),
      tsaURL: urlFlag('--tsa-url', flags.tsaUrl),
    });
  } else
    r = await signModel(modelPath, {
      ...common,
      privateKey: readArg(flags.key!, 'private key'),
      certificate: flags.certificate === undefined ? undefined : readArg(flags.certificate, 'certificate'),
      certificateChain: flags.certificateChain?.map((p) => readArg(p, 'certificate chain')),
    });
  process.stdout.write(
    `signed ${r.modelName}: ${r.resources} ${r.manifest.serialization.method === 'shards' ? 'shards' : 'files'}, ` +
      `root digest sha256:${r.rootDigest}\nsignature: ${r.signaturePath}\n` +
      (provenance ? `provenance: ${JSON.stringify(provenance)}\n` : ''),
  );
  return EXIT.ok;
}
