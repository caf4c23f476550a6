/**
 * Compression that reads its input only as fast as compressed bytes are read (`compression`
 * option), so a slow consumer keeps the source from being drained ahead of it.
 */

/**
 * Compresses `input`, reading it only as fast as compressed bytes are asked for.
 *
 * `pipeThrough(new CompressionStream())` does not do that: the compressor accepts input as long as
 * it has not produced output, so a pipe drained the whole source ahead of a slow reader (measured:
 * 200,000 rows read before the first compressed chunk was consumed). Here each pull feeds one
 * input chunk at a time until an output chunk is ready.
 */
export function compressOnDemand(input: ReadableStream<Uint8Array>, compressor: ReadableWritablePair<Uint8Array, Uint8Array>): ReadableStream<Uint8Array> {
  const inputReader = input.getReader();
  const writer = compressor.writable.getWriter();
  const outputReader = compressor.readable.getReader();
  let pendingOutput: Promise<ReadableStreamReadResult<Uint8Array>> | null = null;
  let inputDone = false;
  const marker = Symbol('pending');
  const peek = async (): Promise<ReadableStreamReadResult<Uint8Array> | null> => {
    const result = await Promise.race([pendingOutput!, Promise.resolve(marker)]);
    return result === marker ? null : (result as ReadableStreamReadResult<Uint8Array>);
  };
  // Input fed since the compressor last produced output. Small inputs produce nothing for a while
  // (deflate buffers), so a task is waited for only once per this many bytes, not once per chunk.
  let fedSinceOutput = 0;
  const WAIT_EVERY_BYTES = 1 << 20;
  const settledOutput = async (): Promise<ReadableStreamReadResult<Uint8Array> | null> => {
    // Let the compressor's own promise jobs run before deciding it has nothing yet; a browser's
    // native compressor may deliver its output in a later task, so after enough input look once
    // more after one.
    for (let tick = 0; tick < 4; tick++) await Promise.resolve();
    const now = await peek();
    if (now !== null || fedSinceOutput < WAIT_EVERY_BYTES) return now;
    fedSinceOutput = 0;
    await new Promise((resolve) => setTimeout(resolve, 0));
    return peek();
  };
  // The write in flight, if any. Not awaited on its own: a compressor (Node's) may hold a write
  // until its output is read, so waiting for the write alone could wait forever.
  let writing: Promise<void> | null = null;
  let writeError: { error: unknown } | null = null;
  const startWrite = (promise: Promise<void>): void => {
    writing = promise.then(
      () => {
        writing = null;
      },
      (error: unknown) => {
        writeError = { error };
        writing = null;
      },
    );
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        pendingOutput ??= outputReader.read();
        for (;;) {
          if (writeError !== null) throw writeError.error;
          const ready = await settledOutput();
          if (ready !== null) {
            pendingOutput = null;
            fedSinceOutput = 0;
            if (ready.done) controller.close();
            else controller.enqueue(ready.value);
            return;
          }
          if (writing !== null) {
            await Promise.race([writing, pendingOutput]);
            continue;
          }
          if (inputDone) {
            const result = await pendingOutput;
            pendingOutput = null;
            if (result.done) controller.close();
            else controller.enqueue(result.value);
            return;
          }
          const { done, value } = await inputReader.read();
          if (done) {
            inputDone = true;
            startWrite(writer.close());
          } else {
            fedSinceOutput += value.byteLength;
            startWrite(writer.write(value));
          }
        }
      },
      async cancel(reason) {
        await Promise.allSettled([inputReader.cancel(reason), writer.abort(reason)]);
      },
    },
    { highWaterMark: 0 },
  );
}
