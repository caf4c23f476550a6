/**
 * Proof that the page stays responsive: a spinner turned by requestAnimationFrame (so it stops the
 * moment the main thread is blocked, unlike a CSS animation, which the compositor keeps running)
 * and the largest gap between frames, over the last second and since the last mark.
 */

/** What the meter shows. */
export interface FrameStats {
  /** Largest frame gap in the last second, in ms. */
  maxGapLastSecond: number;
  /** Largest frame gap since {@link FrameMeter.mark}, in ms (0 before the first mark). */
  maxGapSinceMark: number;
  /** Frames seen in the last second. */
  framesLastSecond: number;
}

/** The window the "last second" figures cover, in ms. */
const WINDOW_MS = 1_000;
/** Turns per second of the spinner. */
const TURNS_PER_SECOND = 0.75;

/**
 * Drives a spinner element and writes frame-gap figures into two output elements; the figures are
 * also mirrored in `data-*` attributes on `readout`, for tests to read without parsing text.
 */
export class FrameMeter {
  readonly #spinner: HTMLElement;
  readonly #lastSecond: HTMLElement;
  readonly #sinceMark: HTMLElement;
  readonly #readout: HTMLElement;
  /** Frame times and the gap before each, oldest first, for the last {@link WINDOW_MS}. */
  readonly #recent: Array<{ at: number; gap: number }> = [];
  #previous: number | null = null;
  #marked = false;
  #maxSinceMark = 0;
  #lastPaint = 0;

  constructor(elements: { spinner: HTMLElement; lastSecond: HTMLElement; sinceMark: HTMLElement; readout: HTMLElement }) {
    this.#spinner = elements.spinner;
    this.#lastSecond = elements.lastSecond;
    this.#sinceMark = elements.sinceMark;
    this.#readout = elements.readout;
    // A hidden tab gets no frames at all; its first frame back is not jank.
    document.addEventListener('visibilitychange', () => {
      this.#previous = null;
    });
    requestAnimationFrame(this.#frame);
  }

  /** Starts a new "since" period (an export starting). */
  mark(): void {
    this.#marked = true;
    this.#maxSinceMark = 0;
  }

  /** The current figures. */
  stats(): FrameStats {
    let max = 0;
    for (const entry of this.#recent) max = Math.max(max, entry.gap);
    return { maxGapLastSecond: max, maxGapSinceMark: this.#maxSinceMark, framesLastSecond: this.#recent.length };
  }

  readonly #frame = (now: number): void => {
    if (this.#previous !== null) {
      const gap = now - this.#previous;
      this.#recent.push({ at: now, gap });
      if (this.#marked) this.#maxSinceMark = Math.max(this.#maxSinceMark, gap);
    }
    this.#previous = now;
    while (this.#recent.length > 0 && this.#recent[0]!.at < now - WINDOW_MS) this.#recent.shift();
    this.#spinner.style.transform = `rotate(${((now / 1000) * TURNS_PER_SECOND * 360) % 360}deg)`;
    // Text updates four times a second: enough to read, and cheap.
    if (now - this.#lastPaint >= 250) {
      this.#lastPaint = now;
      this.#paint();
    }
    requestAnimationFrame(this.#frame);
  };

  #paint(): void {
    const stats = this.stats();
    this.#lastSecond.textContent = `${stats.maxGapLastSecond.toFixed(1)} ms`;
    this.#lastSecond.classList.toggle('bad', stats.maxGapLastSecond > 50);
    this.#sinceMark.textContent = this.#marked ? `${stats.maxGapSinceMark.toFixed(1)} ms` : '–';
    this.#sinceMark.classList.toggle('bad', stats.maxGapSinceMark > 50);
    this.#readout.dataset['maxGapLastSecond'] = stats.maxGapLastSecond.toFixed(1);
    this.#readout.dataset['maxGapSinceMark'] = stats.maxGapSinceMark.toFixed(1);
    this.#readout.dataset['framesLastSecond'] = String(stats.framesLastSecond);
  }
}
