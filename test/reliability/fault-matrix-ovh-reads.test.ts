/** Fault matrix, the claim's reads before any change: auth/time and locate (both GETs). */
import { matrixRow } from '../support/reliability-cells.ts';

matrixRow('auth/time');
matrixRow('locate: vMAC address lists');
matrixRow('locate: vMAC list');
