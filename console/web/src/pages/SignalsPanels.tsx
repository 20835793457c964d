// The request path per edge, the fallback ratio and the prediction events' lag on the Signals
// page, titled as in Grafana (panels defined in model/grafana-panels.ts).
import { GRAFANA_PANELS } from '../model/grafana-panels';
import { PanelView } from './Signals';

/** The request-path panels, the fallback ratio and the events' lag, titled as in Grafana (dashboard › panel). */
export function GrafanaNamedPanels({ range }: { range: number }) {
  return (
    <>
      <h2>Request path, fallbacks and prediction events (as in the Grafana dashboards)</h2>
      <div class="charts">
        {GRAFANA_PANELS.map(({ dashboard, panel }) => (
          <PanelView key={panel.title} panel={{ ...panel, title: `${dashboard} › ${panel.title}` }} range={range} />
        ))}
      </div>
    </>
  );
}
