/**
 * The module `fcgi serve` runs in the workers scenario: the same handler as every other
 * benchmarked server, as a default export.
 *
 * @module
 */
import { benchHandler } from './handlers.js';

export default benchHandler;
