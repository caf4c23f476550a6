/**
 * The filter editor: rows of field / operator / value, kept in sync both ways with a text box in
 * the library's filter syntax. Rows become an AST, printed with `formatFilter`; text is read with
 * `parseFilter` and, when it is a flat `and` / `or` of simple terms, shown as rows again. Text the
 * rows cannot show (nesting, `not`) stays text, and the rows say so.
 */
import { formatFilter, parseFilter, type Filter, type Scalar } from '../src/index.js';
import type { ColumnKind } from './dataset.js';

/** The operators a row offers, as the user reads them. */
const ROW_OPERATORS = ['=', '!=', '<', '<=', '>', '>=', 'between', 'in', 'not in', 'contains', 'icontains', 'starts with', 'ends with', 'matches', 'is null', 'is not null'] as const;
type RowOperator = (typeof ROW_OPERATORS)[number];

/** One editor row. `value2` is the upper bound of `between`. */
interface Condition {
  field: string;
  operator: RowOperator;
  value: string;
  value2: string;
}

type Combinator = 'and' | 'or';

const COMPARISONS: ReadonlyArray<[RowOperator, 'eq' | 'ne' | 'lt' | 'lte' | 'gt' | 'gte']> = [
  ['=', 'eq'], ['!=', 'ne'], ['<', 'lt'], ['<=', 'lte'], ['>', 'gt'], ['>=', 'gte'],
];

const needsNoValue = (operator: RowOperator): boolean => operator === 'is null' || operator === 'is not null';

/** Thrown for a row that cannot become a filter yet (no value, a word where a number goes). */
class IncompleteRow extends Error {}

/** Text of a literal, as a user types it in a value box. */
function scalarText(value: Scalar): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return '$date' in value ? value.$date : value.$bigint;
  return String(value);
}

/**
 * Conditions for a filter, or null when rows cannot show it. Lists whose values hold a comma are
 * refused too: the value box splits on commas.
 */
function toConditions(filter: Filter): { combinator: Combinator; conditions: Condition[] } | null {
  const terms = filter.op === 'and' || filter.op === 'or' ? filter.filters : [filter];
  const combinator: Combinator = filter.op === 'or' ? 'or' : 'and';
  const conditions: Condition[] = [];
  for (const term of terms) {
    const condition = toCondition(term);
    if (condition === null) return null;
    conditions.push(condition);
  }
  return { combinator, conditions };
}

function toCondition(term: Filter): Condition | null {
  const blank = { value: '', value2: '' };
  switch (term.op) {
    case 'eq': case 'ne': case 'lt': case 'lte': case 'gt': case 'gte': {
      const operator = COMPARISONS.find(([, op]) => op === term.op)![0];
      return { ...blank, field: term.field, operator, value: scalarText(term.value) };
    }
    case 'between':
      return { field: term.field, operator: 'between', value: scalarText(term.low), value2: scalarText(term.high) };
    case 'in': case 'notIn': {
      const texts = term.values.map(scalarText);
      if (texts.some((text) => text.includes(','))) return null;
      return { ...blank, field: term.field, operator: term.op === 'in' ? 'in' : 'not in', value: texts.join(', ') };
    }
    case 'contains':
      return { ...blank, field: term.field, operator: term.caseSensitive === false ? 'icontains' : 'contains', value: term.value };
    case 'startsWith': case 'endsWith':
      if (term.caseSensitive === false) return null;
      return { ...blank, field: term.field, operator: term.op === 'startsWith' ? 'starts with' : 'ends with', value: term.value };
    case 'matches':
      return { ...blank, field: term.field, operator: 'matches', value: term.flags ? `/${term.pattern}/${term.flags}` : term.pattern };
    case 'isNull': case 'isNotNull':
      return { ...blank, field: term.field, operator: term.op === 'isNull' ? 'is null' : 'is not null' };
    default:
      return null;
  }
}

