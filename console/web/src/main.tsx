// The tracelab console: one page per route, the firing-alert banner and what is still building
// (during a first start) above every page.
import './styles.css';
import { render } from 'preact';
import { AlertBanner } from './components/AlertBanner';
import { StackStatusBanner } from './components/StackStatusBanner';
import { Failure, Loading } from './components/states';
import { useAsync } from './components/useAsync';
import { ComparePage } from './pages/Compare';
import { DocPage } from './pages/Doc';
import { LabPage } from './pages/Lab';
import { ServicesPage } from './pages/Services';
import { SignalsPage } from './pages/Signals';
import { TracePage } from './pages/Trace';
import { TracesPage } from './pages/Traces';
import { interceptLinks, type Route, useRoute } from './router';

const NAV = [
  { href: '/traces', label: 'Traces', pages: ['traces', 'trace', 'compare'] },
  { href: '/services', label: 'Service map', pages: ['services'] },
  { href: '/signals', label: 'Signals', pages: ['signals'] },
  { href: '/diagnose', label: 'Diagnose', pages: ['diagnose'] },
  { href: '/lab', label: 'Lab', pages: ['lab'] },
];

/** The Diagnose page loads on first use: its code stays out of the initial JS. */
function LazyDiagnosePage({ params }: { params: URLSearchParams }) {
  const page = useAsync(() => import('./pages/Diagnose'), []);
  if (page.status === 'ok') return <page.data.DiagnosePage params={params} />;
  return (
    <main>
      {page.status === 'loading' ? <Loading what="the Diagnose page" /> : <Failure error={page.error} what="the Diagnose page" />}
    </main>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'traces':
      return <TracesPage params={route.params} />;
    case 'trace':
      return <TracePage key={route.traceId} traceId={route.traceId} params={route.params} />;
    case 'compare':
      return <ComparePage key={`${route.a}-${route.b}`} a={route.a} b={route.b} />;
    case 'services':
      return <ServicesPage />;
    case 'signals':
      return <SignalsPage params={route.params} />;
    case 'lab':
      return <LabPage />;
    case 'diagnose':
      return <LazyDiagnosePage params={route.params} />;
    case 'doc':
      return <DocPage name={route.name} anchor={route.anchor} />;
    case 'not-found':
      return (
        <main>
          <h1>Not found</h1>
          <p>
            Nothing at <code>{route.path}</code>. Start from <a href="/traces">the traces</a>.
          </p>
        </main>
      );
  }
}

function App() {
  const route = useRoute();
  document.title = `tracelab · ${route.page === 'trace' ? `trace ${route.traceId.slice(0, 8)}` : route.page}`;
  return (
    <>
      <a class="skip" href="#content">
        Skip to content
      </a>
      <header class="top">
        <a href="/traces" class="brand">
          tracelab
        </a>
        <nav aria-label="Main">
          {NAV.map((item) => (
            <a key={item.href} href={item.href} aria-current={item.pages.includes(route.page) ? 'page' : undefined}>
              {item.label}
            </a>
          ))}
        </nav>
      </header>
      <AlertBanner />
      <StackStatusBanner />
      <div id="content">
        <Page route={route} />
      </div>
    </>
  );
}

const root = document.getElementById('app')!;
interceptLinks(root);
render(<App />, root);
