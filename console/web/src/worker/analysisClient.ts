// The page's side of the analysis worker: one worker for the page's life, one promise per trace.
import { type MalformedTraceIdError, parseTraceId } from '../../../../analysis';
import type { AnalysisRequest } from './analysis.worker';
import { type LoadedTrace, loadTraceReport } from './loadReport';

type Answer = { id: number; json: string } | { id: number; error: { name: string; message: string } };

let worker: Worker | undefined;
let nextId = 0;
const pending = new Map<number, { resolve: (loaded: LoadedTrace) => void; reject: (error: Error) => void }>();

function analysisWorker(): Worker {
  if (worker) return worker;
  worker = new Worker(new URL('./analysis.worker.ts', import.meta.url), { type: 'module', name: 'trace analysis' });
  worker.onmessage = (event: MessageEvent<Answer>) => {
    const answer = event.data;
    const waiting = pending.get(answer.id);
    pending.delete(answer.id);
    if (!waiting) return;
    if ('json' in answer) waiting.resolve(JSON.parse(answer.json) as LoadedTrace);
    else waiting.reject(Object.assign(new Error(answer.error.message), { name: answer.error.name }));
  };
  return worker;
}

/** Loads and analyses a trace in the worker (on the page where workers are unavailable). */
export function loadTraceInWorker(traceId: string): Promise<LoadedTrace> {
  try {
    parseTraceId(traceId);
  } catch (error) {
    return Promise.reject(error as MalformedTraceIdError);
  }
  if (typeof Worker === 'undefined') return loadTraceReport(traceId, location.origin);
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    analysisWorker().postMessage({ id, traceId, origin: location.origin } satisfies AnalysisRequest);
  });
}
