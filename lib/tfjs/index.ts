/**
 * `convreg/tfjs`: read a TF.js model, find its conv layers, report their spectra and write a model
 * with a replaced weight. Every name is listed explicitly; test/exports.test.ts pins the list.
 * @packageDocumentation
 */
export { readTfjsModel, readWeight, type ModelKind, type TfjsModel, type WeightLocation } from "./model.js";
export type { Quantization, QuantizationDtype, WeightDtype, WeightEntry, WeightGroup } from "./manifest.js";
export { findConvolutions, type ConvLayer, type SkippedLayer, type ModelConvolutions, type FindOptions } from "./topology.js";
export type { SpatialSize } from "./spatial.js";
export { analyzeLayer, REPORT_DENSE_WORK_LIMIT, type LayerAnalysis, type LayerAnalysisOptions, type LayerSpectrumMethod } from "./layer-analysis.js";
export {
  reportModel,
  reportLoadedModel,
  layerKernel,
  type ModelReport,
  type LayerReport,
  type ReportOptions,
  type SizeSource,
  type LayerError,
  type ReportStart,
} from "./report.js";
export { sigmaRangeSvg } from "./svg.js";
export { writeModelWithWeight, type WriteResult, type WrittenWeight } from "./writer.js";
