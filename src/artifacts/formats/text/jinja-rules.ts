import type { Severity } from '../../../core/index.js';

/**
 * Server-side template injection rules for Jinja chat templates (CVE-2024-34359 class: a
 * tokenizer's chat template rendered by an unsandboxed or escapable Jinja environment). Rules
 * match the normalised code of a template (see jinja-normalize.ts), so they are written in lower
 * case against code with whitespace around `.`, `|`, brackets and parentheses removed. Every
 * pattern must stay linear: no nested or adjacent unbounded quantifiers over the same characters.
 *
 * kind: `gadget` walks from a template object to Python internals; `sink` is what a gadget chain
 * ends in (process, file, network, eval); `loader` pulls in other templates; `obfuscation` is a
 * string-building trick that only makes sense to hide a name. A template with both a gadget and
 * a sink gets one extra critical `jinja.ssti-chain` finding.
 */

/** One SSTI rule: what it matches, how bad a match is, and why. */
export interface JinjaRule {
  id: string;
  kind: 'gadget' | 'sink' | 'loader' | 'obfuscation';
  severity: Severity;
  pattern: RegExp;
  /** A substring the normalised text must contain for the pattern to be tried (cheap prefilter). */
  requires?: string;
  title: string;
  explanation: string;
}

const GLOBAL_OBJECTS =
  'cycler|joiner|namespace|lipsum|self|request|config|url_for|get_flashed_messages|range|dict|session|g|loop|varargs|kwargs|caller';

