/**
 * Prints one greppable line at the end of a browser-test run, and names every test that did
 * not pass, so a skipped or flaky test cannot hide in a long CI log:
 *
 *   e2e summary: 12 passed, 1 failed, 0 flaky, 1 skipped, 0 not run (passed: false) in 41.2 s
 */
import type { FullResult, Reporter, Suite, TestCase } from '@playwright/test/reporter';

/** The Playwright reporter; registered in `playwright.config.ts` after `list`. */
export default class SummaryReporter implements Reporter {
  private root: Suite | undefined;

  onBegin(_config: unknown, suite: Suite): void {
    this.root = suite;
  }

  onEnd(result: FullResult): void {
    const tests = this.root?.allTests() ?? [];
    const by = (outcome: ReturnType<TestCase['outcome']>): TestCase[] => tests.filter((test) => ran(test) && test.outcome() === outcome);
    const passed = by('expected');
    const failed = by('unexpected');
    const flaky = by('flaky');
    const skipped = by('skipped');
    const notRun = tests.filter((test) => !ran(test));
    const seconds = (result.duration / 1000).toFixed(1);
    const lines = [
      `e2e summary: ${passed.length} passed, ${failed.length} failed, ${flaky.length} flaky, ${skipped.length} skipped, ` +
        `${notRun.length} not run (status: ${result.status}) in ${seconds} s`,
      ...failed.map((test) => `  failed:  ${title(test)}`),
      ...flaky.map((test) => `  flaky:   ${title(test)}`),
      ...skipped.map((test) => `  skipped: ${title(test)}${reason(test)}`),
      ...notRun.map((test) => `  not run: ${title(test)}`),
    ];
    console.log(`\n${lines.join('\n')}`);
  }

  printsToStdio(): boolean {
    return true;
  }
}

function ran(test: TestCase): boolean {
  return test.results.length > 0;
}

function title(test: TestCase): string {
  return test.titlePath().filter(Boolean).join(' › ');
}

function reason(test: TestCase): string {
  const note = test.annotations.find((annotation) => annotation.type === 'skip' || annotation.type === 'fixme');
  return note?.description ? ` (${note.description})` : '';
}
