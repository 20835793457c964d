// The analysis worker: loads and analyses traces off the page's main thread (see loadReport.ts).
// Message in: {id, traceId, origin}; out: {id, json} (a LoadedTrace as JSON text) or {id, error: {name, message}}.
import { loadTraceReport } from './loadReport';

export interface AnalysisRequest {
  id: number;
  traceId: string;
  origin: string;
}

self.onmessage = async (event: MessageEvent<AnalysisRequest>) => {
  const { id, traceId, origin } = event.data;
  try {
    // As JSON text: the page parses it faster than it would deserialize the same object graph.
    self.postMessage({ id, json: JSON.stringify(await loadTraceReport(traceId, origin)) });
  } catch (error) {
    const { name, message } = error instanceof Error ? error : new Error(String(error));
    self.postMessage({ id, error: { name, message } });
  }
};
