/** The TF.js model surface (re-exported by the package index). */
export { readTfjsModel, readWeight, weightBytes, weightLocation, type ModelKind, type TfjsModel, type WeightLocation } from "./model.js";
export { parseManifest, WEIGHT_DTYPES, QUANTIZATION_DTYPES, type Quantization, type QuantizationDtype, type WeightDtype, type WeightEntry, type WeightGroup } from "./manifest.js";
export { decodeWeight, encodeWeight, affineQuantization, halfToNumber, numberToHalf } from "./decode.js";
export { findConvolutions, type ConvLayer, type SkippedLayer, type ModelConvolutions, type FindOptions } from "./topology.js";
export type { SpatialSize } from "./spatial.js";
export { analyzeLayer, penaltyFromSingularValues, DENSE_WORK_LIMIT, type LayerAnalysis, type LayerAnalysisOptions, type LayerSpectrumMethod } from "./layer-analysis.js";
export { reportModel, reportLoadedModel, layerKernel, dilateKernel, type ModelReport, type LayerReport, type ReportOptions, type SizeSource, type LayerError, type ReportStart } from "./report.js";
export { sigmaRangeSvg } from "./svg.js";
export { writeModelWithWeight, checkOutputDirectory, type WriteResult, type WrittenWeight } from "./writer.js";
