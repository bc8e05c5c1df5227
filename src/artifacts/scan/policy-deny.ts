/**
 * Built-in denylist of pickle globals. Each entry is a prefix of a qualified name (`module.name`
 * after alias normalisation): it denies that name and everything under it, so `bdb.Bdb` also
 * covers `bdb.Bdb.run`. The reason is one sentence saying what the global can do at load time.
 */
import type { Severity } from '../../core/index.js';

/** One built-in deny entry: which qualified-name prefixes, how bad, and why. */
export interface DenyEntry {
  severity: Severity;
  reason: string;
}

type Group = [Severity, string, string[]];

/** Whitespace-separated names, so the lists stay readable and short. */
const words = (s: string): string[] => s.split(/\s+/).filter(Boolean);

const EXEC = 'it executes arbitrary Python code or shell commands when called during unpickling.';
const SHELL = 'it spawns processes or runs shell commands.';
const NET = 'it opens network connections, which lets a loaded model exfiltrate data or fetch payloads.';
const FILES = 'it reads, writes or deletes files on the loading machine.';
const LOADER = 'it deserializes another payload (pickle, marshal or model file) that can execute code.';
const REFLECT =
  'it gives a pickle reflective access to attributes, objects or namespaces, the usual route to reach os.system from harmless-looking globals.';
const CALLS = 'it builds callables or calls functions indirectly, which turns a pickle into a program.';
const DEBUG = 'its debugger/profiler/test entry points run code given as a string.';
const INSTALL = 'it installs packages or creates environments, running setup code from outside.';
const PROCESS = 'it manipulates the interpreter or process (exit, signals, threads, hooks).';
const ML_EXEC = 'this ML-framework entry point compiles or executes code or loads further untrusted files.';

const GROUPS: Group[] = [
  [
    'critical',
    SHELL,
    words(`
    os subprocess pty pipes popen2 platform.popen _winapi asyncio multiprocessing
  `),
  ],
  [
    'critical',
    EXEC,
    words(`
    builtins.eval builtins.exec builtins.execfile builtins.compile builtins.__import__
    builtins.breakpoint builtins.input runpy code codeop importlib imp zipimport pkgutil
    types.CodeType types.FunctionType types.LambdaType types.MethodType types.ModuleType
    types.new_class ctypes cffi numexpr.evaluate atexit logging.config uuid._get_command_stdout
    uuid._popen uuid._find_mac uuid._find_mac_near_keyword uuid._find_mac_under_heading
    uuid._ifconfig_getnode uuid._ip_getnode uuid._arp_getnode uuid._lanscan_getnode
    uuid._netstat_getnode uuid._ipconfig_getnode uuid._netbios_getnode _aix_support _osx_support
    _pyrepl IPython sympy.core.sympify sympy.parsing pandas.eval pandas.core.computation
    tensorflow.python.ops.script_ops transformers.dynamic_module_utils
  `),
  ],
  [
    'critical',
    DEBUG,
    words(`
    pdb bdb cProfile profile trace timeit doctest pydoc idlelib lib2to3 test
  `),
  ],
  [
    'critical',
    INSTALL,
    words(`
    pip ensurepip venv distutils setuptools numpy.distutils numpy.f2py site
  `),
  ],
  [
    'critical',
    ML_EXEC,
    words(`
    torch.hub torch.jit torch._dynamo torch._inductor torch.fx torch.package torch.utils.bottleneck
    torch.utils.collect_env torch.utils.cpp_extension torch.utils._config_module
    torch.utils.data.datapipes torch.testing._internal torch.distributed torch.multiprocessing
    numpy.testing
  `),
  ],
  [
    'critical',
    LOADER,
    words(`
    marshal cloudpickle dill torch.load torch.serialization.load torch.serialization._load
  `),
  ],
  [
    'high',
    LOADER,
    words(`
    pickle shelve jsonpickle torch.storage._load_from_bytes joblib.load joblib.numpy_pickle.load
    numpy.load numpy.loads numpy.lib.npyio numpy.lib.format.read_array numpy.ctypeslib
    pandas.read_pickle pandas.io yaml.load yaml.load_all yaml.unsafe_load yaml.unsafe_load_all
    yaml.full_load yaml.full_load_all copyreg.add_extension copyreg.remove_extension copyreg.pickle
    copyreg.constructor
  `),
  ],
  [
    'high',
    REFLECT,
    words(`
    builtins.getattr builtins.setattr builtins.delattr builtins.globals builtins.locals
    builtins.vars operator gc inspect sys weakref.finalize
  `),
  ],
  [
    'high',
    CALLS,
    words(`
    builtins.apply functools.partial functools.partialmethod functools.reduce jinja2
  `),
  ],
  [
    'high',
    NET,
    words(`
    socket ssl http urllib urllib3 requests aiohttp httpx webbrowser ftplib smtplib smtpd imaplib
    poplib nntplib telnetlib xmlrpc socketserver wsgiref asynchat asyncore huggingface_hub
    transformers.utils.hub
  `),
  ],
  // the bare classes are allowlisted; their methods (write_text, unlink...) reached by name are not
  [
    'high',
    FILES,
    words(`
    builtins.open builtins.file io.open io.open_code io.FileIO codecs.open shutil tempfile fileinput
    glob linecache logging sqlite3 dbm tarfile zipfile gzip bz2 lzma mmap fcntl numpy.save
    numpy.savez numpy.savez_compressed numpy.savetxt numpy.loadtxt numpy.genfromtxt numpy.fromfile
    joblib.dump torch.save torch.serialization.save tensorflow.io pathlib.Path pathlib.PosixPath
    pathlib.WindowsPath pathlib.PurePath pathlib.PurePosixPath pathlib.PureWindowsPath
  `),
  ],
  [
    'high',
    PROCESS,
    words(`
    builtins.exit builtins.quit builtins.help builtins.copyright builtins.credits builtins.license
    signal threading _thread concurrent resource pwd grp spwd getpass readline cmd platform winreg
    msvcrt
  `),
  ],
];

