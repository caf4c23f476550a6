/**
 * One-million-row batches through the compiled filter: the kept counts must be exact. Speed is
 * measured by `npm run bench` (filtered CSV), not asserted here, where timing would be noise.
 */
import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { compileFilter, parseFilter, planFilter } from '../../../src/filter/index.js';
import { seededRandom } from './helpers.js';

const N = 1_000_000;

function bigBatch(): arrow.RecordBatch {
  const random = seededRandom(7);
  const amount = new Float64Array(N);
  const qty = new Int32Array(N);
  const created = new BigInt64Array(N);
  const validity = new Uint8Array(N / 8).fill(0xff);
  const categories = ['alpha', 'beta', 'gamma', 'delta'].map((c) => new TextEncoder().encode(c));
  const offsets = new Int32Array(N + 1);
  const bytes = new Uint8Array(N * 5);
  const active = new Uint8Array(N / 8);
  let at = 0;
  for (let i = 0; i < N; i++) {
    amount[i] = random() * 1000;
    qty[i] = i % 100;
    created[i] = BigInt(1_704_067_200_000 + i * 1000);
    if (i % 97 === 0) validity[i >> 3]! &= ~(1 << (i & 7)); // ~1% nulls in amount
    const category = categories[i & 3]!;
    bytes.set(category, at);
    at += category.length;
    offsets[i + 1] = at;
    if (i % 10 !== 0) active[i >> 3]! |= 1 << (i & 7);
  }
  const children = [
    arrow.makeData({ type: new arrow.Float64(), length: N, data: amount, nullBitmap: validity, nullCount: Math.ceil(N / 97) }),
    arrow.makeData({ type: new arrow.Int32(), length: N, data: qty }),
    arrow.makeData({ type: new arrow.TimestampMillisecond(), length: N, data: created }),
    arrow.makeData({ type: new arrow.Utf8(), length: N, data: bytes.subarray(0, at), valueOffsets: offsets }),
    arrow.makeData({ type: new arrow.Bool(), length: N, data: active }),
  ];
  const fields = ['amount', 'qty', 'created', 'category', 'active'].map((name, i) => new arrow.Field(name, children[i]!.type, true));
  return new arrow.RecordBatch(new arrow.Schema(fields), arrow.makeData({ type: new arrow.Struct(fields), length: N, nullCount: 0, children }));
}

/** Rows the compiled filter keeps. */
function measure(batch: arrow.RecordBatch, text: string): { kept: number } {
  const compiled = compileFilter(planFilter(parseFilter(text)).filter, batch.schema);
  return { kept: compiled.evaluate(batch)?.length ?? N };
}

describe('filters over 1M-row batches (5 terms)', () => {
  const batch = bigBatch();
  const terms = (amount: string) =>
    `${amount} and qty >= 0 and created >= '2024-01-01' and category in ('alpha', 'beta', 'gamma', 'delta') and qty < 1000`;

  it('keeps ~99% of 1M rows', () => {
    const { kept } = measure(batch, terms('amount >= 0'));
    expect(kept).toBe(N - Math.ceil(N / 97));
  });

  it('keeps ~10% of 1M rows', () => {
    const { kept } = measure(batch, terms('amount < 100'));
    expect(kept).toBeGreaterThan(N * 0.09);
    expect(kept).toBeLessThan(N * 0.11);
  });

  it('evaluates text and boolean terms over 1M rows', () => {
    const { kept } = measure(batch, "active and category != 'beta' and category icontains 'A' and amount > 1 and category endswith 'a'");
    expect(kept).toBeGreaterThan(N * 0.6);
  });
});