export const JINJA_RULES: readonly JinjaRule[] = [
  {
    id: 'jinja.subclass-loop',
    kind: 'gadget',
    severity: 'critical',
    pattern: /\bfor\s+\w+(?:\s*,\s*\w+)?\s+in\b[^\n%]{0,160}__subclasses__/,
    requires: '__subclasses__',
    title: 'Template loops over __subclasses__()',
    explanation:
      'Iterating object.__subclasses__() to find a class such as catch_warnings or Popen is the standard Jinja sandbox escape.',
  },
  {
    id: 'jinja.subclasses',
    kind: 'gadget',
    severity: 'critical',
    pattern: /__subclasses__/,
    title: 'Template enumerates Python classes (__subclasses__)',
    explanation:
      '__subclasses__ lists every loaded class; no chat template needs it. It is the pivot of SSTI chains.',
  },
  {
    id: 'jinja.globals',
    kind: 'gadget',
    severity: 'critical',
    pattern: /__globals__|\bfunc_globals\b|\bf_globals\b/,
    title: 'Template reaches function globals (__globals__)',
    explanation:
      "A function's __globals__ exposes its module namespace (os, sys, builtins): direct code execution.",
  },
  {
    id: 'jinja.builtins',
    kind: 'gadget',
    severity: 'critical',
    pattern: /__builtins__|\bbuiltins\s*\[|\[['"]builtins['"]\]/,
    title: 'Template reaches Python builtins',
    explanation: '__builtins__ holds eval, exec, open and __import__.',
  },
  {
    id: 'jinja.import',
    kind: 'sink',
    severity: 'critical',
    pattern: /__import__|\bimportlib\b|\bimport_module\(/,
    title: 'Template imports Python modules',
    explanation: '__import__ / importlib loads arbitrary modules (os, subprocess) from inside the template.',
  },
  {
    id: 'jinja.global-gadget',
    kind: 'gadget',
    severity: 'critical',
    pattern: new RegExp(
      String.raw`\b(?:${GLOBAL_OBJECTS})(?:\.|\[['"]|\|attr\(['"])(?:__init__|__globals__|__class__|_templatereference__context|application|__dict__)`,
    ),
    title: 'Template uses a known Jinja/Flask global as an escape gadget',
    explanation:
      'cycler/joiner/namespace/lipsum/self/request/config expose __init__.__globals__ (or request.application), a well-known path to os.',
  },
  {
    id: 'jinja.class-walk',
    kind: 'gadget',
    severity: 'high',
    pattern: /__class__|__mro__|__base__|__bases__|\bmro\(\)/,
    title: 'Template walks the Python class hierarchy',
    explanation:
      '__class__ / __mro__ / __base__ climb from a value to `object`, the first step of an SSTI chain.',
  },
  {
    id: 'jinja.object-internals',
    kind: 'gadget',
    severity: 'high',
    pattern:
      /__init__|__getattribute__|__dict__|__code__|__func__|__self__|__reduce(?:_ex)?__|__loader__|__spec__|__closure__|\b_module\b|\bgi_frame\b|\btb_frame\b|\bf_back\b/,
    title: 'Template touches Python object internals',
    explanation:
      'Attributes such as __init__, __getattribute__, __dict__ or _module give access to functions and modules behind template values.',
  },
  {
    id: 'jinja.os-call',
    kind: 'sink',
    severity: 'critical',
    pattern:
      /\bos\.(?:system|popen|exec\w*|spawn\w*|fork|kill|remove|unlink|rmdir|environ|getenv|putenv|chmod|listdir|walk)\b|\[['"]os['"]\]|\bposix\.|\bpty\.spawn/,
    title: 'Template calls into the os module',
    explanation:
      'os.system / os.popen / os.environ run commands or leak the environment of the serving process.',
  },
  {
    id: 'jinja.process',
    kind: 'sink',
    severity: 'high',
    pattern:
      /\bsubprocess\b|\bpopen\(|\.system\(|\bcheck_output\(|\bcheck_call\(|\bspawn[lv]p?e?\(|\bcommands\.getoutput/,
    title: 'Template starts processes',
    explanation:
      'subprocess / popen / system calls execute shell commands on the host that renders the template.',
  },
  {
    id: 'jinja.eval',
    kind: 'sink',
    severity: 'high',
    pattern: /\beval\(|\bexec\(|\bcompile\(|\bexecfile\(/,
    title: 'Template calls eval/exec',
    explanation:
      'Jinja has no eval or exec; they are only reachable through builtins, to run arbitrary Python.',
  },
  {
    id: 'jinja.network',
    kind: 'sink',
    severity: 'high',
    pattern: /\burlopen\(|\burllib\b|\bsocket\.|\brequests\.(?:get|post|put)\(|\bhttp\.client\b/,
    title: 'Template opens network connections',
    explanation: 'urllib / socket calls exfiltrate data or fetch second-stage payloads.',
  },
  {
    id: 'jinja.file-access',
    kind: 'sink',
    severity: 'medium',
    pattern: /(?:^|\W)open\(|\.read\(\)|\.readlines\(\)|\.write\(|\/etc\/passwd|\/etc\/shadow|\/etc\/hosts/,
    title: 'Template reads or writes files',
    explanation: 'open() / .read() are not template features; combined with a gadget they read host files.',
  },
  {
    id: 'jinja.environ',
    kind: 'sink',
    severity: 'medium',
    pattern: /\benviron\b|\bgetenv\(/,
    title: 'Template reads environment variables',
    explanation: 'Reading the environment leaks API keys and credentials of the serving process.',
  },
  {
    id: 'jinja.dunder',
    kind: 'gadget',
    severity: 'medium',
    pattern: /(?:\.|\[['"]|\|attr\(['"])__[a-z][a-z0-9_]*__/,
    title: 'Template accesses a dunder attribute',
    explanation: 'Chat templates have no reason to access double-underscore attributes of Python objects.',
  },
  {
    id: 'jinja.attr-filter',
    kind: 'obfuscation',
    severity: 'medium',
    pattern: /\|attr\(/,
    title: 'Template uses the |attr filter',
    explanation:
      '|attr fetches attributes by computed name, the usual way to bypass filters on `.__class__`.',
  },
  {
    id: 'jinja.getattr',
    kind: 'obfuscation',
    severity: 'medium',
    pattern: /\bgetattr\(|\bsetattr\(|\bdelattr\(/,
    title: 'Template calls getattr/setattr',
    explanation: 'getattr with computed names is an attribute-filter bypass.',
  },
  {
    id: 'jinja.string-building',
    kind: 'obfuscation',
    severity: 'medium',
    pattern:
      /\bchr\(|(?:%c){2,}|['"]%c['"]\|format|\bb64decode\b|\bbase64\b|\bcodecs\.|\bbytes\.fromhex|\bfromhex\(|\\x5f|\\u005f/,
    title: 'Template builds names from character codes or encodings',
    explanation:
      'chr(), %c formatting, base64 and hex escapes hide identifiers such as __globals__ from naive filters.',
  },
  {
    id: 'jinja.template-loading',
    kind: 'loader',
    severity: 'medium',
    pattern: /(?:^|\n)[ \t]*(?:-[ \t]*)?(?:import|include|extends|from)\s+['"\w]/,
    title: 'Template loads other templates',
    explanation:
      '{% import %} / {% include %} / {% extends %} pull templates from the loader; a chat template is self-contained.',
  },
];

/** Extra finding raised when a template has both a gadget and a sink. */
export const CHAIN_RULE = {
  id: 'jinja.ssti-chain',
  severity: 'critical' as Severity,
  title: 'Chat template contains a server-side template injection chain',
  explanation:
    'The template combines a path to Python internals with a command/file/network/eval sink: rendering it runs code (CVE-2024-34359 class).',
};
