// The analysis worker: loads and analyses traces off the page's main thread (see loadReport.ts).
// Message in: {id, traceId, origin}; out: {id, loaded} or {id, error: {name, message}}.
import { loadTraceReport } from './loadReport';

export interface AnalysisRequest {
  id: number;
  traceId: string;
  origin: string;
}

self.onmessage = async (event: MessageEvent<AnalysisRequest>) => {
  const { id, traceId, origin } = event.data;
  try {
    self.postMessage({ id, loaded: await loadTraceReport(traceId, origin) });
  } catch (error) {
    const { name, message } = error instanceof Error ? error : new Error(String(error));
    self.postMessage({ id, error: { name, message } });
  }
};
