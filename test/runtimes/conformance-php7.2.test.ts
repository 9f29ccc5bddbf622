import { runConformance } from './conformance-table.js';
import { PHP_ROW } from './php-conformance.js';

runConformance(PHP_ROW);
