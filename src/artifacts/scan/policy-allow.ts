/**
 * Built-in allowlist of pickle globals that ML artifacts legitimately import: tensor/array
 * rebuild functions, plain data types, and estimator/config classes. An entry allows exactly
 * that qualified name (never attributes reached through it, e.g. `pathlib.Path.write_text`).
 *
 * Decisions worth knowing:
 * - `copyreg._reconstructor`, `__newobj__`, `__newobj_ex__` are allowed: they only instantiate a
 *   class that the pickle imports separately, and that import is classified on its own.
 * - `builtins.object` is allowed: protocol 0/1 pickles name it as the base of `_reconstructor`.
 * - Estimator packages (sklearn, xgboost, lightgbm, torch.nn/optim, transformers configs) are
 *   allowed by module prefix but only for CamelCase class names, whose constructors by those
 *   libraries' conventions only store parameters; lowercase functions there (e.g. exporters
 *   that write files) stay unknown.
 */

/** Allows names in modules matched by `module`; `names` restricts the (undotted) name. */
export interface AllowRule {
  module: RegExp;
  names: RegExp;
}

const CLASS = /^_?[A-Z][A-Za-z0-9_]*$/;

const TORCH_DTYPES = [
  'float32 float float64 double float16 half bfloat16 complex32 chalf complex64 cfloat complex128 cdouble',
  'uint8 int8 int16 short int32 int int64 long bool uint16 uint32 uint64 qint8 quint8 qint32 quint4x2 quint2x4',
  'float8_e4m3fn float8_e5m2 float8_e4m3fnuz float8_e5m2fnuz bits8 bits16',
  'strided sparse_coo sparse_csr sparse_csc sparse_bsr sparse_bsc _mkldnn',
  'contiguous_format channels_last channels_last_3d preserve_format',
  'per_tensor_affine per_channel_affine per_tensor_symmetric per_channel_symmetric per_channel_affine_float_qparams',
  'Size device dtype layout memory_format qscheme Tensor Generator',
];

const TORCH_STORAGES = [
  'Float Double Half BFloat16 Long Int Short Char Byte Bool ComplexFloat ComplexDouble',
  'QInt8 QUInt8 QInt32 QUInt4x2 QUInt2x4 Untyped',
].flatMap((s) => s.split(' ').map((t) => `torch.${t}Storage`));

const NUMPY_SCALARS =
  'bool_ bool int8 int16 int32 int64 uint8 uint16 uint32 uint64 float16 float32 float64 complex64 complex128 ' +
  'longlong ulonglong intc uintc intp uintp byte ubyte short ushort half single double longdouble clongdouble ' +
  'str_ bytes_ unicode_ string_ void object_ datetime64 timedelta64 ndarray dtype matrix';

