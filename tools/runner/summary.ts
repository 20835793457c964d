// What the stack CLI prints: the summary once the stack is up (addresses from local/addresses.ts
// and the backend recipes) and the status table.
import { URLS } from '../../local/addresses';
import { controlTokenFile } from '../../local/control-token';
import { BACKEND_PORTS } from '../../local/ports';
import { type BackendRecipe, backend, instanceNames, instancePort, type Topology } from '../backends/index';
import type { ProcessStatus, Stack } from './supervisor';

/** `status` as a table: a row per process. */
export function statusTable(rows: ProcessStatus[]): string {
  const lines = [['process', 'state', 'pid', 'port(s)', 'restarts']];
  for (const r of rows) lines.push([r.name, r.state, r.pid ? String(r.pid) : '-', r.ports.join(','), String(r.restarts)]);
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  return lines
    .map((l) =>
      l
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** What the scaled topology adds, for the summary. */
function scaledSummary(): string {
  const gateways = backend('collector-gateway');
  const storage = backend('victorialogs-storage');
  const copies = (recipe: BackendRecipe, port: string) =>
    instanceNames(recipe)
      .map((name, i) => `${name} :${instancePort(recipe, port, { mode: 'native', replica: i + 1 })}`)
      .join(', ');
  return `
Scaled topology (docs/scaling.md): the collector on :${BACKEND_PORTS.collector.otlpGrpc}/:${BACKEND_PORTS.collector.otlpHttp} is the agent; it routes each trace
id to a gateway collector (${copies(gateways, 'otlpGrpc')}; their metrics on
${copies(gateways, 'metrics')}), which computes the span metrics and tail-samples. VictoriaLogs on
:${BACKEND_PORTS.victorialogs.http} is the cluster's front end over ${copies(storage, 'http')}.
`;
}

/**
 * What `npm start` prints once the services, the collector, Jaeger and the console run: the first
 * trace can be seen, though other backends may still be building.
 */
export function firstTraceNote(stack: Stack): string {
  const building = [...new Set(stack.status().flatMap((p) => (p.state === 'running' ? [] : [p.name])))];
  return `
The first trace can be seen: open ${URLS.console}/traces and send a request:
  curl -s -X POST ${URLS.gateway}/v1/predict -H 'content-type: application/json' \
    -d '{"customer_id":"c-42","features":{"tenure_months":3,"monthly_spend":120,"support_tickets":2,"plan":"basic"}}'
${
  building.length
    ? `Still to come: ${building.join(', ')} (the console says how long; the summary follows when all are ready).
`
    : ''
}`;
}

/** What `npm start` prints once everything is ready: where things are and what to try. */
export function summary(stack: Stack, topology: Topology): string {
  return `
tracelab is running (native mode, everything on 127.0.0.1). Logs: ${stack.logDir}
${topology === 'scaled' ? scaledSummary() : ''}
  console        ${URLS.console}         start here: traces, service map, signals, fault lab
  gateway        ${URLS.gateway}         POST /v1/predict, GET /random
  jaeger API     ${URLS.jaeger}/api/services   (no web UI in a native build: use docker compose for the UI)
  prometheus     ${URLS.prometheus}        /api/v1/query?query=up  (API only natively)
  victorialogs   ${URLS.victorialogs}        /select/vmui (log UI), /select/logsql/query
  alertmanager   ${URLS.alertmanager}        alerts delivered: ${URLS.alertRecorder}/alerts
  control token  in ${controlTokenFile()}   (PUT /v1/control on each service)

Try it:
  curl -s -i -X POST ${URLS.gateway}/v1/predict -H 'content-type: application/json' \\
    -d '{"customer_id":"c-42","features":{"tenure_months":3,"monthly_spend":120,"support_tickets":2,"plan":"basic"}}'
  curl -s ${URLS.jaeger}/api/traces/<trace_id from the answer>

Make the model fail and watch the fallback:
  curl -s -X PUT ${URLS.modelInference}/v1/control -H "authorization: Bearer $(cat ${controlTokenFile()})" \\
    -H 'content-type: application/json' -d '{"error_rate":1}'

Supervision restarts a process that dies. npm run stack -- status   shows them all;
npm run stack -- restart <name>   restarts one. Ctrl-C stops everything.`;
}
