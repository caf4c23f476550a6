/**
 * A small W3C WebDriver (classic, HTTP) client over fetch: the few commands the suite needs.
 * https://www.w3.org/TR/webdriver2/
 */

/** An error the remote end reported (`error` and `message` from its JSON). */
export class WebDriverError extends Error {
  override readonly name = 'WebDriverError';
  /** The command, e.g. `POST /session`. */
  readonly command: string;
  /** The W3C error code, e.g. `script timeout`. */
  readonly error: string;
  constructor(command: string, error: string, message: string) {
    super(`WebDriver ${command}: ${error}: ${message}`);
    this.command = command;
    this.error = error;
  }
}

/** Sends one command; returns its `value`. */
async function command<T>(base: string, method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown, timeoutMs = 660_000): Promise<T> {
  const init: RequestInit = { method, headers: { 'content-type': 'application/json; charset=utf-8' }, signal: AbortSignal.timeout(timeoutMs) };
  if (body !== undefined) init.body = JSON.stringify(body);
  const response = await fetch(`${base}${path}`, init);
  const text = await response.text();
  let json: { value?: unknown };
  try {
    json = JSON.parse(text) as { value?: unknown };
  } catch {
    throw new WebDriverError(`${method} ${path}`, `HTTP ${response.status}`, text.slice(0, 500));
  }
  const value = json.value as { error?: string; message?: string } | undefined;
  if (!response.ok || (value !== null && typeof value === 'object' && typeof value.error === 'string')) {
    throw new WebDriverError(`${method} ${path}`, value?.error ?? `HTTP ${response.status}`, value?.message ?? text.slice(0, 500));
  }
  return json.value as T;
}

/** One WebDriver session. */
export class WebDriverSession {
  private readonly base: string;
  /** The session id. */
  readonly id: string;
  /** The capabilities the remote end matched. */
  readonly capabilities: Record<string, unknown>;

  private constructor(base: string, id: string, capabilities: Record<string, unknown>) {
    this.base = base;
    this.id = id;
    this.capabilities = capabilities;
  }

  /** New Session with `alwaysMatch` capabilities. */
  static async create(base: string, alwaysMatch: Record<string, unknown>): Promise<WebDriverSession> {
    const value = await command<{ sessionId: string; capabilities: Record<string, unknown> }>(base, 'POST', '/session', { capabilities: { alwaysMatch } }, 120_000);
    return new WebDriverSession(base, value.sessionId, value.capabilities);
  }

  /** True once the remote end answers `/status` as ready. */
  static async ready(base: string): Promise<boolean> {
    try {
      return (await command<{ ready?: boolean }>(base, 'GET', '/status', undefined, 5_000)).ready === true;
    } catch {
      return false;
    }
  }

  /** Set Timeouts. */
  setTimeouts(timeouts: { script?: number; pageLoad?: number; implicit?: number }): Promise<void> {
    return command(this.base, 'POST', `/session/${this.id}/timeouts`, timeouts);
  }

  /** Navigate To (waits for the load event under the default page load strategy). */
  navigate(url: string): Promise<void> {
    return command(this.base, 'POST', `/session/${this.id}/url`, { url });
  }

  /** Execute Script: `body` is a function body; `arguments` holds `args`. */
  execute<T>(body: string, args: unknown[] = []): Promise<T> {
    return command<T>(this.base, 'POST', `/session/${this.id}/execute/sync`, { script: body, args });
  }

  /** Execute Async Script: `body` calls `arguments[arguments.length - 1]` with its result. */
  executeAsync<T>(body: string, args: unknown[] = []): Promise<T> {
    return command<T>(this.base, 'POST', `/session/${this.id}/execute/async`, { script: body, args });
  }

  /** Delete Session (closes the browser). */
  delete(): Promise<void> {
    return command(this.base, 'DELETE', `/session/${this.id}`, undefined, 30_000);
  }
}
