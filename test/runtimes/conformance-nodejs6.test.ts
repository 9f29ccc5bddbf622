import { NODEJS6_ROW } from './conformance-rows.js';
import { runConformance } from './conformance-table.js';

runConformance(NODEJS6_ROW);
