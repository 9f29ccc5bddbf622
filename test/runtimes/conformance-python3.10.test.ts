import { PYTHON_ROW } from './conformance-rows.js';
import { runConformance } from './conformance-table.js';

runConformance(PYTHON_ROW);
