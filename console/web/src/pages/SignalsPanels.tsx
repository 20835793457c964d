// The request path per edge and the fallback ratio on the Signals page, titled as in Grafana
// (panels defined in model/grafana-panels.ts).
import { GRAFANA_PANELS } from '../model/grafana-panels';
import { PanelView } from './Signals';

/** The request-path panels and the fallback ratio, titled as in Grafana (dashboard › panel). */
export function GrafanaNamedPanels({ range }: { range: number }) {
  return (
    <>
      <h2>Request path, and the fallback ratio (as in the Grafana dashboards)</h2>
      <div class="charts">
        {GRAFANA_PANELS.map(({ dashboard, panel }) => (
          <PanelView key={panel.title} panel={{ ...panel, title: `${dashboard} › ${panel.title}` }} range={range} />
        ))}
      </div>
    </>
  );
}
