import { JAVA_CONFORMANCE } from '../helpers/java.js';
import { runConformance } from './conformance-table.js';

runConformance(JAVA_CONFORMANCE);
