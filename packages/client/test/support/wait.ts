/** Polls until `condition` holds; fails after `limit` ms (default 3 s) so no test can hang. */
export async function waitFor(condition: () => boolean, limit = 3000): Promise<void> {
  const deadline = Date.now() + limit;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${limit} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
