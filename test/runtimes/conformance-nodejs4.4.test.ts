import { NODEJS4_ROW } from './conformance-rows.js';
import { runConformance } from './conformance-table.js';

runConformance(NODEJS4_ROW);
