// Where the benchmarks write their results (and the services bench its CPU profiles).
import path from 'node:path';
import { stateDir } from '../../local/paths';

export const BENCH_DIR = path.join(stateDir, 'bench');
