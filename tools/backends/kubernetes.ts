// Helm and kubectl-validate, built to check the Kubernetes chart (deploy/helm/tracelab) offline:
// build-only tools, not processes of the stack.
import { type GoBuild, goInstall } from './recipe';

export const helmBuild: GoBuild = {
  // `go install` works as is (no replace directives). 257 s cold on this 2-core machine.
  version: '3.22.0',
  recipe: 1,
  estimateS: 257,
  binaries: ['helm'],
  build: (version, workDir, outDir) => goInstall(`helm.sh/helm/v3/cmd/helm@v${version}`, workDir, outDir),
};

export const kubectlValidateBuild: GoBuild = {
  // Carries the OpenAPI schemas of Kubernetes 1.23-1.30, so it validates without a cluster.
  // `go install` works as is. 324 s cold on this 2-core machine (another Go build shared it for
  // the last 86 s).
  version: '0.0.4',
  recipe: 1,
  estimateS: 324,
  binaries: ['kubectl-validate'],
  build: (version, workDir, outDir) => goInstall(`sigs.k8s.io/kubectl-validate@v${version}`, workDir, outDir),
};
