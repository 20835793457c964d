// The tracelab console's server: serves the built single-page app, proxies the backends' HTTP
// APIs read-only on the same origin (no CORS), serves the lesson and runbook texts, and performs
// lab actions with the control token it holds (the browser never sees the token).
//
//   node dist/console/server/server.js      (started by `npm start`; HOST/PORT override 127.0.0.1:8090)
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import { repoRoot } from '../../local/paths';
import { otlpHandler, predictHandler, RateLimit, rateLimited, sameOriginOnly } from './browser-traffic';
import { type ConsoleConfig, loadConfig } from './config';
import { addDiagnoseRoute } from './diagnose';
import { type Lab, LabError, scenarioLab } from './lab';
import { addMysteryRoutes } from './mystery';
import { proxyHandler, sendError } from './proxy';
import { addStackStatusRoute } from './stack-status';

/** Client-side routes: reloading any of them serves the app. */
const APP_ROUTES = /^\/($|traces\/?$|trace\/[^/]+(\/vs\/[^/]+)?\/?$|services\/?$|signals\/?$|lab\/?$|diagnose\/?$|docs\/[\w-]+\/?$)/;

/** Markdown documents the console shows: lessons and runbooks, by name. */
function docPath(name: string): string | undefined {
  if (!/^[\w-]+$/.test(name)) return undefined;
  const candidates = [path.join(repoRoot, 'docs', 'lessons', `${name}.md`), path.join(repoRoot, 'docs', `${name}.md`)];
  return candidates.find((file) => fs.existsSync(file));
}

/**
 * Lab actions change the running stack, so only this console's own pages may ask: a JSON body
 * (a cross-site form cannot send one without a CORS preflight, which is never granted) and, when
 * the browser says where the request comes from, the same origin.
 */
function sameOriginJson(req: Request, res: Response, next: NextFunction): void {
  if (!req.is('application/json')) {
    sendError(res, 415, 'json_required', 'lab actions take a JSON body (content-type: application/json)');
    return;
  }
  const site = req.get('sec-fetch-site');
  const origin = req.get('origin');
  if ((site && site !== 'same-origin') || (origin && origin !== `${req.protocol}://${req.get('host')}`)) {
    sendError(res, 403, 'cross_origin', 'lab actions are accepted from the console’s own pages only');
    return;
  }
  next();
}

export function createConsoleApp(config: ConsoleConfig, lab: Lab = scenarioLab(config)): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.get('/healthz', (_req, res) => {
    res.json({
      status: 'ok',
      assets: fs.existsSync(path.join(config.assetsDir, 'index.html')),
      controlToken: Boolean(config.controlToken),
    });
  });

  app.all('/api/proxy/*path', proxyHandler(config));

  // The "send a prediction" form: its request, and its spans exported from the browser.
  app.post(
    '/api/gateway/predict',
    sameOriginOnly('a prediction'),
    rateLimited(new RateLimit(10, 2), 'predictions'),
    predictHandler(config),
  );
  app.post('/otlp/v1/traces', sameOriginOnly('OTLP'), rateLimited(new RateLimit(20, 2), 'trace exports'), otlpHandler(config));

  app.get('/api/docs/:name', (req, res) => {
    const file = docPath(req.params.name);
    if (!file) return sendError(res, 404, 'not_found', `no lesson or runbook named "${req.params.name}" in docs/`);
    res.type('text/markdown; charset=utf-8').send(fs.readFileSync(file, 'utf8'));
  });

  const labAction = (action: (req: Request) => Promise<unknown>) => async (req: Request, res: Response) => {
    try {
      res.json(await action(req));
    } catch (error) {
      if (error instanceof LabError) return sendError(res, error.status, error.code, error.message);
      sendError(res, 500, 'lab_failed', `the lab action failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  app.get(
    '/api/lab',
    labAction(async () => {
      const status = await lab.status().catch((error: unknown) => ({ error: error instanceof LabError ? error.message : String(error) }));
      return { scenarios: lab.scenarios, status, randomRequests: lab.randomRequests };
    }),
  );
  app.use('/api/lab', express.json({ limit: '4kb' }));
  app.post(
    '/api/lab/scenarios/:name/:action',
    sameOriginJson,
    labAction(async (req) => {
      const { name, action } = req.params as { name: string; action: string };
      if (action === 'on') return lab.turnOn(name);
      if (action === 'off') return lab.turnOff(name);
      throw new LabError(404, 'not_found', `unknown action "${action}": use on or off`);
    }),
  );
  app.post(
    '/api/lab/reset',
    sameOriginJson,
    labAction(() => lab.reset()),
  );
  app.post(
    '/api/lab/check/random',
    sameOriginJson,
    labAction(() => lab.checkRandom()),
  );
  addMysteryRoutes(app, config, sameOriginJson);
  addDiagnoseRoute(app, config);
  addStackStatusRoute(app, config);
  app.all('/api/*path', (req, res) => sendError(res, 404, 'not_found', `no console API at ${req.method} ${req.path}`));

  app.use('/assets', express.static(path.join(config.assetsDir, 'assets'), { immutable: true, maxAge: '1y', fallthrough: false }));
  app.get(APP_ROUTES, (_req, res) => {
    const index = path.join(config.assetsDir, 'index.html');
    if (!fs.existsSync(index)) {
      res.status(503).type('text/plain').send(`The console is not built: run \`npm run build\` (missing ${index}).\n`);
      return;
    }
    res.setHeader('cache-control', 'no-cache');
    res.sendFile(index);
  });
  app.use(express.static(config.assetsDir, { index: false }));
  app.use((req, res) =>
    sendError(res, 404, 'not_found', `nothing at ${req.path}: the console's pages are /traces, /services, /signals, /diagnose and /lab`),
  );
  // Express's last resort (a body that is not JSON, …): a JSON 4xx, never a stack trace.
  app.use((error: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    const status = error.status && error.status >= 400 && error.status < 500 ? error.status : 500;
    sendError(res, status, error.type ?? (status === 500 ? 'internal' : 'bad_request'), status === 500 ? 'internal error' : error.message);
  });
  return app;
}

export function startConsole(config: ConsoleConfig = loadConfig()): Promise<http.Server> {
  const app = createConsoleApp(config);
  return new Promise((resolve, reject) => {
    const server = app.listen(config.port, config.host, (error?: Error) => (error ? reject(error) : resolve(server)));
  });
}

if (require.main === module) {
  startConsole().then(
    (server) => {
      const address = server.address();
      const where = typeof address === 'object' && address ? `http://${address.address}:${address.port}` : String(address);
      console.log(`tracelab console on ${where}`);
    },
    (error: unknown) => {
      console.error(`[console] ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
