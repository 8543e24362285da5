/** Fault matrix, the DELETE that detaches the VIP from the peer's vMAC. */
import { matrixRow } from '../support/reliability-cells.ts';

matrixRow('DELETE');
