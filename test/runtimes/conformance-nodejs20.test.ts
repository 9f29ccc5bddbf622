import { NODEJS20_ROW } from './conformance-rows.js';
import { runConformance } from './conformance-table.js';

runConformance(NODEJS20_ROW);
