import { describe, expect, it } from 'vitest';
import { atLeast } from '../../../core/index.js';
import { analyzeTemplate } from './jinja.js';
import {
  collapseAccessorSpace,
  decodeEscapes,
  extractCode,
  joinStrings,
  normalizeTemplate,
} from './jinja-normalize.js';
import { JINJA_RULES } from './jinja-rules.js';

const BENIGN: Record<string, string> = {
  chatml:
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}",
  mistral:
    "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token}}{% else %}{{ raise_exception('Only user and assistant roles are supported!') }}{% endif %}{% endfor %}",
  toolsAndDates:
    '{%- set date_string = strftime_now("%d %b %Y") %}{{- "Environment: ipython\\n" }}{%- if builtin_tools is defined %}{{- "Tools: " + builtin_tools | reject(\'equalto\', \'code_interpreter\') | join(", ") + "\\n\\n"}}{%- endif %}{%- for t in tools %}{{- t | tojson(indent=4) }}{%- endfor %}{%- for tool_call in message.tool_calls %}{{- \'<|python_tag|>\' + tool_call.function.name + \'.call(\' }}{%- for arg_name, arg_val in tool_call.arguments | items %}{{- arg_name + \'="\' + arg_val + \'"\' }}{%- endfor %}{%- endfor %}',
  namespaceState:
    "{%- set ns = namespace(found=false, is_first=true) -%}{%- for message in messages -%}{%- if message['role'] == 'system' -%}{%- set ns.found = true -%}{%- endif -%}{%- set content = message['content'].split('</think>')[-1].lstrip('\\n') -%}{{ content | trim }}{%- endfor -%}",
  loopVars:
    '{% for m in messages %}{{ loop.index }}. {{ m.role | upper }}{% if not loop.last %}, {% endif %}{% endfor %}{{ messages | selectattr("role", "equalto", "user") | map(attribute="content") | list | length }}',
  literalText: 'You can explain what __class__ and os.system() do in Python. {{ messages[0].content }}',
  classField:
    '{% for message in messages %}{% if message.class == "important" %}!{% endif %}{{ message.content }}{% endfor %}',
  comment: '{# never use __subclasses__ or os.popen here #}{{ messages[-1].content }}',
};

const MALICIOUS: Record<string, string> = {
  tildeConcat: "{{ cycler['__in' ~ 'it__']['__glo' ~ 'bals__']['o' ~ 's'].popen('id').read() }}",
  plusConcat: "{{ ''['__cla' + 'ss__']['__mr' + 'o__'][1]['__subcl' + 'asses__']() }}",
  percentC: "{{ lipsum|attr('%c%c%c%c%c%c%c%c%c%c%c'|format(95,95,103,108,111,98,97,108,115,95,95)) }}",
  joinList: "{{ joiner|attr(['_','_','in','it','_','_']|join)|attr(['__glo','bals__']|join) }}",
  reverse: "{{ namespace|attr('__tini__'|reverse)|attr('__slabolg__'|reverse) }}",
  unicode: "{{ self['\\u005f\\u005finit\\u005f\\u005f']['\\u005f\\u005fglobals\\u005f\\u005f'] }}",
  octal: "{{ self['\\137\\137init\\137\\137'] }}",
  replaceTrick: "{{ config|attr('_x_class_x_'|replace('x', '_')) }}",
  upperCase: '{{ CYCLER.__INIT__.__GLOBALS__.OS.POPEN("ID").READ() }}',
  importTag: "{% import 'evil.html' as evil %}{{ evil.run() }}",
};

describe('Jinja normalisation', () => {
  it('keeps only code, not literal text or comments', () => {
    expect(extractCode('hi {{ a }} there {% if b %}{# c #}x{% endif %}')).toBe(' a \n if b \n endif ');
    expect(extractCode('{{ unclosed')).toBe(' unclosed');
  });

  it('decodes escapes and joins strings', () => {
    expect(decodeEscapes('\\x5f\\x5f\\u0041\\101')).toBe('__AA');
    expect(joinStrings("'a' ~ 'b' + 'c'")).toBe("'abc'");
    expect(joinStrings("''.join([chr(95), chr(95)])")).toBe("'__'");
    expect(joinStrings("'%c%c'|format(95, 95)")).toBe("'__'");
    expect(joinStrings("'{}x{}'.format('_', '_')")).toBe("'_x_'");
    expect(joinStrings("'cba'|reverse")).toBe("'abc'");
    expect(joinStrings("'cba'[::-1]")).toBe("'abc'");
  });

  it('lower-cases and removes spacing around accessors', () => {
    expect(normalizeTemplate('{{ Foo . Bar ( 1 ) }}')).toBe(' foo.bar(1)');
    expect(collapseAccessorSpace('a  |  b ( c )  d')).toBe('a|b(c)d');
  });

  it('appends printable base64 decodings', () => {
    const b64 = Buffer.from("__import__('os').system('id')").toString('base64');
    expect(normalizeTemplate(`{{ x.b64decode('${b64}') }}`)).toContain("__import__('os')");
  });
});

describe('Jinja SSTI rules', () => {
  it('rules are data with unique ids and explanations', () => {
    const ids = JINJA_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of JINJA_RULES) expect(r.explanation.length).toBeGreaterThan(10);
  });

  it.each(Object.entries(BENIGN))('benign %s produces no finding', (_name, t) => {
    const a = analyzeTemplate(t);
    expect(a.matches.map((m) => m.rule.id)).toEqual([]);
  });

  it.each(Object.entries(MALICIOUS))('malicious %s is at least high', (_name, t) => {
    const a = analyzeTemplate(t);
    expect(a.worst, a.matches.map((m) => m.rule.id).join(',')).not.toBeNull();
    expect(atLeast(a.worst!, a.matches.some((m) => m.rule.kind === 'loader') ? 'medium' : 'high')).toBe(true);
  });

  it('flags a single weak signal as medium only', () => {
    const a = analyzeTemplate("{{ messages|attr('length') }}");
    expect(a.worst).toBe('medium');
    expect(a.chain).toBe(false);
  });

  it('reports a gadget chain as critical', () => {
    const a = analyzeTemplate(MALICIOUS['tildeConcat']!);
    expect(a.chain).toBe(true);
    expect(a.worst).toBe('critical');
  });

  it.each([
    ['quotes and brackets', `{{ ${"'".repeat(50_000)}${'['.repeat(50_000)}${'chr(9'.repeat(20_000)} }}`],
    ['whitespace runs', `{{ a${' '.repeat(400_000)}b '${' '.repeat(400_000)}x }}`],
    ['newline runs', `{% ${'\n'.repeat(400_000)}x %}`],
    ['repeated for', `{% ${'for a in b '.repeat(100_000)} %}`],
    ['dunder prefixes', `{{ ${'.__a'.repeat(100_000)} }}`],
    ['join lists', `{{ ${"['a', 'b'".repeat(50_000)} }}`],
  ])('stays linear on %s', (_name, t) => {
    const started = Date.now();
    analyzeTemplate(t);
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
