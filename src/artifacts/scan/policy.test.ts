import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { severityRank } from '../../core/index.js';
import { buildPolicy } from './policy.js';

const policy = buildPolicy();

/** Classifies a qualified name split at its last dot, as module.name (how picklers write them). */
function verdict(qualified: string, p = policy) {
  const dot = qualified.lastIndexOf('.');
  return p.classify(qualified.slice(0, dot), qualified.slice(dot + 1));
}

/** Every `dangerous` global of a pickle-bearing corpus file (pseudo names for computed imports excluded). */
function corpusDangerous(): string[] {
  const names = new Set<string>();
  for (const c of ['modelaudit', 'modelscan', 'picklescan']) {
    const url = new URL(`../../../test/fixtures/corpus/${c}/labels.json`, import.meta.url);
    const labels = JSON.parse(readFileSync(fileURLToPath(url), 'utf8')) as Record<
      string,
      { format: string; dangerous: string[] }
    >;
    for (const l of Object.values(labels)) {
      if (!['pickle', 'pytorch', 'pytorch-zip', 'numpy', 'zip', '7z'].includes(l.format)) continue;
      for (const d of l.dangerous) if (!d.split('.').includes('unknown')) names.add(d);
    }
  }
  return [...names].sort();
}

describe('built-in policy', () => {
  const dangerous = corpusDangerous();

  it('collects the corpus dangerous globals', () => expect(dangerous.length).toBeGreaterThan(70));

  it.each(dangerous)('denies %s (>= high) however module and name are split', (q) => {
    const parts = q.split('.');
    for (let i = 1; i < parts.length; i++) {
      const v = policy.classify(parts.slice(0, i).join('.'), parts.slice(i).join('.'));
      expect(v.rule, `${parts.slice(0, i).join('.')} | ${parts.slice(i).join('.')}`).toBe('deny');
      expect(severityRank(v.severity ?? 'info')).toBeGreaterThanOrEqual(severityRank('high'));
      expect(v.reason).toMatch(/\.$/);
    }
  });

  it.each([
    'torch._utils._rebuild_tensor_v2',
    'torch._utils._rebuild_parameter',
    'torch._utils._rebuild_qtensor',
    'torch._utils._rebuild_sparse_tensor',
    'torch.FloatStorage',
    'torch.BFloat16Storage',
    'torch.storage.UntypedStorage',
    'torch.Size',
    'torch.device',
    'torch.float32',
    'torch.bfloat16',
    'torch.nn.modules.linear.Linear',
    'torch.nn.parameter.Parameter',
    'collections.OrderedDict',
    'collections.defaultdict',
    'numpy.core.multiarray._reconstruct',
    'numpy._core.multiarray._reconstruct',
    'numpy.core.multiarray.scalar',
    'numpy.ndarray',
    'numpy.dtype',
    'numpy.float64',
    'numpy.dtypes.Float64DType',
    'numpy.random._pickle.__randomstate_ctor',
    '__builtin__.set',
    'builtins.frozenset',
    'builtins.slice',
    'builtins.object',
    'builtins.ValueError',
    'exceptions.KeyError',
    'copy_reg._reconstructor',
    'copyreg._reconstructor',
    '_codecs.encode',
    'datetime.datetime',
    'pathlib.PosixPath',
    'sklearn.tree._classes.DecisionTreeClassifier',
    'sklearn.tree._tree.Tree',
    'sklearn.ensemble._forest.RandomForestClassifier',
    'sklearn.linear_model._logistic.LogisticRegression',
    'sklearn.preprocessing._data.StandardScaler',
    'sklearn.pipeline.Pipeline',
    'sklearn.neighbors._kd_tree.newObj',
    'transformers.models.bert.configuration_bert.BertConfig',
    'transformers.models.llama.tokenization_llama.LlamaTokenizer',
    'transformers.training_args.TrainingArguments',
    'transformers.trainer_utils.IntervalStrategy',
    'joblib.numpy_pickle.NumpyArrayWrapper',
    'xgboost.sklearn.XGBClassifier',
    'logging.getLogger',
  ])('allows %s', (q) => {
    expect(verdict(q)).toMatchObject({ rule: 'allow', severity: null });
  });

  it.each([
    ['nt.system', 'critical'],
    ['posix.system', 'critical'],
    ['os.path.join', 'critical'],
    ['__builtin__.eval', 'critical'],
    ['builtins.getattr', 'high'],
    ['_operator.attrgetter', 'high'],
    ['_io.FileIO', 'high'],
    ['io.open', 'high'],
    ['_pickle.loads', 'high'],
    ['cPickle.loads', 'high'],
    ['commands.getoutput', 'critical'],
    ['httplib.HTTPConnection', 'high'],
    ['urllib2.urlopen', 'high'],
    ['torch.load', 'critical'],
    ['torch.storage._load_from_bytes', 'high'],
    ['torch.hub.load', 'critical'],
    ['marshal.loads', 'critical'],
    ['types.FunctionType', 'critical'],
    ['functools.partial', 'high'],
    ['shutil.rmtree', 'high'],
    ['webbrowser.open', 'high'],
    ['dill._dill._create_code', 'critical'],
    ['numpy.load', 'high'],
    ['platform.popen', 'critical'],
  ])('denies %s as %s', (q, severity) => {
    expect(verdict(q)).toMatchObject({ rule: 'deny', severity });
  });

  it('denies by prefix: methods of denied classes and submodules of denied packages', () => {
    expect(policy.classify('bdb', 'Bdb.run').rule).toBe('deny');
    expect(policy.classify('profile', 'Profile.runctx').rule).toBe('deny');
    expect(policy.classify('asyncio.unix_events', '_UnixSubprocessTransport._start').rule).toBe('deny');
    expect(policy.classify('idlelib.pyshell', 'ModifiedInterpreter.runcode').rule).toBe('deny');
  });

  it('denies attribute paths that reach a denied global or walk through dunders', () => {
    expect(policy.classify('torch.serialization', 'os.system')).toMatchObject({
      rule: 'deny',
      severity: 'critical',
    });
    expect(policy.classify('mylib', 'helpers.subprocess.Popen').reason).toMatch(/reaches subprocess\.Popen/);
    expect(policy.classify('builtins', 'object.__subclasses__')).toMatchObject({
      rule: 'deny',
      severity: 'high',
    });
    expect(policy.classify('mylib', '__builtins__')).toMatchObject({ rule: 'deny' });
    expect(policy.classify('pathlib', 'Path.write_text')).toMatchObject({ rule: 'deny', severity: 'high' });
  });

  it('leaves other names unknown, including non-class names in allowed packages', () => {
    for (const q of [
      'mylib.Model',
      'sklearn.tree._export.export_graphviz',
      'collections.OrderedDict.fromkeys',
      'torch.nn.Module',
    ])
      expect(verdict(q), q).toMatchObject({ rule: 'unknown', severity: 'medium' });
  });
});

