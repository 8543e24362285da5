/** Fault matrix, the POST that attaches the VIP here (it is detached by then). */
import { matrixRow } from '../support/reliability-cells.ts';

matrixRow('POST');
