import { NODEJS12_ROW } from './conformance-rows.js';
import { runConformance } from './conformance-table.js';

runConformance(NODEJS12_ROW);
