// The real Compose implementation, built to validate docker-compose.yml without a Docker engine:
// a build-only tool, not a process of the stack.
import { buildInsideModule, type GoBuild } from './recipe';

export const dockerComposeBuild: GoBuild = {
  version: '2.40.3',
  recipe: 1,
  estimateS: 70,
  binaries: ['docker-compose'],
  // v2.x: newer majors need a newer Go than this machine's.
  async build(version, workDir, outDir) {
    const major = version.split('.')[0];
    await buildInsideModule(`github.com/docker/compose/v${major}`, `v${version}`, workDir, [
      { pkg: './cmd', out: `${outDir}/docker-compose` },
    ]);
  },
};
