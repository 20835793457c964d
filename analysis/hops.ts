// Hop gaps: between a client span and the server span it caused in another service, the time
// spent on the wire, in queues and in the HTTP stacks (neither side's code).
import type { Span, Trace } from './model';
import { spanIndex } from './model';

/** One client → server hop. Times in ns. */
export interface Hop {
  client: Span;
  server: Span;
  /** Server start minus client start: connection, sending, queueing before the handler ran. */
  beforeNs: number;
  /** Client end minus server end: sending the answer back and reading it. Negative when the server ran on after the client. */
  afterNs: number;
  /**
   * The two clocks disagree: the server span starts before its client span. (The other way round,
   * a server span ending after its client, happens on one clock too, see `serverOutlivedClient`.)
   */
  clockSkew: boolean;
  /**
   * The server span ended after its client span: the client stopped waiting first (a timeout
   * aborted it), or its span ended at the response headers while the server's ended at the last
   * byte. Measured on one host, so not clock skew.
   */
  serverOutlivedClient: boolean;
}

/** Every client (or producer) span's server (or consumer) children in another service. */
export function hops(trace: Trace): Hop[] {
  const index = spanIndex(trace);
  const result: Hop[] = [];
  for (const client of trace.spans) {
    if (client.kind !== 'client' && client.kind !== 'producer') continue;
    for (const id of client.childIds) {
      const server = index.get(id)!;
      if ((server.kind !== 'server' && server.kind !== 'consumer') || server.service === client.service) continue;
      const beforeNs = server.startNs - client.startNs;
      const afterNs = client.endNs - server.endNs;
      result.push({
        client,
        server,
        beforeNs,
        afterNs,
        clockSkew: beforeNs < 0,
        // A consumer may run long after its producer: that is its nature, not worth a flag.
        serverOutlivedClient: afterNs < 0 && server.kind === 'server',
      });
    }
  }
  return result;
}
