// "Send a prediction" from the browser, traced from the click: the OpenTelemetry web SDK (loaded
// on demand) starts the trace's root span here, the fetch instrumentation carries its context to
// the gateway (through the console server, which forwards `traceparent`), and once Jaeger holds
// the whole trace the page opens it. The /traces and /lab pages use it to drive traffic without
// a terminal.
import { useState } from 'preact/hooks';
import { dependenciesOf, loadTrace, type Trace } from '../../../../analysis';
import { PLANS } from '../../../../services/shared/features';
import { navigate } from '../router';

type Step =
  | { state: 'idle' }
  | { state: 'sending' }
  | { state: 'waiting'; traceId: string; source: string }
  | { state: 'failed'; message: string; traceId?: string };

const TRACE_WAIT_MS = 60_000;

/** The trace is complete: its root is the browser's span, every span's parent is there, every call answered. */
function complete(trace: Trace, rootService: string): boolean {
  const root = trace.spans.find((s) => s.spanId === trace.roots[0]);
  return trace.roots.length === 1 && root?.service === rootService && trace.orphans.length === 0 && dependenciesOf(trace).length === 0;
}

async function waitForTrace(traceId: string, rootService: string): Promise<void> {
  const deadline = Date.now() + TRACE_WAIT_MS;
  let previous = -1;
  for (;;) {
    const trace = await loadTrace(traceId, { jaegerUrl: `${location.origin}/api/proxy/jaeger` }).catch(() => undefined);
    // Complete, and the span count has stopped changing between two polls (services export in batches).
    if (trace && complete(trace, rootService) && trace.spans.length === previous) return;
    previous = trace?.spans.length ?? -1;
    if (Date.now() > deadline) throw new Error(`trace ${traceId} was not complete in Jaeger after ${TRACE_WAIT_MS / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

export function PredictionForm() {
  const [step, setStep] = useState<Step>({ state: 'idle' });

  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const body = {
      customer_id: String(form.get('customer_id')),
      features: {
        tenure_months: Number(form.get('tenure_months')),
        monthly_spend: Number(form.get('monthly_spend')),
        support_tickets: Number(form.get('support_tickets')),
        plan: String(form.get('plan')),
      },
    };
    setStep({ state: 'sending' });
    try {
      const { traced, BROWSER_SERVICE } = await import('../telemetry/browserTracing');
      const answer = await traced('send prediction', { 'app.customer_id': body.customer_id }, async () => {
        const response = await fetch('/api/gateway/predict', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        const json = (await response.json().catch(() => ({}))) as { trace_id?: string; source?: string; error?: { message?: string } };
        if (!response.ok) throw new Error(json.error?.message ?? `the gateway answered ${response.status}`);
        return json;
      });
      if (!answer.trace_id) throw new Error('the gateway answered without a trace id');
      setStep({ state: 'waiting', traceId: answer.trace_id, source: answer.source ?? 'unknown' });
      await waitForTrace(answer.trace_id, BROWSER_SERVICE);
      navigate(`/trace/${answer.trace_id}`);
    } catch (error) {
      setStep({ state: 'failed', message: error instanceof Error ? error.message : String(error) });
    }
  };

  const busy = step.state === 'sending' || step.state === 'waiting';
  return (
    <form class="search prediction-form" aria-label="Send a prediction from this browser" onSubmit={submit}>
      <label>
        Customer <input name="customer_id" defaultValue="cust-browser-1" size={14} required />
      </label>
      <label>
        Tenure (months) <input name="tenure_months" type="number" min={0} max={1200} defaultValue="3" required />
      </label>
      <label>
        Monthly spend <input name="monthly_spend" type="number" min={0} step="0.01" defaultValue="120" required />
      </label>
      <label>
        Support tickets <input name="support_tickets" type="number" min={0} defaultValue="2" required />
      </label>
      <label>
        Plan{' '}
        <select name="plan" defaultValue="basic">
          {PLANS.map((plan) => (
            <option key={plan} value={plan}>
              {plan}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" disabled={busy}>
        Send a prediction
      </button>
      <p class="hint" role="status" aria-live="polite" data-testid="prediction-status" data-state={step.state}>
        {step.state === 'idle' ? 'Traced from this browser: the trace starts with your click.' : null}
        {step.state === 'sending' ? 'Sending…' : null}
        {step.state === 'waiting' ? (
          <>
            Answered by the {step.source}; waiting for trace <span class="mono">{step.traceId}</span> to be complete in Jaeger…
          </>
        ) : null}
        {step.state === 'failed' ? <span class="sev-error">Could not send the prediction: {step.message}</span> : null}
      </p>
    </form>
  );
}