/** A literal from a value box, typed by the column's kind. */
function literal(text: string, kind: ColumnKind, field: string): Scalar {
  const trimmed = text.trim();
  if (trimmed === '') throw new IncompleteRow(`${field}: enter a value`);
  switch (kind) {
    case 'number': {
      const number = Number(trimmed);
      if (!Number.isFinite(number)) throw new IncompleteRow(`${field}: "${trimmed}" is not a number`);
      return number;
    }
    case 'boolean':
      if (trimmed === 'true' || trimmed === 'false') return trimmed === 'true';
      throw new IncompleteRow(`${field}: enter true or false`);
    case 'date':
      if (Number.isNaN(Date.parse(trimmed))) throw new IncompleteRow(`${field}: "${trimmed}" is not a date (try 2022-06-30)`);
      return { $date: trimmed };
    case 'string':
      // Strings are taken as typed: spaces are data.
      return text;
  }
}

function toTerm(condition: Condition, kind: ColumnKind): Filter {
  const { field, operator } = condition;
  const value = (): Scalar => literal(condition.value, kind, field);
  const text = (): string => {
    if (condition.value === '') throw new IncompleteRow(`${field}: enter a value`);
    return condition.value;
  };
  const comparison = COMPARISONS.find(([op]) => op === operator);
  if (comparison) return { op: comparison[1], field, value: value() };
  switch (operator) {
    case 'between':
      return { op: 'between', field, low: value(), high: literal(condition.value2, kind, field) };
    case 'in': case 'not in': {
      const values = condition.value.split(',').map((part) => literal(kind === 'string' ? part.trim() : part, kind, field));
      return { op: operator === 'in' ? 'in' : 'notIn', field, values };
    }
    case 'contains': return { op: 'contains', field, value: text() };
    case 'icontains': return { op: 'contains', field, value: text(), caseSensitive: false };
    case 'starts with': return { op: 'startsWith', field, value: text() };
    case 'ends with': return { op: 'endsWith', field, value: text() };
    case 'matches': {
      const slashed = /^\/(.*)\/([a-z]*)$/s.exec(text());
      return slashed ? { op: 'matches', field, pattern: slashed[1]!, flags: slashed[2]! } : { op: 'matches', field, pattern: text() };
    }
    case 'is null': return { op: 'isNull', field };
    case 'is not null': return { op: 'isNotNull', field };
    default: throw new IncompleteRow(`${field}: unknown operator ${operator}`);
  }
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

/** What the editor reports on every change. */
export interface FilterState {
  /** The filter, or null for "every row". */
  filter: Filter | null;
  /**
   * Why the filter cannot be used as it stands (text that does not parse, a condition row that is
   * incomplete or holds a word where a number goes). While it is set, nothing may be exported:
   * `filter` is only the last filter that was whole, shown for reference.
   */
  error: string | null;
}

/** The editor, bound to its container. */
export class FilterEditor {
  readonly #columns: ReadonlyArray<{ readonly name: string; readonly kind: ColumnKind }>;
  readonly #rowsHost: HTMLElement;
  readonly #text: HTMLTextAreaElement;
  readonly #message: HTMLElement;
  readonly #combinator: HTMLSelectElement;
  readonly #onChange: (state: FilterState) => void;
  #conditions: Condition[] = [];
  /** True while the text holds a filter the rows cannot show. */
  #textOnly = false;
  #state: FilterState = { filter: null, error: null };
  #textTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(host: HTMLElement, columns: ReadonlyArray<{ readonly name: string; readonly kind: ColumnKind }>, onChange: (state: FilterState) => void) {
    this.#columns = columns;
    this.#onChange = onChange;
    this.#combinator = element('select', { id: 'filter-combinator', title: 'How rows combine' }, element('option', { value: 'and', textContent: 'all of' }), element('option', { value: 'or', textContent: 'any of' }));
    this.#combinator.addEventListener('change', () => this.#fromRows());
    const add = element('button', { type: 'button', id: 'filter-add', className: 'secondary', textContent: '+ Condition' });
    add.addEventListener('click', () => {
      this.#conditions.push({ field: 'amount', operator: '>', value: '', value2: '' });
      this.#textOnly = false;
      this.#renderRows();
      this.#fromRows();
      this.#rowsHost.querySelector<HTMLSelectElement>('.filter-row:last-child select')?.focus();
    });
    const clear = element('button', { type: 'button', id: 'filter-clear', className: 'secondary', textContent: 'Clear' });
    clear.addEventListener('click', () => this.setText(''));
    this.#rowsHost = element('div', { className: 'filter-rows', id: 'filter-rows' });
    this.#text = element('textarea', { id: 'filter-text', rows: 2, spellcheck: false, placeholder: "amount > 5000 and category in ('books', 'toys')" });
    this.#text.setAttribute('aria-label', 'Filter expression');
    this.#text.addEventListener('input', () => {
      clearTimeout(this.#textTimer);
      this.#textTimer = setTimeout(() => {
        this.#textTimer = undefined;
        this.#fromText();
      }, 250);
    });
    this.#message = element('div', { className: 'filter-message', id: 'filter-message' });
    this.#message.setAttribute('role', 'alert');
    host.append(
      element('div', { className: 'filter-head' }, element('span', {}, 'Keep rows matching '), this.#combinator, element('span', {}, ' these conditions'), add, clear),
      this.#rowsHost,
      element('label', { className: 'filter-text-label', htmlFor: 'filter-text', textContent: 'As text' }),
      this.#text,
      this.#message,
    );
    this.#renderRows();
  }

  /** The current filter and error. */
  get state(): FilterState {
    return this.#state;
  }

  /** Applies text typed in the last moments (its read waits for a pause in typing). */
  flush(): void {
    if (this.#textTimer === undefined) return;
    clearTimeout(this.#textTimer);
    this.#textTimer = undefined;
    this.#fromText();
  }

  /** Replaces the filter with `text` (the text syntax), updating the rows. */
  setText(text: string): void {
    this.#text.value = text;
    this.#fromText();
  }

  #kind(field: string): ColumnKind {
    return this.#columns.find((column) => column.name === field)?.kind ?? 'string';
  }

  #emit(state: FilterState): void {
    this.#state = state;
    // A parse error ends with the text and a caret under the offset: those lines go in a <pre>,
    // in a monospace font, so the caret stays under the character it points at.
    const [first = '', ...excerpt] = (state.error ?? '').split('\n');
    this.#message.replaceChildren(first);
    if (excerpt.length > 0) this.#message.append(element('pre', { className: 'filter-excerpt', textContent: excerpt.join('\n') }));
    this.#message.classList.toggle('error', state.error !== null);
    this.#onChange(state);
  }

  /**
   * Rows → AST → text. An incomplete row leaves the text as the complete rows make it (so typing
   * never loses the text) and is reported as an error: the export waits until every row is whole.
   */
  #fromRows(): void {
    const terms: Filter[] = [];
    const problems: string[] = [];
    this.#conditions.forEach((condition, index) => {
      const row = this.#rowsHost.children[index];
      try {
        terms.push(toTerm(condition, this.#kind(condition.field)));
        row?.classList.remove('incomplete');
        row?.querySelector('.filter-value')?.removeAttribute('aria-invalid');
      } catch (error) {
        if (!(error instanceof IncompleteRow)) throw error;
        problems.push(`condition ${index + 1}, ${error.message}`);
        row?.classList.add('incomplete');
        row?.querySelector('.filter-value')?.setAttribute('aria-invalid', 'true');
      }
    });
    const combinator = this.#combinator.value === 'or' ? 'or' : 'and';
    const filter: Filter | null = terms.length === 0 ? null : terms.length === 1 ? terms[0]! : { op: combinator, filters: terms };
    try {
      this.#text.value = filter === null ? '' : formatFilter(filter);
      this.#emit({ filter, error: problems.length > 0 ? `Incomplete filter: ${problems.join('; ')}.` : null });
    } catch (error) {
      // formatFilter validates: an invalid regular expression, for one, is caught here.
      this.#emit({ filter: this.#state.filter, error: error instanceof Error ? error.message : String(error) });
    }
  }

  /** Text → AST → rows (when they can show it). */
  #fromText(): void {
    const text = this.#text.value;
    if (text.trim() === '') {
      this.#conditions = [];
      this.#textOnly = false;
      this.#renderRows();
      this.#emit({ filter: null, error: null });
      return;
    }
    let filter: Filter;
    try {
      filter = parseFilter(text);
    } catch (error) {
      this.#emit({ filter: this.#state.filter, error: error instanceof Error ? error.message : String(error) });
      return;
    }
    const rows = toConditions(filter);
    this.#textOnly = rows === null || rows.conditions.some((condition) => !this.#columns.some((column) => column.name === condition.field));
    if (rows !== null && !this.#textOnly) {
      this.#conditions = rows.conditions;
      this.#combinator.value = rows.combinator;
    }
    this.#renderRows();
    this.#emit({ filter, error: null });
  }

  #renderRows(): void {
    this.#rowsHost.replaceChildren();
    this.#rowsHost.classList.toggle('text-only', this.#textOnly);
    this.#combinator.disabled = this.#textOnly;
    if (this.#textOnly) {
      this.#rowsHost.append(element('p', { className: 'hint', textContent: 'This filter is nested or negated: edit it as text below.' }));
      return;
    }
    if (this.#conditions.length === 0) {
      this.#rowsHost.append(element('p', { className: 'hint', textContent: 'No conditions: every row is exported.' }));
      return;
    }
    this.#conditions.forEach((condition, index) => this.#rowsHost.append(this.#rowElement(condition, index)));
  }

  #rowElement(condition: Condition, index: number): HTMLElement {
    const field = element('select', { className: 'filter-field' }, ...this.#columns.map((column) => element('option', { value: column.name, textContent: column.name })));
    field.value = condition.field;
    field.setAttribute('aria-label', `Condition ${index + 1} field`);
    const operator = element('select', { className: 'filter-op' }, ...ROW_OPERATORS.map((op) => element('option', { value: op, textContent: op })));
    operator.value = condition.operator;
    operator.setAttribute('aria-label', `Condition ${index + 1} operator`);
    const value = element('input', { className: 'filter-value', value: condition.value, placeholder: this.#placeholder(condition), spellcheck: false });
    value.setAttribute('aria-label', `Condition ${index + 1} value`);
    const value2 = element('input', { className: 'filter-value2', value: condition.value2, placeholder: 'and', spellcheck: false });
    value2.setAttribute('aria-label', `Condition ${index + 1} upper bound`);
    const remove = element('button', { type: 'button', className: 'icon', title: 'Remove condition', textContent: '×' });
    remove.setAttribute('aria-label', `Remove condition ${index + 1}`);
    const showValues = (): void => {
      value.hidden = needsNoValue(condition.operator);
      value2.hidden = condition.operator !== 'between';
      value.placeholder = this.#placeholder(condition);
    };
    showValues();
    field.addEventListener('change', () => {
      condition.field = field.value;
      showValues();
      this.#fromRows();
    });
    operator.addEventListener('change', () => {
      condition.operator = operator.value as RowOperator;
      showValues();
      this.#fromRows();
    });
    value.addEventListener('input', () => {
      condition.value = value.value;
      this.#fromRows();
    });
    value2.addEventListener('input', () => {
      condition.value2 = value2.value;
      this.#fromRows();
    });
    remove.addEventListener('click', () => {
      this.#conditions.splice(index, 1);
      this.#renderRows();
      this.#fromRows();
    });
    return element('div', { className: 'filter-row' }, field, operator, value, value2, remove);
  }

  #placeholder(condition: Condition): string {
    if (condition.operator === 'in' || condition.operator === 'not in') return 'a, b, c';
    if (condition.operator === 'matches') return '/^a.*z$/i';
    switch (this.#kind(condition.field)) {
      case 'number': return '5000';
      case 'boolean': return 'true';
      case 'date': return '2022-06-30';
      case 'string': return 'text';
    }
  }
}
