/**
 * Replaces `showSaveFilePicker` for headless tests (added with `page.addInitScript`): a real picker
 * rejects at once in headless Chromium, and Playwright cannot answer it. This one returns an OPFS
 * file handle — a real handle with the same swap-file semantics, which can go to a worker — named
 * after `suggestedName` (or `window.__picker.nextName`), and records every call.
 *
 * Kept free of imports: Playwright injects the function's source as is.
 */
export interface FakePickerState {
  /** The options of every call. */
  calls: Array<{ suggestedName?: string; id?: string; types?: unknown }>;
  /** The OPFS name the next pick returns instead of `suggestedName`. */
  nextName?: string | undefined;
  /** Make the next pick fail with this DOMException name (`AbortError` = the user cancelled). */
  failWith?: string | undefined;
}

declare global {
  interface Window {
    __picker: FakePickerState;
  }
}

/** The init script. */
export function installFakePicker(): void {
  const state: FakePickerState = { calls: [] };
  window.__picker = state;
  Object.defineProperty(window, 'showSaveFilePicker', {
    configurable: true,
    writable: true,
    value: async (options: { suggestedName?: string; id?: string; types?: unknown } = {}) => {
      state.calls.push(JSON.parse(JSON.stringify(options)));
      if (state.failWith !== undefined) {
        const name = state.failWith;
        state.failWith = undefined;
        throw new DOMException(name === 'AbortError' ? 'The user aborted a request.' : 'refused', name);
      }
      const name = state.nextName ?? options.suggestedName ?? 'picked.bin';
      state.nextName = undefined;
      const root = await navigator.storage.getDirectory();
      return root.getFileHandle(name, { create: true });
    },
  });
}
