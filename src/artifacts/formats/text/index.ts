export { jsonScanner, scanJsonValue, detectJson, templateScanner, detectTemplate } from './scanners.js';
export {
  analyzeTemplate,
  scanTemplate,
  hasJinjaSyntax,
  type JinjaAnalysis,
  type TemplateOrigin,
} from './jinja.js';
export { JINJA_RULES, CHAIN_RULE, type JinjaRule } from './jinja-rules.js';
export { normalizeTemplate } from './jinja-normalize.js';
export { parseJsonBounded, checkJsonShape, isJsonObject } from './json.js';