/** Qualified-name prefix -> deny entry (of all matching prefixes the most severe wins). */
export const BUILTIN_DENY: ReadonlyMap<string, DenyEntry> = new Map(
  GROUPS.flatMap(([severity, reason, prefixes]) =>
    prefixes.map((p): [string, DenyEntry] => [p, { severity, reason }]),
  ),
);

/** Dunder attributes that open Python internals when reached through a dotted name. */
export const DANGEROUS_DUNDERS: ReadonlySet<string> = new Set([
  '__import__',
  '__builtins__',
  '__globals__',
  '__subclasses__',
  '__code__',
  '__class__',
  '__bases__',
  '__base__',
  '__mro__',
  '__dict__',
  '__getattribute__',
  '__reduce__',
  '__reduce_ex__',
  '__loader__',
  '__spec__',
  '__closure__',
  '__func__',
  '__self__',
  '__call__',
  '__init__',
  '__new__',
  '__setattr__',
  '__delattr__',
  '__init_subclass__',
  '__class_getitem__',
]);

/**
 * Python 2 names and private/platform module aliases, mapped to the module they stand for (only
 * the first component of a module path is mapped): `__builtin__.eval` is `builtins.eval`.
 */
export const MODULE_ALIASES: ReadonlyMap<string, string> = new Map([
  ['__builtin__', 'builtins'],
  ['exceptions', 'builtins'],
  ['copy_reg', 'copyreg'],
  ['cPickle', 'pickle'],
  ['_pickle', 'pickle'],
  ['_operator', 'operator'],
  ['posix', 'os'],
  ['nt', 'os'],
  ['_io', 'io'],
  ['_pyio', 'io'],
  ['commands', 'subprocess'],
  ['_posixsubprocess', 'subprocess'],
  ['urllib2', 'urllib'],
  ['urlparse', 'urllib'],
  ['httplib', 'http'],
  ['cookielib', 'http'],
  ['BaseHTTPServer', 'http'],
  ['SimpleHTTPServer', 'http'],
  ['CGIHTTPServer', 'http'],
  ['SocketServer', 'socketserver'],
  ['xmlrpclib', 'xmlrpc'],
  ['SimpleXMLRPCServer', 'xmlrpc'],
  ['thread', '_thread'],
  ['dummy_thread', '_thread'],
  ['StringIO', 'io'],
  ['cStringIO', 'io'],
  ['UserDict', 'collections'],
  ['UserList', 'collections'],
  ['_collections', 'collections'],
  ['_functools', 'functools'],
  ['_socket', 'socket'],
  ['_ssl', 'ssl'],
  ['_signal', 'signal'],
  ['_ctypes', 'ctypes'],
  ['_codecs', 'codecs'],
  ['_sqlite3', 'sqlite3'],
  ['_winreg', 'winreg'],
  ['_multiprocessing', 'multiprocessing'],
  ['_asyncio', 'asyncio'],
  ['_thread', '_thread'],
  ['_bz2', 'bz2'],
  ['_lzma', 'lzma'],
  ['_marshal', 'marshal'],
  ['_imp', 'imp'],
  ['_frozen_importlib', 'importlib'],
  ['_frozen_importlib_external', 'importlib'],
]);
