import { REFS, type Severity } from '../../../core/index.js';
import type { ScanContext } from '../../scan/types.js';

/**
 * Weak signals in plain configuration strings: URLs to unknown hosts, things that look like
 * credentials, shell commands. Loading a config runs none of them, so these are info/low only —
 * they never block a model by default.
 */

const TRUSTED_HOSTS =
  /(?:^|\.)(?:huggingface\.co|hf\.co|github\.com|githubusercontent\.com|pytorch\.org|tensorflow\.org|keras\.io|arxiv\.org|openai\.com|google\.com|googleapis\.com|microsoft\.com|nvidia\.com|python\.org|apache\.org|mit-license\.org|creativecommons\.org|json-schema\.org|w3\.org|example\.com|ggml\.ai)$/i;
const URL_RE = /\b(?:https?|ftp|wss?):\/\/([^\s/'"<>:?#]+)[^\s'"<>]*/gi;
const SECRET_KEY =
  /(?:api[_-]?key|secret|passw(?:or)?d|access[_-]?key|auth[_-]?token|private[_-]?key|credential|bearer)/i;
const SECRET_VALUE =
  /\b(?:sk-[A-Za-z0-9_-]{16,}|AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{30,}|hf_[A-Za-z0-9]{30,}|xox[abprs]-[A-Za-z0-9-]{10,}|AIza[0-9A-Za-z_-]{35})\b/;
const SHELL =
  /\brm\s+-[rf]{1,2}\b|\bcurl\s[^|\n]{0,200}\|\s*(?:ba|z)?sh\b|\bwget\s+https?:|\bnc\s+-[a-z]*e\b|\/bin\/(?:ba|z)?sh\b|\bchmod\s+\+x\b|\bmkfifo\b|\bbase64\s+-d\b/i;

/** Collects config signals over many strings and emits at most one finding per kind. */
export class ConfigSignals {
  private readonly hosts = new Set<string>();
  private readonly secrets: string[] = [];
  private readonly shell: string[] = [];

  /** Looks at one string value under `key` (the nearest object key, '' in arrays); `path` names it. */
  inspect(key: string, value: string, path: () => string): void {
    if (value.length > 1 << 16) return;
    if (value.includes('://')) {
      for (const m of value.matchAll(URL_RE)) {
        const host = (m[1] ?? '').toLowerCase();
        if (host && !TRUSTED_HOSTS.test(host) && this.hosts.size < 50) this.hosts.add(host);
      }
    }
    if (this.secrets.length < 20) {
      if (SECRET_VALUE.test(value)) this.secrets.push(`${path()} (token-shaped value)`);
      else if (key && SECRET_KEY.test(key) && value.length >= 8 && !/\s/.test(value))
        this.secrets.push(path());
    }
    if (this.shell.length < 20 && SHELL.test(value)) this.shell.push(path());
  }

  emit(ctx: Pick<ScanContext, 'emit'>, detector: string): void {
    const add = (id: string, severity: Severity, title: string, detail: string): void =>
      ctx.emit({ id, detector, severity, title, detail, refs: REFS.supplyChain });
    if (this.hosts.size)
      add(
        'config.external-url',
        'info',
        'Config references external URLs',
        `URLs to ${[...this.hosts].slice(0, 8).join(', ')}${this.hosts.size > 8 ? ', …' : ''}; loading the config does not fetch them, but check where they point.`,
      );
    if (this.secrets.length)
      add(
        'config.possible-secret',
        'low',
        'Config may contain a credential',
        `Credential-like values at ${this.secrets.slice(0, 5).join(', ')} (values not shown). Secrets shipped with a model leak to every user.`,
      );
    if (this.shell.length)
      add(
        'config.shell-command',
        'low',
        'Config contains shell-command text',
        `Shell-command strings at ${this.shell.slice(0, 5).join(', ')}; inert as data, but suspicious if a script consumes them.`,
      );
  }
}
