// Loads data for a component, re-running when `deps` change and aborting the superseded request.
import { type Inputs, useEffect, useState } from 'preact/hooks';

export type AsyncState<T> = { status: 'loading' } | { status: 'ok'; data: T } | { status: 'error'; error: unknown };

export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>, deps: Inputs, refreshMs?: number): AsyncState<T> {
  const [state, setState] = useState<AsyncState<T>>({ status: 'loading' });
  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = (first: boolean) => {
      if (first) setState({ status: 'loading' });
      load(controller.signal).then(
        (data) => {
          if (controller.signal.aborted) return;
          setState({ status: 'ok', data });
          if (refreshMs) timer = setTimeout(() => run(false), refreshMs);
        },
        (error: unknown) => {
          if (controller.signal.aborted) return;
          setState({ status: 'error', error });
          if (refreshMs) timer = setTimeout(() => run(false), refreshMs);
        },
      );
    };
    run(true);
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, deps);
  return state;
}
