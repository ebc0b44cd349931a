import { buildScenarios } from './scenarios.js';
const [scenarioId, operation, contenderId, seconds = '3'] = process.argv.slice(2);
const scenario = buildScenarios().find((s) => s.id === scenarioId);
const contender = operation === 'copy' ? scenario.memcpy : scenario.operations[operation].find((c) => c.id === contenderId);
const end = performance.now() + Number(seconds) * 1000;
let n = 0;
const t0 = performance.now();
while (performance.now() < end) { for (let i = 0; i < 10; i++) contender.run(); n += 10; }
console.log(`${scenarioId}/${operation}/${contenderId}: ${(n / ((performance.now() - t0) / 1000)).toFixed(0)} ops/s, ${(((performance.now() - t0) * 1e6) / n).toFixed(0)} ns/op`);
