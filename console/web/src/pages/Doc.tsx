// /docs/<name>: a lesson (docs/lessons/) or a runbook page (docs/), as the console serves them.
import { getText } from '../api';
import { Markdown } from '../components/Markdown';
import { Failure, Loading } from '../components/states';
import { useAsync } from '../components/useAsync';

export function DocPage({ name, anchor }: { name: string; anchor: string }) {
  const state = useAsync((signal) => getText(`/api/docs/${name}`, signal), [name]);
  return (
    <main class="doc">
      {state.status === 'loading' ? <Loading what={name} /> : null}
      {state.status === 'error' ? <Failure error={state.error} what={`the document "${name}"`} /> : null}
      {state.status === 'ok' ? <Markdown source={state.data} anchor={anchor} /> : null}
    </main>
  );
}
