// Entry of each worker thread: registers tsx's loader in this thread, then starts the TypeScript worker.
// (Node 20 does not apply --import hooks given in a Worker's execArgv.)
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
