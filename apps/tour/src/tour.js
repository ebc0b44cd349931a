// Runs the tour's steps against a running stack and prints each result as it comes.
import { formatResult } from './print.js';
import { authorizerClient, tourSteps } from './steps.js';

const stepTimeout = 15_000;

function withTimeout(promise, milliseconds, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${milliseconds / 1000} s`)), milliseconds);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function runStep(step, stack, client) {
  try {
    return { title: step.title, ...(await withTimeout(step.run(stack, client), stepTimeout, 'the step')) };
  } catch (error) {
    const code = error?.code === undefined ? '' : `${error.code}: `;
    return { title: step.title, problems: [`${code}${error instanceof Error ? error.message : String(error)}`] };
  }
}

/**
 * Sends every request of the tour, one after the other, printing each result; resolves to
 * the number of steps that failed. Each step is given 15 s at most.
 *
 * @example
 * const failed = await runTour(stack, console.log);
 * @param {import('./stack.js').Stack} stack
 * @param {(line: string) => void} print
 */
export async function runTour(stack, print) {
  const client = authorizerClient(stack);
  const steps = tourSteps(stack);
  let failed = 0;
  try {
    for (const [index, step] of steps.entries()) {
      const outcome = await runStep(step, stack, client);
      if (outcome.problems.length > 0) failed += 1;
      print(['', ...formatResult(index + 1, outcome)].join('\n'));
    }
  } finally {
    await withTimeout(client.close(), 5_000, 'closing the FastCGI client').catch(() => client.destroy());
  }
  print(`\n${steps.length - failed} of ${steps.length} steps ok${failed > 0 ? `, ${failed} FAILED` : ''}.`);
  return failed;
}
