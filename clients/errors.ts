// What a backend client throws when the backend is not there. Kept free of Node APIs: the
// browser bundle and analysis/ import it.

/** A backend did not answer or answered with a server error. `hint` says how to start it. */
export class BackendUnavailableError extends Error {
  override readonly name = 'BackendUnavailableError';
  constructor(
    /** Which backend: "Jaeger", "VictoriaLogs", "Prometheus". */
    readonly backend: string,
    /** The base URL that was tried. */
    readonly url: string,
    /** What went wrong, e.g. "connection refused" or "HTTP 503". */
    readonly reason: string,
    /** How to get it running. */
    readonly hint = 'start the stack with `npm start` (or `docker compose up`)',
  ) {
    super(`${backend} is not answering at ${url} (${reason}): ${hint}`);
  }
}

/** The backend answered, but refused the query (a PromQL or LogsQL error): the query is at fault. */
export class QueryRefusedError extends Error {
  override readonly name = 'QueryRefusedError';
  constructor(
    readonly backend: string,
    readonly query: string,
    readonly reason: string,
  ) {
    super(`${backend} refused ${query}: ${reason}`);
  }
}
