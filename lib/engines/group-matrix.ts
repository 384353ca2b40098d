/**
 * M of a grouped or depthwise layer from its groups' M: block diagonal, group `grp`'s rows and
 * columns being the contiguous blocks of its output and input channels (lib/core/groups.ts).
 */
import { layerEntryIndex, type GroupLayout } from "../core/groups.js";

/** DenseMatrix and SparseMatrix of matrix.ts, spelt out here since matrix.ts imports this file. */
interface DenseMatrix {
  rows: number;
  cols: number;
  data: Float64Array;
}
interface SparseMatrix {
  rows: number;
  cols: number;
  rowStart: Int32Array;
  column: Int32Array;
  entry: Int32Array;
  value: Float64Array;
}

/** The block-diagonal dense M from the groups' dense blocks. */
export function assembleDense(blocks: readonly DenseMatrix[]): DenseMatrix {
  const rows = blocks.reduce((sum, b) => sum + b.rows, 0);
  const cols = blocks.reduce((sum, b) => sum + b.cols, 0);
  const data = new Float64Array(rows * cols);
  let row0 = 0;
  let col0 = 0;
  for (const b of blocks) {
    for (let r = 0; r < b.rows; r++) data.set(b.data.subarray(r * b.cols, (r + 1) * b.cols), (row0 + r) * cols + col0);
    row0 += b.rows;
    col0 += b.cols;
  }
  return { rows, cols, data };
}

/** The block-diagonal sparse M from the groups' CSR blocks; `entry` indexes the layer kernel's data. */
export function assembleSparse(blocks: readonly SparseMatrix[], layout: GroupLayout): SparseMatrix {
  const rows = blocks.reduce((sum, b) => sum + b.rows, 0);
  const cols = blocks.reduce((sum, b) => sum + b.cols, 0);
  const nonzeros = blocks.reduce((sum, b) => sum + b.value.length, 0);
  const rowStart = new Int32Array(rows + 1);
  const column = new Int32Array(nonzeros);
  const entry = new Int32Array(nonzeros);
  const value = new Float64Array(nonzeros);
  let row0 = 0;
  let col0 = 0;
  let z0 = 0;
  blocks.forEach((b, group) => {
    for (let r = 0; r <= b.rows; r++) rowStart[row0 + r] = z0 + b.rowStart[r];
    for (let z = 0; z < b.value.length; z++) {
      column[z0 + z] = col0 + b.column[z];
      entry[z0 + z] = layerEntryIndex(layout, group, b.entry[z]);
    }
    value.set(b.value, z0);
    row0 += b.rows;
    col0 += b.cols;
    z0 += b.value.length;
  });
  return { rows, cols, rowStart, column, entry, value };
}
