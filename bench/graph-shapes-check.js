/**
 * `node bench/graph-shapes-check.js [model.json ...]`: checks the conv input sizes convreg derives
 * for the graph models of the corpus (bench/models.js) against TF.js running each graph (CPU
 * backend) on an input of the same size, reading the tensor each convolution consumes.
 * Default: every graph model of the corpus. Prints one line per model and exits 1 on a mismatch.
 * CONVREG_MODELS_INPUT_SIZE (default 256) and the inputs of bench/model-inputs.js apply.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { readTfjsModel } from "../dist/tfjs/index.js";
import { CONV_INPUTS, GraphShapes, parseNodes } from "../dist/tfjs/graph-shapes.js";
import { corpusDir, inputValuesOf } from "./model-inputs.js";

const inputSize = Number(process.env.CONVREG_MODELS_INPUT_SIZE ?? 256);

function placeholderTensor(node, values) {
  const given = values[node.name];
  if (given !== undefined) return tf.scalar(given);
  const dims = node.attr.shape?.shape?.dim;
  // A recurrent state of unknown rank starts as the scalar 0 (it is broadcast by the graph).
  if (!Array.isArray(dims)) return tf.scalar(0);
  const shape = dims.map((d, i) => (Number(d.size) > 0 ? Number(d.size) : i === 0 ? 1 : inputSize));
  const dtype = node.attr.dtype?.type === "DT_INT32" || node.attr.dtype?.type === "DT_UINT8" ? "int32" : "float32";
  return tf.fill(shape, dtype === "int32" ? 128 : 0.5, dtype);
}

async function check(file) {
  const doc = JSON.parse(readFileSync(file, "utf8"));
  if (!Array.isArray(doc.modelTopology?.node)) return null;
  const model = await readTfjsModel(file);
  const nodes = parseNodes(doc.modelTopology);
  const values = inputValuesOf(path.basename(file));
  const shapes = new GraphShapes(model, nodes, inputSize, values);
  const convs = nodes.filter((n) => CONV_INPUTS[n.op]);
  const dataInputs = convs.map((n) => n.input[CONV_INPUTS[n.op].data]);
  const weightData = new Uint8Array(model.groupBytes.reduce((a, b) => a + b.length, 0));
  let at = 0;
  for (const b of model.groupBytes) {
    weightData.set(b, at);
    at += b.length;
  }
  const graph = await tf.loadGraphModel(
    tf.io.fromMemory({ modelTopology: doc.modelTopology, weightSpecs: model.manifest.flatMap((g) => g.weights), weightData: weightData.buffer }),
  );
  const inputs = Object.fromEntries(nodes.filter((n) => n.op === "Placeholder").map((n) => [n.name, placeholderTensor(n, values)]));
  // Only the convolutions that run for these inputs can be compared (a tf.cond branch not taken has none).
  const outputs = await graph.executeAsync(inputs, [...new Set(dataInputs)]).catch((e) => e);
  if (outputs instanceof Error) return { model: path.basename(file), convs: convs.length, error: outputs.message.split("\n")[0] };
  const byName = new Map([...new Set(dataInputs)].map((name, i) => [name, (Array.isArray(outputs) ? outputs : [outputs])[i]]));
  let same = 0;
  const wrong = [];
  for (let i = 0; i < convs.length; i++) {
    const real = byName.get(dataInputs[i])?.shape;
    const ours = shapes.shape(dataInputs[i]).dims;
    if (real !== undefined && ours !== null && real.length === 4 && ours[1] === real[1] && ours[2] === real[2]) same++;
    else wrong.push(`${convs[i].name}: tfjs ${JSON.stringify(real)} convreg ${JSON.stringify(ours)}`);
  }
  tf.dispose([...Object.values(inputs), ...byName.values()]);
  graph.dispose();
  return { model: path.basename(file), convs: convs.length, same, wrong };
}

const files =
  process.argv.length > 2
    ? process.argv.slice(2)
    : readdirSync(corpusDir())
        .filter((f) => f.endsWith(".json"))
        .sort()
        .map((f) => path.join(corpusDir(), f));
let failures = 0;
for (const file of files) {
  const started = performance.now();
  const r = await check(file);
  if (r === null) continue;
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (r.error) {
    failures++;
    console.log(`${r.model}: tfjs could not run it: ${r.error}`);
    continue;
  }
  if (r.wrong.length > 0) failures++;
  console.log(`${r.model}: ${r.same}/${r.convs} conv input sizes agree with tfjs (${seconds} s)`);
  for (const w of r.wrong.slice(0, 5)) console.log(`  ${w}`);
}
console.log(`command: CONVREG_MODELS_INPUT_SIZE=${inputSize} node bench/graph-shapes-check.js`);
process.exit(failures > 0 ? 1 : 0);
