import { z } from 'zod';
import type { Report } from '../core/index.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';
import { renderSarif } from './sarif.js';
import { renderTable } from './table.js';

export const OutputFormatSchema = z.enum(['table', 'json', 'sarif', 'markdown', 'html']);
export type OutputFormat = z.infer<typeof OutputFormatSchema>;

/** A domain's own renderer for some formats of its report (e.g. a red-team table); the rest stay generic. */
export type RendererOverrides<R extends Report> = Partial<Record<OutputFormat, (report: R) => string>>;

/** One entry point for every output format, so every command prints reports the same way. */
export function render<R extends Report>(
  report: R,
  format: OutputFormat,
  opts: { color?: boolean; width?: number; overrides?: RendererOverrides<R> } = {},
): string {
  const own = opts.overrides?.[format];
  if (own) return own(report);
  switch (format) {
    case 'json':
      return renderJson(report);
    case 'sarif':
      return renderSarif(report);
    case 'markdown':
      return renderMarkdown(report);
    case 'table':
      return renderTable(report, opts);
    case 'html':
      return renderHtml(report);
  }
}
