import { runConformance } from './conformance-table.js';
import { GO1_ROW } from './go1-conformance.js';

runConformance(GO1_ROW);
