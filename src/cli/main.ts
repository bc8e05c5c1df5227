#!/usr/bin/env node
import { Command, CommanderError, Option } from 'commander';
import { SEVERITIES, VERSION, toWardenError } from '../core/index.js';
import { EXIT, exitCodeForError, type ExitCode } from './exit.js';

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
        .choices(['table', 'json', 'sarif', 'markdown'])
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
    .description('Generate a sample set of benign and malicious model files and scan it')
    .option('--dir <dir>', 'where to write the samples (default: a temporary folder, removed afterwards)')
    .addOption(
      new Option('-f, --format <format>', 'output format')
        .choices(['table', 'json', 'sarif', 'markdown'])
        .default('table'),
    )
    .action(async (flags: { dir?: string; format: string }) => {
      const { runDemo } = await import('./commands/demo.js');
      setExit(await runDemo(flags));
    });

  program
    .command('sign')
    .description(
      'Sign a model file or directory (OpenSSF model signing v1.0 bundle, ECDSA key or certificate)',
    )
    .argument('<model>', 'model file or directory')
    .requiredOption('--key <file>', 'EC private key (PEM; P-256, P-384 or P-521)')
    .option('--signature <file>', 'where to write the bundle (default: MODEL/model.sig)')
    .option('--ignore-paths <paths...>', 'paths (relative to the model) to leave out of the signature')
    .option('--certificate <file>', 'signing certificate (PEM) matching --key: embeds a certificate chain')
    .option('--certificate-chain <files...>', 'intermediate certificates (PEM) to embed after --certificate')
    .option('--shard-size <bytes>', 'hash files in shards of this size instead of whole')
    .option('--allow-symlinks', 'follow symbolic links that stay inside the model')
    .option('--concurrency <n>', 'hashing threads (default: CPU cores)')
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
    .option('--signature <file>', 'the bundle (default: MODEL/model.sig)')
    .option('--ignore-paths <paths...>', 'paths (relative to the model) to leave out')
    .option('--ignore-unsigned-files', 'do not fail on files the signature does not cover')
    .option('--concurrency <n>', 'hashing threads (default: CPU cores)')
    .action(async (model: string, flags: import('./commands/verify.js').VerifyFlags) => {
      const { runVerify } = await import('./commands/verify.js');
      setExit(await runVerify(model, flags));
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
