export * from './render.js';
export { renderTable } from './table.js';
export { renderJson } from './json.js';
export { renderSarif } from './sarif.js';
export { renderMarkdown } from './markdown.js';
export { renderHtml, escapeHtml } from './html.js';
export * from './standards.js';
