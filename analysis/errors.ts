// Errors a caller can act on. The CLI turns each into a one-line message and an exit code; the
// console shows the message. Kept free of Node APIs so the browser can import them.

/** The text is not a trace id (Jaeger/W3C ids are 16 or 32 hexadecimal digits, not all zero). */
export class MalformedTraceIdError extends Error {
  override readonly name = 'MalformedTraceIdError';
  constructor(readonly input: string) {
    super(`"${input}" is not a trace id: expected 32 hexadecimal digits (or 16), not all zero`);
  }
}

/** The trace backend answered, but it does not hold this trace (never sent, sampled out, or expired). */
export class TraceNotFoundError extends Error {
  override readonly name = 'TraceNotFoundError';
  constructor(
    readonly traceId: string,
    where = 'Jaeger',
  ) {
    super(`trace ${traceId} was not found in ${where} (spans reach Jaeger about 5 s after the request; retry, or check the id)`);
  }
}

export { BackendUnavailableError } from '../clients/errors';

/** The backend answered something this library cannot read as a trace. */
export class UnreadableTraceError extends Error {
  override readonly name = 'UnreadableTraceError';
}
