/** Readable text of what the optimizer makes of a filter. */
import type { Schema } from 'apache-arrow';
import type { Filter } from './ast.js';
import { compileFilter } from './evaluate.js';
import { formatFilter } from './format.js';
import { filterCost, isFalseFilter, isTrueFilter, optimizeFilter } from './optimize.js';
import { lookupColumn } from './typecheck.js';

/**
 * The optimized filter as indented text, one term per line with its estimated cost and, given
 * a schema, the column's type (and the typing checks the export runs).
 *
 * @example explainFilter(parseFilter('a > 1 and a > 3 and name contains "x"'))
 */
export function explainFilter(filter: Filter, schema?: Schema): string {
  const optimized = optimizeFilter(filter);
  if (schema !== undefined) compileFilter(optimized, schema);
  const lines: string[] = [];
  if (isFalseFilter(optimized)) lines.push('FALSE (no row can match; at most the first chunk is read, to name the columns)');
  else if (isTrueFilter(optimized)) lines.push('TRUE (every row matches; no filtering)');
  else explainNode(optimized, 0, schema, lines);
  return lines.join('\n');
}

function explainNode(filter: Filter, depth: number, schema: Schema | undefined, lines: string[]): void {
  const indent = '  '.repeat(depth);
  if ((filter.op === 'and' || filter.op === 'or') && filter.filters.length > 0) {
    lines.push(`${indent}${filter.op.toUpperCase()} (cost ${filterCost(filter)})`);
    for (const child of filter.filters) explainNode(child, depth + 1, schema, lines);
    return;
  }
  let type = '';
  if (schema !== undefined && 'field' in filter) type = `, ${String(lookupColumn(schema, filter.field, 'filter').type)}`;
  else if (schema !== undefined && filter.op === 'not' && 'field' in filter.filter) {
    type = `, ${String(lookupColumn(schema, filter.filter.field, 'filter').type)}`;
  }
  lines.push(`${indent}${formatFilter(filter)}  [cost ${filterCost(filter)}${type}]`);
}
