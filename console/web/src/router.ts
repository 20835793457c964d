// A small history router: every page is a URL that can be linked to and reloaded.
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { page: 'traces'; params: URLSearchParams }
  | { page: 'trace'; traceId: string; params: URLSearchParams }
  | { page: 'compare'; a: string; b: string }
  | { page: 'services' }
  | { page: 'signals'; params: URLSearchParams }
  | { page: 'lab' }
  | { page: 'diagnose'; params: URLSearchParams }
  | { page: 'doc'; name: string; anchor: string }
  | { page: 'not-found'; path: string };

export function parseRoute(pathname: string, search: string, hash = ''): Route {
  const params = new URLSearchParams(search);
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === '/' || path === '/traces') return { page: 'traces', params };
  const compare = /^\/trace\/([^/]+)\/vs\/([^/]+)$/.exec(path);
  if (compare) return { page: 'compare', a: decodeURIComponent(compare[1]!), b: decodeURIComponent(compare[2]!) };
  const trace = /^\/trace\/([^/]+)$/.exec(path);
  if (trace) return { page: 'trace', traceId: decodeURIComponent(trace[1]!), params };
  if (path === '/services') return { page: 'services' };
  if (path === '/signals') return { page: 'signals', params };
  if (path === '/lab') return { page: 'lab' };
  if (path === '/diagnose') return { page: 'diagnose', params };
  const doc = /^\/docs\/([\w-]+)$/.exec(path);
  if (doc) return { page: 'doc', name: doc[1]!, anchor: hash.replace(/^#/, '') };
  return { page: 'not-found', path };
}

const listeners = new Set<() => void>();

export function navigate(url: string, { replace = false } = {}): void {
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  for (const listener of listeners) listener();
}

export function useRoute(): Route {
  const read = () => parseRoute(location.pathname, location.search, location.hash);
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const update = () => setRoute(read());
    listeners.add(update);
    addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      removeEventListener('popstate', update);
    };
  }, []);
  return route;
}

/** Same-origin link clicks become history navigation (modifier clicks still open new tabs). */
export function interceptLinks(root: HTMLElement): void {
  root.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const anchor = (event.target as Element).closest('a');
    if (!anchor || anchor.target || anchor.origin !== location.origin || anchor.hasAttribute('download')) return;
    if (anchor.pathname.startsWith('/api/')) return;
    event.preventDefault();
    navigate(anchor.pathname + anchor.search + anchor.hash);
    if (!anchor.hash) scrollTo(0, 0);
  });
}