describe('policy options', () => {
  it('raises unknown imports to high under strict, and honours unknownSeverity', () => {
    expect(verdict('mylib.Model', buildPolicy({}, true))).toMatchObject({
      rule: 'unknown',
      severity: 'high',
    });
    expect(verdict('mylib.Model', buildPolicy({ unknownSeverity: 'low' }))).toMatchObject({
      severity: 'low',
    });
    expect(verdict('mylib.Model', buildPolicy({ unknownSeverity: 'critical' }, true)).severity).toBe(
      'critical',
    );
    expect(buildPolicy({}, true).strict).toBe(true);
  });

  it('applies user allow patterns (exact, module.* and module.**) before the built-in lists', () => {
    const p = buildPolicy({ allow: ['mylib.*', 'otherlib.**', 'os.getcwd'] });
    expect(verdict('mylib.Model', p).rule).toBe('allow');
    expect(p.classify('mylib.sub', 'X').rule).toBe('unknown');
    expect(p.classify('mylib', 'Model.method').rule).toBe('unknown');
    expect(p.classify('otherlib.deep.er', 'Y').rule).toBe('allow');
    expect(verdict('os.getcwd', p)).toMatchObject({ rule: 'allow', reason: 'allowed by the policy file' });
    expect(verdict('os.system', p).rule).toBe('deny');
    expect(verdict('posix.getcwd', p).rule).toBe('allow'); // aliases apply to patterns too
  });

  it('applies user deny patterns first, with their severity and reason, prefix included', () => {
    const p = buildPolicy({
      allow: ['torch._utils.*'],
      deny: [
        { global: 'torch._utils.*', severity: 'high', reason: 'no tensors here' },
        { global: 'mylib.Danger', severity: 'medium', reason: 'x' },
      ],
    });
    expect(verdict('torch._utils._rebuild_tensor_v2', p)).toEqual({
      rule: 'deny',
      severity: 'high',
      reason: 'no tensors here',
    });
    expect(verdict('mylib.Danger.run', p)).toMatchObject({ rule: 'deny', severity: 'medium' });
    expect(buildPolicy({ deny: [{ global: 'mylib.X' }] }).classify('mylib', 'X')).toMatchObject({
      severity: 'critical',
      reason: 'denied by policy file',
    });
  });

  it('rejects malformed configs with POLICY_INVALID', () => {
    expect(() => buildPolicy({ allow: [''] })).toThrow(expect.objectContaining({ code: 'POLICY_INVALID' }));
    expect(() => buildPolicy({ bogus: 1 } as never)).toThrow(
      expect.objectContaining({ code: 'POLICY_INVALID' }),
    );
  });
});
