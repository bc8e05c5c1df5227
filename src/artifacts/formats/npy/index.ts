export { npyScanner } from './scanner.js';
export { readNpyHeader, analyzeDescr, type NpyHeader, type DtypeInfo } from './header.js';
export { parsePyLiteral, type PyLiteral } from './literal.js';
