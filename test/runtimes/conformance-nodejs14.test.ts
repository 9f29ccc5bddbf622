import { NODEJS14_ROW } from './conformance-rows.js';
import { runConformance } from './conformance-table.js';

runConformance(NODEJS14_ROW);
