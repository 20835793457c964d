// The real Compose implementation, built to validate docker-compose.yml without a Docker engine:
// a build-only tool, not a process of the stack.
import { type GoBuild, insideModule } from './recipe';

export const dockerComposeBuild: GoBuild = {
  version: '2.40.3',
  recipe: 1,
  estimateS: 70,
  binaries: ['docker-compose'],
  // v2.x: newer majors need a newer Go than this machine's.
  ...insideModule({ module: 'github.com/docker/compose/v2', packages: [{ pkg: './cmd', binary: 'docker-compose' }] }),
};
