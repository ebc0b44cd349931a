import type { RunningPeer } from '../src/index.js';

/**
 * The error message of a start that should fail; if the peer started after all, it is
 * stopped (so a wrong expectation leaks no process) and `'started'` is returned.
 */
export async function startFailure(start: Promise<RunningPeer>): Promise<string> {
  try {
    const peer = await start;
    await peer.stop();
    return 'started';
  } catch (error) {
    return (error as Error).message;
  }
}
