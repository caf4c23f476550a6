/**
 * The filter AST: plain JSON, so a filter crosses the worker boundary as is.
 * Null semantics are SQL's (see README): a comparison with null is unknown, and unknown rows are dropped.
 */

/** A literal: text, number, boolean, null, a timestamp (`{ $date: ISO string }`) or a 64-bit integer (`{ $bigint: decimal string }`). */
export type Scalar = string | number | boolean | null | { $date: string } | { $bigint: string };

/** A filter tree node. */
export type Filter =
  | { op: 'and' | 'or'; filters: Filter[] }
  | { op: 'not'; filter: Filter }
  | { op: 'eq' | 'ne' | 'lt' | 'lte' | 'gt' | 'gte'; field: string; value: Scalar }
  | { op: 'in' | 'notIn'; field: string; values: Scalar[] }
  | { op: 'between'; field: string; low: Scalar; high: Scalar }
  | { op: 'contains' | 'startsWith' | 'endsWith'; field: string; value: string; caseSensitive?: boolean }
  | { op: 'matches'; field: string; pattern: string; flags?: string }
  | { op: 'isNull' | 'isNotNull'; field: string };
