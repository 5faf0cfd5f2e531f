import { ExecutionProvider } from '@lumina/gpu-worker';

/**
 * The provider a benchmark asks for, as the worker reads it: `LUMINA_EXECUTION_PROVIDER=cuda npm run bench`
 * on a GPU host. The worker falls back to cpu when cuda cannot start, and the benches print what ran.
 */
export const benchExecutionProvider = ExecutionProvider.parse(process.env.LUMINA_EXECUTION_PROVIDER ?? 'cpu');
