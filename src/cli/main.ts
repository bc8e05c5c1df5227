#!/usr/bin/env node
import { Command, CommanderError, Option } from 'commander';
import { SEVERITIES, VERSION, toWardenError } from '../core/index.js';
import { EXIT, exitCodeForError, type ExitCode } from './exit.js';
import { registerDp } from './commands/dp.js';
import { registerRobustness } from './commands/robustness.js';
import { registerRegistry } from './commands/registry.js';
import { registerDpTrain } from './commands/dp-train.js';
import { registerAuditMembership } from './commands/audit-membership.js';
import { registerData } from './commands/data.js';
import { registerExtraction } from './commands/extraction.js';
import { registerGateway } from './commands/gateway.js';
import { registerDrift } from './commands/drift.js';
import { registerFairness } from './commands/fairness.js';
import { registerFl } from './commands/fl.js';
import { registerPoison } from './commands/poison.js';
import { registerRedteam } from './commands/redteam.js';
import { registerPosture } from './commands/posture.js';
import { registerReport } from './commands/report.js';
import { OutputFormatSchema } from '../report/index.js';

function buildProgram(setExit: (code: ExitCode) => void): Command {
  const program = new Command();
  program
    .name('warden')
    .description('Warden: ML security across the model lifecycle (scan, sign, guard, serve, attack, audit)')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run warden --help for usage)')
    .exitOverride();

  program
    .command('scan')
    .description('Scan model files and directories without executing them (- reads standard input)')
    .argument('[paths...]', 'files or directories to scan')
    .addOption(
      new Option('-f, --format <format>', 'output format')
        .choices(OutputFormatSchema.options)
        .default('table'),
    )
    .option('-o, --output <file>', 'write the report to a file instead of standard output')
    .addOption(
      new Option('--fail-on <severity>', 'exit 1 on findings at or above this severity')
        .choices([...SEVERITIES])
        .default('high'),
    )
    .option('--strict', 'treat unknown imports as high severity (blocking)')
    .option(
      '--policy <file>',
      'JSON policy file: {"allow": [...], "deny": [{"global", "severity", "reason"}], "unknownSeverity"}',
    )
    .option('--concurrency <n>', 'files scanned in parallel (default: CPU cores)')
    .option('--timeout <ms>', 'time budget per file in milliseconds (default 120000)')
    .option('--max-depth <n>', 'nesting depth of archives and payloads (default 8)')
    .option('--force-format <format>', 'skip detection and parse every file as this format')
    .option('--no-progress', 'no progress bar')
    .option('--no-color', 'no colours')
    .action(async (paths: string[], flags: import('./commands/scan.js').ScanFlags) => {
      const { runScan } = await import('./commands/scan.js');
      setExit(await runScan(paths, flags));
    });

  program
    .command('convert')
    .description('Convert a PyTorch checkpoint to safetensors without executing it (scans it first)')
    .argument('<checkpoint>', 'torch.save zip checkpoint, or the *.index.json of a sharded one')
    .addOption(new Option('--to <format>', 'target format').choices(['safetensors']).makeOptionMandatory())
    .option('-o, --out <path>', 'output file, or directory for a sharded index (default: beside the input)')
    .option('--force', 'replace an existing output file')
    .option('--strict', 'scan in strict mode (unknown imports block the conversion)')
    .option('--json', 'print the result (or the refusing scan report) as JSON')
    .option('--no-color', 'no colours')
    .action(async (checkpoint: string, flags: import('./commands/convert.js').ConvertFlags) => {
      const { runConvert } = await import('./commands/convert.js');
      setExit(await runConvert(checkpoint, flags));
    });

  program
    .command('demo')
    .description(
      'Run the lifecycle end to end on the shipped digits: train, attack, harden, audit, sign, register, gate, serve',
    )
    .option('--dir <dir>', 'work directory, created fresh (default ./warden-demo); kept afterwards')
    .option('--quick', 'small sizes (about 30 s): for tests and a first look')
    .option('--exit', 'stop after the summary instead of serving until Ctrl-C')
    .option('--json', 'print every measured number as JSON on standard output at the end')
    .option('--host <host>', 'gateway address (default 127.0.0.1)')
    .option('--port <port>', 'gateway port (default 0: any free port)')
    .option('--seed <n>', 'seed of the split, initial weights and attacks (default 0)')
    .option('--threads <n>', 'onnxruntime threads per session (default 1)')
    .option('--scan-samples', 'only generate the sample set of benign and malicious model files and scan it')
    .addOption(
      new Option('-f, --format <format>', 'report format of --scan-samples')
        .choices(OutputFormatSchema.options)
        .default('table'),
    )
    .action(async (flags: import('./commands/demo.js').DemoFlags) => {
      const { runDemo } = await import('./commands/demo.js');
      setExit(await runDemo(flags));
    });

  program
    .command('sign')
    .description(
      'Sign a model file or directory (OpenSSF model signing v1.0 bundle, ECDSA key or certificate)',
    )
    .argument('<model>', 'model file or directory')
    .option('--key <file>', 'EC private key (PEM; P-256, P-384 or P-521)')
    .option('--sigstore', 'sign keyless with Sigstore (Fulcio certificate, Rekor entry; needs the network)')
    .option('--identity-token <jwt>', 'OIDC token for --sigstore (default: $SIGSTORE_ID_TOKEN)')
    .option('--fulcio-url <url>', 'Fulcio for --sigstore (default https://fulcio.sigstore.dev)')
    .option('--rekor-url <url>', 'Rekor for --sigstore (default https://rekor.sigstore.dev)')
    .option('--tsa-url <url>', 'RFC 3161 timestamp authority for --sigstore (default: none)')
    .option('--signature <file>', 'where to write the bundle (default: MODEL/model.sig)')
    .option('--ignore-paths <paths...>', 'paths (relative to the model) to leave out of the signature')
    .option('--certificate <file>', 'signing certificate (PEM) matching --key: embeds a certificate chain')
    .option('--certificate-chain <files...>', 'intermediate certificates (PEM) to embed after --certificate')
    .option('--shard-size <bytes>', 'hash files in shards of this size instead of whole')
    .option('--allow-symlinks', 'follow symbolic links that stay inside the model')
    .option('--concurrency <n>', 'hashing threads (default: CPU cores)')
    .option('--provenance <file>', 'JSON provenance record to embed: {"source", "scanReport", "converter"}')
    .option('--source-digest <sha256>', 'provenance: SHA-256 of the checkpoint the model was converted from')
    .option('--source-name <name>', 'provenance: name of that checkpoint')
    .option('--scan-report <file>', 'provenance: scan report whose SHA-256 (and verdict) to record')
    .option(
      '--converter <name@version>',
      'provenance: converting tool (default with --source-digest: this warden)',
    )
    .action(async (model: string, flags: import('./commands/sign.js').SignFlags) => {
      const { runSign } = await import('./commands/sign.js');
      setExit(await runSign(model, flags));
    });

  program
    .command('verify')
    .description('Verify a model against its signature (exit 0 verified, 1 failed, 2 usage or input error)')
    .argument('<model>', 'model file or directory')
    .option('--public-key <file>', 'EC public key (PEM) for key-signed bundles')
    .option('--certificate-chain <files...>', 'trusted certificates (PEM) for certificate-signed bundles')
    .option('--sigstore', 'the bundle is Sigstore keyless: check the signer with --identity and --issuer')
    .option('--identity <san>', 'expected signer e-mail or URI (certificate SAN), matched exactly')
    .option('--issuer <url>', 'expected OIDC issuer of that identity')
    .option('--trusted-root <file>', 'Sigstore trusted_root.json (default: the shipped public-good root)')
    .option('--signature <file>', 'the bundle (default: MODEL/model.sig)')
    .option('--ignore-paths <paths...>', 'paths (relative to the model) to leave out')
    .option('--ignore-unsigned-files', 'do not fail on files the signature does not cover')
    .option('--concurrency <n>', 'hashing threads (default: CPU cores)')
    .addOption(
      new Option('-f, --format <format>', 'print a report (default: one line)').choices(
        OutputFormatSchema.options,
      ),
    )
    .option('--json', 'shorthand for --format json')
    .option('--no-color', 'no colours')
    .action(async (model: string, flags: import('./commands/verify.js').VerifyFlags) => {
      const { runVerify } = await import('./commands/verify.js');
      setExit(await runVerify(model, flags));
    });

  program
    .command('encrypt')
    .description('Encrypt a model file or directory at rest (AES-256-GCM chunks, data key wrapped by a KEK)')
    .argument('<model>', 'model file or directory (a directory keeps its tree, each file gets .wenc)')
    .requiredOption('--kek <kek>', 'key-encryption key: a key file (32 bytes raw, hex or base64) or env:VAR')
    .option('-o, --out <path>', 'output file or directory (default: MODEL.wenc)')
    .option('--create-kek', 'create the --kek file first (32 random bytes as hex, mode 0600)')
    .option('--chunk-size <bytes>', 'plaintext bytes per authenticated chunk (default 1 MiB)')
    .option('--force', 'replace an existing output')
    .option('--json', 'print the result as JSON')
    .action(async (model: string, flags: import('./commands/encrypt.js').EncryptFlags) => {
      const { runEncrypt } = await import('./commands/encrypt.js');
      setExit(await runEncrypt(model, flags));
    });

  program
    .command('decrypt')
    .description('Decrypt what `warden encrypt` wrote; nothing is written unless every chunk authenticates')
    .argument('<encrypted>', 'a .wenc file or directory')
    .requiredOption('--kek <kek>', 'key-encryption key: a key file or env:VAR')
    .option('-o, --out <path>', 'output file or directory (default: the input without .wenc)')
    .option('--force', 'replace an existing output')
    .option('--json', 'print the result as JSON')
    .action(async (encrypted: string, flags: import('./commands/decrypt.js').DecryptFlags) => {
      const { runDecrypt } = await import('./commands/decrypt.js');
      setExit(await runDecrypt(encrypted, flags));
    });

  program
    .command('digest')
    .description('Print the root SHA-256 digest that `warden sign` would sign for a model')
    .argument('<model>', 'model file or directory')
    .option('--ignore-paths <paths...>', 'paths (relative to the model) to leave out')
    .option('--shard-size <bytes>', 'hash files in shards of this size')
    .option('--allow-symlinks', 'follow symbolic links that stay inside the model')
    .action(async (model: string, flags: import('./commands/digest.js').DigestFlags) => {
      const { runDigest } = await import('./commands/digest.js');
      setExit(await runDigest(model, flags));
    });

  program
    .command('keygen')
    .description('Generate an EC signing key pair (private key PEM mode 0600, public key beside it as .pub)')
    .addOption(
      new Option('--curve <curve>', 'elliptic curve').choices(['p256', 'p384', 'p521']).default('p256'),
    )
    .requiredOption('--out <file>', 'private key file (the public key goes to the same name with .pub)')
    .option('--force', 'overwrite existing key files')
    .action(async (flags: import('./commands/keygen.js').KeygenFlags) => {
      const { runKeygen } = await import('./commands/keygen.js');
      setExit(runKeygen(flags));
    });

  registerDp(program, setExit);
  registerGateway(program, setExit);
  registerExtraction(program, setExit);
  registerDrift(program, setExit);
  registerFairness(program, setExit);
  registerFl(program, setExit);
  registerPoison(program, setExit);
  registerRegistry(program, setExit);
  registerRedteam(program, setExit);
  registerPosture(program, setExit);
  registerReport(program, setExit);

  const guard = program
    .command('guard')
    .description('Scan a prompt (or with --output a completion) with the LLM guard: exit 1 blocked, 0 clean')
    .argument('[text]', 'text to scan (- reads standard input)')
    .option('--policy <file>', 'guard policy, YAML or JSON (default: the built-in policy)')
    .option('--output', 'scan the text as a model completion instead of a prompt')
    .option('--canary <tokens...>', 'canary tokens planted in the system prompt (seen in an output = leak)')
    .option('--json', 'print {"flagged", "score", "findings", "sanitized"} as JSON')
    .addOption(
      new Option('-f, --format <format>', 'report format')
        .choices(OutputFormatSchema.options)
        .default('table'),
    )
    .option('--jsonl <file>', 'scan JSON lines with a "text" field (- = stdin), one answer line per line')
    .option('--workers <n>', 'with --jsonl: scan on N worker threads')
    .enablePositionalOptions()
    .action(async (text: string | undefined, flags: import('./commands/guard.js').GuardFlags) => {
      const { runGuard } = await import('./commands/guard.js');
      setExit(await runGuard(text, flags));
    });
  guard
    .command('serve')
    .description('Serve POST /v1/guard/scan and an OpenAI-compatible guarding proxy at /v1/chat/completions')
    .option('--policy <file>', 'guard policy, YAML or JSON (default: the built-in policy)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 = any free port)', '8787')
    .option(
      '--upstream <url>',
      'OpenAI-compatible base URL to proxy chat completions to, e.g. http://host/v1',
    )
    .option('--upstream-key-env <var>', 'environment variable holding the upstream API key')
    .option('--timeout <ms>', 'upstream timeout: time to response and longest stream gap (default 60000)')
    .option('--scan-roles <roles...>', 'message roles scanned on the way in (default: user tool)')
    .option('--no-canary', 'do not plant a canary in proxied system prompts')
    .action(async (flags: import('./commands/guard.js').GuardServeFlags) => {
      const { runGuardServe } = await import('./commands/guard.js');
      setExit(await runGuardServe(flags));
    });
  registerRobustness(program, setExit);
  registerDpTrain(program);
  registerAuditMembership(program, setExit);
  registerData(program, setExit);
  return program;
}

export async function main(argv: string[]): Promise<ExitCode> {
  let code: ExitCode = EXIT.ok;
  const program = buildProgram((c) => (code = c));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end through exitOverride with exit code 0
      return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const err = toWardenError(e);
    process.stderr.write(`warden: error ${err.code}: ${err.message}\n`);
    if (err.kind === 'internal' && process.env.WARDEN_DEBUG && e instanceof Error)
      process.stderr.write(`${e.stack}\n`);
    return exitCodeForError(err);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`warden: internal error: ${String(e)}\n`);
    process.exitCode = EXIT.internal;
  },
);
