#!/usr/bin/env node
// Prints the codec tour: `pnpm --filter @fcgi/app-codec-tour start`.
import { runTour } from './tour.js';

console.log(runTour().join('\n'));
