/** `count` byte budgets, log-uniform from `low` to `high` (a fixed seed: the same values every run). */
export function budgets(low: number, high: number, count = 50): number[] {
  let seed = 0x2545f491;
  const next = (): number => {
    seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
    return seed / 2 ** 32;
  };
  const values = new Set<number>([low, high]);
  while (values.size < count) values.add(Math.round(Math.exp(Math.log(low) + next() * (Math.log(high) - Math.log(low)))));
  return [...values].sort((a, b) => a - b);
}
