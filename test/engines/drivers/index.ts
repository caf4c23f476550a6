/**
 * Starts an engine by name. Each launcher returns a driver, or the reason the engine is not
 * installed here (the runner reports that engine as skipped with the reason).
 */
import { launchChromium } from './chromium.js';
import { launchFirefox } from './firefox.js';
import type { EngineName, LaunchResult } from './types.js';
import { launchWebKit } from './webkit.js';

export { ENGINES, type EngineDriver, type EngineName, type LaunchResult } from './types.js';

/** Launches `engine`. */
export function launchEngine(engine: EngineName): Promise<LaunchResult> {
  switch (engine) {
    case 'chromium':
      return launchChromium();
    case 'firefox':
      return launchFirefox();
    case 'webkit':
      return launchWebKit();
  }
}
