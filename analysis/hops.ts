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
   * The two clocks disagree: the server started before its client, or ended after a client that
   * ended normally (it must have seen the answer, so the server cannot have finished later).
   */
  clockSkew: boolean;
  /** The client gave up (ended in error, e.g. a timeout) while the server still worked: not skew. */
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
      // A consumer may run long after its producer: only a start before it is impossible.
      const endsLate = afterNs < 0 && server.kind === 'server';
      const clientGaveUp = client.status.code === 'error';
      result.push({
        client,
        server,
        beforeNs,
        afterNs,
        clockSkew: beforeNs < 0 || (endsLate && !clientGaveUp),
        serverOutlivedClient: endsLate && clientGaveUp,
      });
    }
  }
  return result;
}

/** Client spans with no server span under them: the callee is not traced, or its spans have not arrived yet. */
export function unansweredClients(trace: Trace): Span[] {
  const index = spanIndex(trace);
  return trace.spans.filter(
    (span) => span.kind === 'client' && !span.childIds.some((id) => ['server', 'consumer'].includes(index.get(id)!.kind)),
  );
}
