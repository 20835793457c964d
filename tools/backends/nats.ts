// NATS server with JetStream: the broker of the asynchronous hop (docs/async-tracing.md). The
// gateway publishes prediction events to a stream; model-inference's monitor pulls them.
import { BACKEND_PORTS } from '../../local/ports';
import { type BackendRecipe, goInstall } from './recipe';

/** Pinned here and nowhere else: the native build and the compose image use it. */
const VERSION = '2.15.2';

export const nats: BackendRecipe = {
  name: 'nats',
  title: 'NATS',
  summary: 'NATS server with JetStream: the broker between the gateway and the model monitor',
  build: {
    // `go install` works as is (no replace directives in its go.mod). 71 s with an empty Go build
    // cache on this 2-core machine; 16-20 s in a cold `npm start`, where it comes after the
    // builds that fill that cache (docs/backends.md).
    version: VERSION,
    recipe: 1,
    estimateS: 22,
    binaries: ['nats-server'],
    build: (version, workDir, outDir) => goInstall(`github.com/nats-io/nats-server/v2@v${version}`, workDir, outDir),
  },
  native: { binary: 'nats-server' },
  // client: the NATS protocol; http: the monitoring endpoint (/healthz, /varz, /jsz).
  ports: BACKEND_PORTS.nats,
  // Ready once JetStream is up, not only the client port.
  ready: { port: 'http', path: '/healthz?js-enabled-only=true' },
  dependsOn: [],
  configFolders: [],
  // Streams and consumers live in the file store under its data folder.
  stateful: true,
  args: (layout) => [
    `--addr=${layout.listenHost}`,
    `--port=${BACKEND_PORTS.nats.client}`,
    `--http_port=${BACKEND_PORTS.nats.http}`,
    // A fixed name: JetStream's file store belongs to the server that wrote it.
    '--server_name=tracelab',
    '--jetstream',
    `--store_dir=${layout.dataDir}`,
  ],
  // The alpine variant has wget for the health check (the plain image is scratch). Not
  // published: only the services talk to it, by its compose name.
  compose: { image: `nats:${VERSION}-alpine`, dataDir: '/data', healthcheck: true },
};
