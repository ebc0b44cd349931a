#!/usr/bin/env node
// `pnpm demo`: prints the codec tour.
import { runTour } from './tour.js';

console.log(runTour().join('\n'));