/** Exact qualified names (after module alias normalisation, e.g. `__builtin__` -> `builtins`). */
export const ALLOW_EXACT: ReadonlySet<string> = new Set([
  ...'set frozenset slice complex bytearray bytes dict list tuple int float str bool range object memoryview NotImplemented Ellipsis'
    .split(' ')
    .map((n) => `builtins.${n}`),
  'copyreg._reconstructor',
  'copyreg.__newobj__',
  'copyreg.__newobj_ex__',
  'collections.OrderedDict',
  'collections.defaultdict',
  'collections.deque',
  'collections.Counter',
  'collections.ChainMap',
  'codecs.encode',
  'io.BytesIO',
  'io.StringIO',
  ...'datetime date time timedelta timezone tzinfo'.split(' ').map((n) => `datetime.${n}`),
  'decimal.Decimal',
  'fractions.Fraction',
  'uuid.UUID',
  'argparse.Namespace',
  'types.SimpleNamespace',
  're._compile',
  'enum.Enum',
  'logging.getLogger',
  'logging.Logger',
  'logging.RootLogger',
  ...'Path PosixPath WindowsPath PurePath PurePosixPath PureWindowsPath'
    .split(' ')
    .map((n) => `pathlib.${n}`),
  // numpy arrays, scalars and random generator states
  ...['numpy.core', 'numpy._core'].flatMap((m) => [
    `${m}.multiarray._reconstruct`,
    `${m}.multiarray.scalar`,
    `${m}.numeric._frombuffer`,
  ]),
  ...NUMPY_SCALARS.split(' ').map((n) => `numpy.${n}`),
  'numpy.ma.core._mareconstruct',
  'numpy.ma.core.MaskedArray',
  'numpy.matrixlib.defmatrix.matrix',
  'numpy.random.__RandomState_ctor',
  'numpy.random._pickle.__randomstate_ctor',
  'numpy.random._pickle.__generator_ctor',
  'numpy.random._pickle.__bit_generator_ctor',
  'numpy.random.mtrand.RandomState',
  'numpy.random._generator.Generator',
  'numpy.random._mt19937.MT19937',
  'numpy.random._pcg64.PCG64',
  'numpy.random._pcg64.PCG64DXSM',
  'numpy.random._philox.Philox',
  'numpy.random._sfc64.SFC64',
  // torch tensors, storages, dtypes
  'torch._tensor._rebuild_from_type',
  'torch._tensor._rebuild_from_type_v2',
  'torch.nn.parameter.Parameter',
  'torch.nn.parameter.Buffer',
  'torch.storage.TypedStorage',
  'torch.storage.UntypedStorage',
  'torch.storage._LegacyStorage',
  ...TORCH_STORAGES,
  ...TORCH_DTYPES.flatMap((s) => s.split(' ').map((n) => `torch.${n}`)),
  // joblib, scikit-learn helpers
  'joblib.numpy_pickle.NumpyArrayWrapper',
  'sklearn.externals.joblib.numpy_pickle.NumpyArrayWrapper',
  'sklearn.utils._bunch.Bunch',
  'sklearn.utils.Bunch',
  'sklearn.neighbors._kd_tree.newObj',
  'sklearn.neighbors._ball_tree.newObj',
  'tokenizers.AddedToken',
  'tokenizers.Tokenizer',
  // pandas frames and indexes
  'pandas._libs.internals._unpickle_block',
  'pandas.core.indexes.base._new_Index',
  'pandas._libs.tslibs.timestamps._unpickle_timestamp',
  'pandas._libs.tslibs.timedeltas._timedelta_unpickle',
  'pandas._libs.tslibs.nattype.__nat_unpickle',
]);

const SKLEARN_PACKAGES =
  'linear_model tree ensemble preprocessing pipeline compose svm neighbors cluster decomposition naive_bayes ' +
  'feature_extraction feature_selection impute calibration neural_network discriminant_analysis gaussian_process ' +
  'kernel_approximation kernel_ridge isotonic mixture multiclass multioutput dummy manifold cross_decomposition ' +
  'semi_supervised covariance random_projection model_selection _loss metrics frozen';

/** Module-pattern rules for libraries with many classes. */
export const ALLOW_RULES: readonly AllowRule[] = [
  { module: /^torch\._utils$/, names: /^_rebuild_[a-z0-9_]+$/ },
  { module: /^torch\.cuda$/, names: /^[A-Za-z0-9]+Storage$/ },
  { module: /^torch\.return_types$/, names: /^[a-z_][a-z0-9_]*$/ },
  { module: /^torch\.(nn\.modules|optim)(\.[\w]+)*$/, names: CLASS },
  { module: /^numpy\.dtypes$/, names: /^[A-Z][A-Za-z0-9]*DType$/ },
  { module: /^builtins$/, names: /^[A-Z][A-Za-z]*(Error|Exception|Warning)$/ },
  { module: new RegExp(`^sklearn\\.(${SKLEARN_PACKAGES.split(' ').join('|')})(\\.[\\w]+)*$`), names: CLASS },
  { module: /^(xgboost\.(sklearn|core)|lightgbm\.(sklearn|basic))$/, names: CLASS },
  { module: /^scipy\.sparse(\._?\w+)?$/, names: /^(csr|csc|coo|bsr|lil|dok|dia)_(matrix|array)$/ },
  {
    module:
      /^pandas\.core\.(frame|series|generic|internals(\.\w+)*|indexes(\.\w+)*|arrays(\.\w+)*|dtypes(\.\w+)*)$/,
    names: CLASS,
  },
  { module: /^pandas\._libs\.(internals|tslibs(\.\w+)*)$/, names: CLASS },
  {
    module:
      /^transformers\.(models\.\w+\.(configuration|tokenization)_\w+|configuration_utils|tokenization_utils(_base|_fast)?|generation\.configuration_utils|training_args(_seq2seq)?|trainer_utils|debug_utils|utils\.generic|utils\.quantization_config)$/,
    names: CLASS,
  },
  { module: /^accelerate\.utils\.dataclasses$/, names: CLASS },
];
