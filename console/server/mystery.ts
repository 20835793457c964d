// The lab page's traffic button and mystery mode, as console API: the same library as
// `npm run lab -- traffic | mystery | guess | reveal` (lab/traffic.ts, lab/mystery.ts) and the
// same state files, so a mystery started on the command line can be guessed here. The control
// token stays in this server; the hidden choice is never sent before a guess or the reveal.
//
//   POST /api/lab/traffic          {concurrency?, seconds?}    → the traffic summary
//   GET  /api/lab/mystery                                       → status, history, guess vocabulary
//   POST /api/lab/mystery/start    {seed?, concurrency?, seconds?}
//   POST /api/lab/mystery/guess    {causes: [{kind, service}, …]} | {scenario} | {healthy: true}
//   POST /api/lab/mystery/reveal
import type { Express, NextFunction, Request, Response } from 'express';
import { LabError as LabLibraryError, LabUsageError } from '../../lab/context';
import {
  GUESS_VOCABULARY,
  guessMystery,
  MYSTERY_TRAFFIC,
  MysteryStateError,
  mysteryDir,
  mysteryStatus,
  parseGuess,
  readHistory,
  revealMystery,
  startMystery,
  validateSeed,
} from '../../lab/mystery';
import { driveTraffic, validateTraffic } from '../../lab/traffic';
import type { ConsoleConfig } from './config';
import { LabError, labContext } from './lab';
import { sendError } from './proxy';

type Middleware = (req: Request, res: Response, next: NextFunction) => void;

const body = (req: Request): Record<string, unknown> =>
  req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? (req.body as Record<string, unknown>) : {};

const GUESS_SHAPE = 'a guess is {"causes": [{"kind": …, "service": …}, …]}, {"scenario": …} or {"healthy": true}';

/** The words of `npm run lab -- guess …` for a guess from the page's selects. */
function guessWords(input: Record<string, unknown>): string[] {
  if (input.healthy === true) return ['healthy'];
  if (typeof input.scenario === 'string') return [input.scenario];
  if (Array.isArray(input.causes))
    return input.causes.flatMap((cause: unknown) => {
      const { kind, service } = (cause ?? {}) as Record<string, unknown>;
      if (typeof kind !== 'string' || typeof service !== 'string') throw new LabUsageError(GUESS_SHAPE);
      return [kind, service];
    });
  throw new LabUsageError(GUESS_SHAPE);
}

/** Adds the routes; `guard` admits only JSON from the console's own pages (as for every lab action). */
export function addMysteryRoutes(app: Express, config: ConsoleConfig, guard: Middleware, dir: string = mysteryDir()): void {
  const backends = { jaegerUrl: config.backends.jaeger, prometheusUrl: config.backends.prometheus, logsUrl: config.backends.victorialogs };
  /** Traffic runs one at a time: two runs would measure each other. */
  let trafficRunning = false;

  const handle = (action: (req: Request) => Promise<unknown>) => async (req: Request, res: Response) => {
    try {
      res.json(await action(req));
    } catch (error) {
      if (error instanceof LabError) return sendError(res, error.status, error.code, error.message);
      if (error instanceof LabUsageError) return sendError(res, 400, 'bad_request', error.message);
      if (error instanceof MysteryStateError) return sendError(res, 409, 'mystery_state', error.message);
      if (error instanceof LabLibraryError) return sendError(res, 502, 'lab_failed', error.message);
      sendError(res, 500, 'lab_failed', `the lab action failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  const withTraffic = async <T>(run: () => Promise<T>): Promise<T> => {
    if (trafficRunning) throw new LabError(409, 'traffic_running', 'traffic is already running: wait for it to finish');
    trafficRunning = true;
    try {
      return await run();
    } finally {
      trafficRunning = false;
    }
  };
  const state = () => ({ status: mysteryStatus(dir), history: readHistory(dir), vocabulary: GUESS_VOCABULARY });

  app.post(
    '/api/lab/traffic',
    guard,
    handle(async (req) => {
      const options = validateTraffic(body(req));
      return withTraffic(() => driveTraffic(config.services.gateway!, options));
    }),
  );
  app.get(
    '/api/lab/mystery',
    handle(async () => state()),
  );
  app.post(
    '/api/lab/mystery/start',
    guard,
    handle(async (req) => {
      const input = body(req);
      const traffic = validateTraffic({
        concurrency: input.concurrency ?? MYSTERY_TRAFFIC.concurrency,
        seconds: input.seconds ?? MYSTERY_TRAFFIC.seconds,
      });
      const seed = input.seed === undefined ? {} : { seed: validateSeed(input.seed) };
      const ctx = labContext(config);
      const summary = await withTraffic(() => startMystery(ctx, { ...seed, traffic, dir }));
      return { ...state(), traffic: summary };
    }),
  );
  app.post(
    '/api/lab/mystery/guess',
    guard,
    handle(async (req) => ({ ...(await guessMystery(parseGuess(guessWords(body(req))), { dir, backends })), ...state() })),
  );
  app.post(
    '/api/lab/mystery/reveal',
    guard,
    handle(async () => ({ ...(await revealMystery(labContext(config), dir)), ...state() })),
  );
}
